"""Records of the asynchronous channels, appended as the run goes (``ThreadBook``): a post's row of the kernel's
``contacts`` table and its ``social_threads`` row when it reaches the brand, one ``messages`` row per message when it
ends, by row writers (``sim.core.Table.appender``); cells that change later (answered, ended, outcome, exchanges, work)
are written in place in the columns' own lists (``Table.column``; category cells as codes from ``Table.coder``).
Category labels become integer codes once, when they are written. A post's ``contacts`` rows follow the kernel's: they
are appended to a block of the same columns during the run and join the kernel's rows when the run ends
(``ThreadBook.close``, ``join_block``: arrays and remapped codes, no label coded again), so the table's row order is
kernel contacts, then posts in the order they arrived.

``social_threads`` (key ``contact_id``; ``THREAD_COLUMNS``; social and email contacts only): ``kind`` (complaint,
question, praise), ``reach`` (the author's followers; 0 for email, read by the brand only), ``public`` (posted
publicly rather than as a direct message), ``to_dm`` (moved to private messages after the first reply), ``exchanges``
(agent messages posted), ``exchanges_planned``, ``first_response_s`` (arrival to the first agent message posted),
``resolved_at_s``, ``work_s`` (agent work on the conversation so far, slowdown included), ``base_work_s`` (the drawn
work of all its planned messages before any slowdown) and, when the channels use messaging (the default), the columns
of ``sim.social.thread_records`` (the session mode has no such events: its table has no such columns). The
contact row's ``resolved`` is the conversation's (served: resolved or not; silent: false; otherwise NA); its
``answer_at_s`` is when an agent opened the conversation, so ``wait_s`` is the wait in the inbox; ``end_at_s`` is when
it was closed.

``messages`` (key ``contact_id, leg``; ``MESSAGE_COLUMNS``): stage ``message`` (an agent wrote it: ``start_at_s``/
``end_at_s`` bound the work, ``ready_at_s`` is when it became due, ``open_conversations`` the agent's load when the work
started; still in hand at the horizon: no end, result ``open``), ``reply`` (the customer's think time: from the agent's
message to the reply) or ``timeout`` (from the last agent message to the agent closing a quiet conversation).
``public``: the message was visible publicly.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from sim.core import CONTACT_COLUMNS, Column, Table
from sim.social.spec import POST_KINDS
from sim.social.thread_records import MESSAGING_COLUMNS

MESSAGE = "message"
RESULTS = {"message": "posted", "reply": "replied", "timeout": "silent"}
THREAD_COLUMNS = (
    Column("contact_id", "int64", "", "the conversation (contacts.contact_id)", key=True),
    Column("kind", "category", "", "complaint, question or praise", categories=POST_KINDS),
    Column("reach", "float64", "followers", "the author's followers (0: an email)"),
    Column("public", "bool", "", "posted publicly rather than as a direct message"),
    Column("to_dm", "bool", "", "moved to private messages after the first reply"),
    Column("exchanges", "int64", "count", "agent messages posted"),
    Column("exchanges_planned", "int64", "count", "agent messages the conversation needs"),
    Column("first_response_s", "float64", "s", "arrival to the first agent message posted; NaN: none", sparse=True),
    Column("resolved_at_s", "float64", "s since t=0", "the resolving reply was posted; NaN: not resolved",
           sparse=True),
    Column("work_s", "float64", "s", "agent work on the conversation so far, slowdown included"),
    Column("base_work_s", "float64", "s", "drawn work of all its planned messages before any slowdown"),
    *MESSAGING_COLUMNS,
)
MESSAGE_COLUMNS = (
    Column("contact_id", "int64", "", "the conversation (contacts.contact_id)", key=True),
    Column("leg", "int64", "", "the message's number within the conversation", key=True),
    Column("stage", "category", "", "message (an agent's), reply (the customer's think time) or timeout",
           categories=("message", "reply", "timeout")),
    Column("queue", "category", "", "the conversation's queue"),
    Column("agent_group", "category", "", "the agent's group; missing: no agent (a reply)", sparse=True),
    Column("agent_id", "int64", "", "the agent within the group; -1: no agent"),
    Column("start_at_s", "float64", "s since t=0", "the work, think time or wait started"),
    Column("end_at_s", "float64", "s since t=0", "it ended; NaN: still running at the horizon", sparse=True),
    Column("ready_at_s", "float64", "s since t=0", "the message became due (an agent message)", sparse=True),
    Column("open_conversations", "int64", "count", "conversations the agent held when the work started"),
    Column("public", "bool", "", "the message was visible publicly"),
    Column("result", "category", "", "posted, replied, silent (closed quiet), wasted (the customer had left), open",
           categories=("posted", "replied", "silent", "wasted", "open")),
)


class ThreadBook:
    """Writes one replication's posts and messages into the record book while it runs (``Conversations`` and
    ``Messaging`` call it where a post's state changes): rows by row writers (``Table.appender``), later cells in
    place in the columns' own lists (``Table.column``; category cells as codes, ``Table.coder``)."""

    def __init__(self, book, horizon: float, messaging: bool):
        self.book, self.horizon, self.messaging = book, horizon, messaging  # messaging: the thread_records columns
        # the posts' block (see above): the kernel's contact columns, and another feature's when it adds them
        self.contacts = Table("contacts", book["contacts"].key, CONTACT_COLUMNS)
        self.threads = book["social_threads"]
        self.messages = book["messages"]
        self._cum: dict[int, np.ndarray] = {}  # factory -> cumulative base message work (leading 0)
        self.row_values: Callable[[Any], dict] | None = None  # post -> another feature's cells of its contacts row
        self._ready = False  # writers made (at the first post: every feature has declared its columns by then)

    def add_contact_columns(self, columns, values: Callable[[Any], dict]) -> None:
        """Another feature's ``contacts`` columns (``sim.reputation``: what caused a post): declared on the posts'
        block, each post's cells given by ``values(post)`` when its row is appended."""
        self.contacts.declare(*columns)
        self.row_values = values

    def _writers(self) -> None:
        c, t, m = self.contacts, self.threads, self.messages
        self._contact_row = c.appender("contact_id", "customer_id", "attempt", "channel", "queue", "priority",
                                       "arrival_at_s", "queue_entry_at_s", "handle_draw_s", "ivr_s", "wrap_up_s",
                                       "agent_id")
        own = ("wasted_replies", "wasted_work_s", "customer_messages") if self.messaging else ()
        self._thread_row = t.appender("contact_id", "kind", "reach", "public", "to_dm", "exchanges",
                                      "exchanges_planned", "work_s", "base_work_s", *own)
        self._message_row = m.appender("contact_id", "leg", "stage", "queue", "agent_group", "agent_id", "start_at_s",
                                       "end_at_s", "ready_at_s", "open_conversations", "public", "result")
        (self._entry, self._answer, self._group, self._agent, self._end, self._outcome,
         self._resolved) = (c.column(n) for n in ("queue_entry_at_s", "answer_at_s", "agent_group", "agent_id",
                                                  "end_at_s", "outcome", "resolved"))
        self._group_code, self._outcome_code = c.coder("agent_group"), c.coder("outcome")
        self._exchanges, self._work, self._first, self._resolved_at = (
            t.column(n) for n in ("exchanges", "work_s", "first_response_s", "resolved_at_s"))
        if self.messaging:
            self._silent, self._resolution, self._sent, self._wasted_n, self._wasted_s = (
                t.column(n) for n in ("silent_at_s", "resolution", "customer_messages", "wasted_replies",
                                      "wasted_work_s"))
            self._resolution_code = t.coder("resolution")
        self._ready = True

    def drawn(self, p) -> float:
        """The drawn work of all the post's planned messages (before any slowdown)."""
        src = p.src
        cum = self._cum.get(id(src))
        if cum is None:
            cum = self._cum[id(src)] = np.concatenate([[0.0], np.cumsum(src.msgs)])
        return float(cum[p.msgs + p.n_ex] - cum[p.msgs])

    def admit(self, p) -> None:
        """A post reached the brand (not deflected): its contact row and its thread row."""
        if not self._ready:
            self._writers()
        src, i = p.src, p.i
        drawn = self.drawn(p)
        reach = src.reach[i]
        p.row = self._contact_row(p.id, p.id, 1, src.name, src.queue, 0, p.arrival, p.enqueued, drawn, 0.0, 0.0, -1)
        if self.row_values is not None:
            self.contacts.set(p.row, **self.row_values(p))
        own = (0, 0.0, 1) if self.messaging else ()
        self._thread_row(p.id, src.kind[i], 0.0 if reach != reach else reach, src.public[i], src.to_dm[i], 0, p.n_ex,
                         0.0, drawn, *own)

    def queued(self, p) -> None:
        self._entry[p.row] = p.enqueued

    def assigned(self, p) -> None:
        """An agent opened the post."""
        r = p.row
        self._answer[r] = p.assigned
        self._group[r] = self._group_code(p.agent.group.name)
        self._agent[r] = p.agent.id

    def ended(self, p) -> None:
        """The post's outcome (and end) were set: served (resolved or not), silent (not resolved), ignored, …"""
        out, r = p.outcome, p.row
        self._end[r] = p.end
        self._outcome[r] = self._outcome_code(out)
        self._resolved[r] = bool(p.src.resolved[p.i]) if out == "served" else (False if out == "silent" else None)
        if self.messaging:
            self._silent[r] = p.gone_at
            self._resolution[r] = self._resolution_code(p.resolution)

    def resolved(self, p) -> None:
        self._resolved_at[p.row] = p.resolved_at

    def sent(self, p) -> None:
        """A customer message entered a queue (the post included)."""
        self._sent[p.row] = max(p.sent, 1)

    def message(self, p, leg: int, agent, start: float, end: float, ready: float, m: int, wasted: bool = False) -> None:
        """An agent's message is posted (or, ``wasted``, written for a customer who had left)."""
        r = p.row
        self._exchanges[r] = p.done
        self._work[r] = p.work_s
        if p.done == 1:
            self._first[r] = end - p.arrival  # the first response is this message's posting
        self.leg(p, leg, MESSAGE, agent, start, end, ready, m, "wasted" if wasted else None)

    def wasted(self, p) -> None:
        """A reply was written for a customer who had left silently."""
        self._wasted_n[p.row] = p.wasted
        self._wasted_s[p.row] = p.wasted_s

    def leg(self, p, leg: int, stage: str, agent, start: float, end: float, ready: float, m: int,
            result: str | None = None) -> None:
        """One ``messages`` row: visible publicly for the first agent message of a public post, and for everything
        after it unless the conversation moved to private messages (a timeout is never public)."""
        src, i = p.src, p.i
        public = bool(src.public[i]) and ((stage == MESSAGE and leg == 0) or not src.to_dm[i]) and stage != "timeout"
        self._message_row(p.id, leg, stage, p.queue, None if agent is None else agent.group.name,
                          -1 if agent is None else agent.id, start, end, ready, m, public,
                          result or ("open" if end != end else RESULTS[stage]))

    def close(self, posts, desks) -> None:
        """The horizon: posts with no outcome are open, messages in hand are open legs; the posts' block joins the
        contacts table (``join_block``); agent work on messages goes to ``book["work"]``."""
        for p in posts:
            if p.outcome is None:
                p.outcome = "open"
                self.ended(p)
        for d in desks.values():  # a message in hand at the horizon: an open leg
            p = d.working
            if p is not None:
                self.leg(p, 2 * p.done, MESSAGE, d.agent, d.work_start, math.nan, p.ready_at, d.work_m)
        join_block(self.book["contacts"], self.contacts)
        self.book["work"] = work_spans(self.messages, self.horizon, self.book.extras.get("work"))


def join_block(table: Table, block: Table) -> None:
    """``block``'s rows after ``table``'s, as arrays in the declared dtypes (``Table.extend_arrays``): a category
    column's codes remapped from the block's labels to the table's, the other columns converted once."""
    arrays = {}
    for name, c in block.columns.items():
        if c.dtype == "category":
            if c.categories is not None:  # a closed set: the block's codes are positions in it
                labels, codes = c.categories, block.data[name]
            else:
                v = block[name]
                labels, codes = v.categories, v.codes
            remap = np.array([table.code(name, lab) for lab in labels] + [-1], dtype=np.int64)
            v = remap[np.asarray(codes, dtype=np.int64)]  # code -1 (missing) takes the last entry
        elif c.dtype in ("boolean", "Int64"):  # the cells as written, missing ones None
            v = np.empty(len(block), dtype=object)
            v[:] = [None if x is None or x is pd.NA else x for x in block.data[name]]
        else:
            v = block[name]
        arrays[name] = v
    table.extend_arrays(len(block), **arrays)


def work_spans(msgs, horizon: float, old) -> dict:
    """Agent work on messages (finished, and in hand at the horizon: to the horizon), booked as busy time by clock
    time, after ``old`` spans (the funnel's)."""
    is_msg = np.asarray(msgs.data["stage"], dtype=np.int64) == msgs.code("stage", MESSAGE)
    start = np.asarray(msgs.data["start_at_s"], float)[is_msg]
    end = np.asarray(msgs.data["end_at_s"], float)[is_msg]
    label = lambda name: [None if v != v else v for v in np.asarray(msgs[name].astype(object))[is_msg].tolist()]
    old = old or {"start_at_s": np.empty(0), "end_at_s": np.empty(0), "queue": [], "agent_group": []}
    return {"start_at_s": np.concatenate([old["start_at_s"], start]),
            "end_at_s": np.concatenate([old["end_at_s"], np.where(np.isnan(end), horizon, end)]),
            "queue": list(old["queue"]) + label("queue"), "agent_group": list(old["agent_group"]) + label("agent_group")}
