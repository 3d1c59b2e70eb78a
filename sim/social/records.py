"""Records of the asynchronous channels, appended as the run goes (``ThreadBook``): a post's row of the kernel's
``contacts`` table and its ``social_threads`` row when it reaches the brand, one ``messages`` row per message when it
ends; cells that change later (answered, ended, outcome, exchanges, work) are set in place (``sim.core.Table.set``).
Category labels become integer codes once, when they are written. A post's ``contacts`` rows follow the kernel's: they
are appended to a block of the same columns during the run and join the kernel's rows when the run ends
(``ThreadBook.close``), so the table's row order is kernel contacts, then posts in the order they arrived.

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
    ``Messaging`` call it where a post's state changes)."""

    def __init__(self, book, horizon: float, messaging: bool):
        self.book, self.horizon, self.messaging = book, horizon, messaging  # messaging: the thread_records columns
        # the posts' block (see above): the kernel's contact columns, and another feature's when it adds them
        self.contacts = Table("contacts", book["contacts"].key, CONTACT_COLUMNS)
        self.threads = book["social_threads"]
        self.messages = book["messages"]
        self._cum: dict[int, np.ndarray] = {}  # factory -> cumulative base message work (leading 0)
        self.row_values: Callable[[Any], dict] | None = None  # post -> another feature's cells of its contacts row

    def add_contact_columns(self, columns, values: Callable[[Any], dict]) -> None:
        """Another feature's ``contacts`` columns (``sim.reputation``: what caused a post): declared on the posts'
        block, each post's cells given by ``values(post)`` when its row is appended."""
        self.contacts.declare(*columns)
        self.row_values = values

    def drawn(self, p) -> float:
        """The drawn work of all the post's planned messages (before any slowdown)."""
        src = p.src
        cum = self._cum.get(id(src))
        if cum is None:
            cum = self._cum[id(src)] = np.concatenate([[0.0], np.cumsum(src.msgs)])
        return float(cum[p.msgs + p.n_ex] - cum[p.msgs])

    def admit(self, p) -> None:
        """A post reached the brand (not deflected): its contact row and its thread row."""
        src, i = p.src, p.i
        drawn = self.drawn(p)
        reach = src.reach[i]
        row = dict(contact_id=p.id, customer_id=p.id, attempt=1, channel=src.name, queue=src.queue, priority=0,
                   arrival_at_s=p.arrival, queue_entry_at_s=p.enqueued, answer_at_s=math.nan, end_at_s=math.nan,
                   handle_draw_s=drawn, ivr_s=0.0, wrap_up_s=0.0, agent_id=-1)
        if self.row_values is not None:
            row.update(self.row_values(p))
        p.row = self.contacts.append(**row)
        own = {"wasted_replies": 0, "wasted_work_s": 0.0, "silent_at_s": math.nan, "customer_messages": 1} \
            if self.messaging else {}
        self.threads.append(
            **own, contact_id=p.id, kind=src.kind[i], reach=0.0 if reach != reach else reach, public=src.public[i],
            to_dm=src.to_dm[i], exchanges=0, exchanges_planned=p.n_ex, first_response_s=math.nan,
            resolved_at_s=math.nan, work_s=0.0, base_work_s=drawn)

    def queued(self, p) -> None:
        self.contacts.set(p.row, queue_entry_at_s=p.enqueued)

    def assigned(self, p) -> None:
        """An agent opened the post."""
        self.contacts.set(p.row, answer_at_s=p.assigned, agent_group=p.agent.group.name, agent_id=p.agent.id)

    def ended(self, p) -> None:
        """The post's outcome (and end) were set: served (resolved or not), silent (not resolved), ignored, …"""
        out = p.outcome
        resolved = bool(p.src.resolved[p.i]) if out == "served" else (False if out == "silent" else None)
        self.contacts.set(p.row, end_at_s=p.end, outcome=out, resolved=resolved)
        if self.messaging:
            self.threads.set(p.row, silent_at_s=p.gone_at, resolution=p.resolution)

    def resolved(self, p) -> None:
        self.threads.set(p.row, resolved_at_s=p.resolved_at)

    def sent(self, p) -> None:
        """A customer message entered a queue (the post included)."""
        self.threads.set(p.row, customer_messages=max(p.sent, 1))

    def message(self, p, leg: int, agent, start: float, end: float, ready: float, m: int, wasted: bool = False) -> None:
        """An agent's message is posted (or, ``wasted``, written for a customer who had left)."""
        vals = {"exchanges": p.done, "work_s": p.work_s}
        if p.done == 1:
            vals["first_response_s"] = end - p.arrival  # the first response is this message's posting
        self.threads.set(p.row, **vals)
        self.leg(p, leg, MESSAGE, agent, start, end, ready, m, "wasted" if wasted else None)

    def wasted(self, p) -> None:
        """A reply was written for a customer who had left silently."""
        self.threads.set(p.row, wasted_replies=p.wasted, wasted_work_s=p.wasted_s)

    def leg(self, p, leg: int, stage: str, agent, start: float, end: float, ready: float, m: int,
            result: str | None = None) -> None:
        """One ``messages`` row: visible publicly for the first agent message of a public post, and for everything
        after it unless the conversation moved to private messages (a timeout is never public)."""
        src, i = p.src, p.i
        public = bool(src.public[i]) and ((stage == MESSAGE and leg == 0) or not src.to_dm[i]) and stage != "timeout"
        self.messages.append(
            contact_id=p.id, leg=leg, stage=stage, queue=p.queue, agent_group=None if agent is None else agent.group.name,
            agent_id=-1 if agent is None else agent.id, start_at_s=start, end_at_s=end, ready_at_s=ready,
            open_conversations=m, public=public, result=result or ("open" if end != end else RESULTS[stage]))

    def close(self, posts, desks) -> None:
        """The horizon: posts with no outcome are open, messages in hand are open legs; the posts' block joins the
        contacts table; agent work on messages goes to ``book["work"]``."""
        for p in posts:
            if p.outcome is None:
                p.outcome = "open"
                self.ended(p)
        for d in desks.values():  # a message in hand at the horizon: an open leg
            p = d.working
            if p is not None:
                self.leg(p, 2 * p.done, MESSAGE, d.agent, d.work_start, math.nan, p.ready_at, d.work_m)
        block = self.contacts
        self.book["contacts"].extend(len(block), **{name: block[name] for name in block.columns})
        self.book["work"] = work_spans(self.messages, self.horizon, self.book.extras.get("work"))


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
