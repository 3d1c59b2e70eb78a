"""Records of the asynchronous channels: post rows appended to the kernel's ``contacts`` table, their
``social_threads`` rows and one ``messages`` row per message (``sim.core.records``).

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

from operator import attrgetter

import numpy as np

from sim.core import Column
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


def post_records(conv, book) -> None:
    """Append the posts to the book's ``contacts`` and ``social_threads``, their messages to ``messages`` and agent work
    spans to ``book["work"]``."""
    posts = conv.posts
    n = len(posts)
    horizon = conv.model.horizon
    for p in posts:
        if p.outcome is None:
            p.outcome = "open"
    get = lambda name: list(map(attrgetter(name), posts))
    facs = list(conv.factories.values())
    fcode = {id(f): k for k, f in enumerate(facs)}
    fi = np.array([fcode[id(p.src)] for p in posts], dtype=np.int64)
    ii = np.array(get("i"), dtype=np.int64)

    def static(attr: str, dtype) -> np.ndarray:
        """A per-post attribute kept in the factories' lists (what the customer will do)."""
        out_ = np.empty(n, dtype=dtype)
        for k, f in enumerate(facs):
            sel = fi == k
            if sel.any():
                out_[sel] = np.asarray(getattr(f, attr), dtype=dtype)[ii[sel]]
        return out_

    arrival = np.array(get("arrival"), float)
    ids = np.array(get("id"), dtype=np.int64)
    agents = get("agent")
    outcome = get("outcome")
    out_arr = np.array(outcome, dtype=object)
    msg_at, n_ex = static("msg_at", np.int64), np.array(get("n_ex"), dtype=np.int64)
    drawn = np.zeros(n)
    for k, f in enumerate(facs):
        sel = fi == k
        if sel.any():
            cum = np.concatenate([[0.0], np.cumsum(f.msgs)])
            drawn[sel] = cum[msg_at[sel] + n_ex[sel]] - cum[msg_at[sel]]
    served, silent = out_arr == "served", out_arr == "silent"
    resolved = np.where(served, static("resolved", bool), None)
    resolved[silent] = False
    public = static("public", bool)
    to_dm = static("to_dm", bool)
    reach = np.nan_to_num(static("reach", float), nan=0.0)  # a channel without reach (email): read by the brand only
    book["contacts"].extend(n, **{
        "contact_id": ids,
        "customer_id": ids.copy(),
        "attempt": np.ones(n, dtype=np.int64),
        "channel": np.array([f.name for f in facs], dtype=object)[fi].tolist(),
        "queue": np.array([f.queue for f in facs], dtype=object)[fi].tolist(),
        "priority": np.zeros(n, dtype=np.int64),
        "arrival_at_s": arrival,
        "queue_entry_at_s": np.array(get("enqueued"), float),
        "answer_at_s": np.array(get("assigned"), float),
        "end_at_s": np.array(get("end"), float),
        "handle_draw_s": drawn,  # (dropped from the contacts table: see social_threads.base_work_s)
        "ivr_s": np.zeros(n),
        "wrap_up_s": np.zeros(n),
        "outcome": outcome,
        "agent_group": [a.group.name if a is not None else None for a in agents],
        "agent_id": np.array([a.id if a is not None else -1 for a in agents], dtype=np.int64),
        "resolved": resolved.tolist(),
    })
    kinds = np.asarray(POST_KINDS, dtype=object)
    threads = book["social_threads"]
    own = {"wasted_replies": np.zeros(n, np.int64), "wasted_work_s": np.zeros(n)} if "wasted_replies" in threads else {}
    threads.extend(
        n, **own, contact_id=ids, kind=kinds[static("kind_code", np.int8)].tolist(), reach=reach, public=public,
        to_dm=to_dm, exchanges=np.array(get("done"), dtype=np.int64), exchanges_planned=n_ex,
        first_response_s=np.array(get("first_response"), float) - arrival,
        resolved_at_s=np.array(get("resolved_at"), float), work_s=np.array(get("work_s"), float), base_work_s=drawn)

    lp, leg, stage, la, start, end, ready, m = (list(x) for x in conv.legs)
    for d in conv.desks.values():  # a message in hand at the horizon: an open leg
        if d.working is not None:
            for col, v in zip((lp, leg, stage, la, start, end, ready, m),
                              (d.working, 2 * d.working.done, MESSAGE, d.agent, d.work_start, np.nan,
                               d.working.ready_at, d.work_m)):
                col.append(v)
    group = [a.group.name if a is not None else None for a in la]
    queue = [p.queue for p in lp]
    end = np.array(end, float)
    leg = np.array(leg, dtype=np.int64)
    pos = {id(p): k for k, p in enumerate(posts)}
    row = np.array([pos[id(p)] for p in lp], dtype=np.int64)
    is_msg = np.array([s_ == MESSAGE for s_ in stage], bool)
    # public: the first agent message of a public post, and everything after it unless it moved to DM
    vis = public[row] & ((is_msg & (leg == 0)) | ~to_dm[row]) & (np.array(stage, dtype=object) != "timeout")
    start = np.array(start, float)
    book["messages"].extend(
        len(stage), contact_id=ids[row], leg=leg, stage=stage, queue=queue, agent_group=group,
        agent_id=[a.id if a is not None else -1 for a in la], start_at_s=start, end_at_s=end,
        ready_at_s=np.array(ready, float), open_conversations=np.array(m, dtype=np.int64), public=vis,
        result=["open" if e != e else RESULTS[k] for k, e in zip(stage, end.tolist())])

    # Agent work on messages (finished, and in hand at the horizon), booked as busy time by clock time.
    old = book.extras.get("work") or {"start_at_s": np.empty(0), "end_at_s": np.empty(0), "queue": [],
                                      "agent_group": []}
    book["work"] = {
        "start_at_s": np.concatenate([old["start_at_s"], start[is_msg]]),
        "end_at_s": np.concatenate([old["end_at_s"], np.where(np.isnan(end), horizon, end)[is_msg]]),
        "queue": list(old["queue"]) + [q for q, x in zip(queue, is_msg) if x],
        "agent_group": list(old["agent_group"]) + [g for g, x in zip(group, is_msg) if x],
    }
