"""Raw records of the asynchronous channels: post rows appended to the engine's contact columns, one leg per message.

Contact columns added (null on phone rows): ``kind`` (complaint, question, praise), ``reach`` (the author's followers;
null for email), ``public`` (posted publicly rather than as a direct message), ``to_dm`` (moved to private messages after
the first reply), ``exchanges`` (agent messages posted), ``exchanges_planned``, ``first_response_s`` (arrival to the
first agent message posted), ``resolved_at_s``, ``resolved`` (served conversations: resolved or not; silent: false),
``work_s`` (agent work on the conversation, slowdown included). For posts ``answer_at_s`` is when an agent opened the
conversation, so ``wait_s`` is the wait in the inbox; ``end_at_s`` is when it was closed.

``legs`` (the columns the phone funnel's legs share: ``contact_id, leg, stage, queue, agent_group, agent_id,
start_at_s, end_at_s, result``): one row per message — stage ``message`` (an agent wrote it: ``start_at_s``/``end_at_s``
bound the work, ``ready_at_s`` is when it became due, ``open_conversations`` the agent's load when the work started;
still in hand at the horizon: no end, result ``open``), ``reply`` (the customer's think time: from the agent's message
to the reply) or ``timeout`` (from the last agent message to the agent closing a quiet conversation). ``public``: the
message was visible publicly.
"""
from __future__ import annotations

from operator import attrgetter

import numpy as np
import pandas as pd

from sim.social.spec import POST_KINDS

LEG_COLUMNS = ("contact_id", "leg", "stage", "queue", "agent_group", "agent_id", "start_at_s", "end_at_s", "ready_at_s",
               "open_conversations", "public", "result")
MESSAGE = "message"
RESULTS = {"message": "posted", "reply": "replied", "timeout": "silent"}


def _null_like(values, n: int, key: str):
    """n missing values of the same type as ``values`` (numbers NaN, ids −1, other integers 0, flags False)."""
    if isinstance(values, list):
        return [None] * n
    if isinstance(values, (pd.Categorical, pd.api.extensions.ExtensionArray)):
        return pd.array([None] * n, dtype=values.dtype)
    values = np.asarray(values)
    if values.dtype.kind == "f":
        return np.full(n, np.nan)
    if values.dtype.kind in "iu":
        return np.full(n, -1 if key.endswith("_id") else 0, dtype=values.dtype)
    if values.dtype.kind == "b":
        return np.zeros(n, bool)
    return np.full(n, None, dtype=object)


def _concat(a, b):
    if isinstance(a, list):
        return a + list(b)
    if isinstance(a, (pd.Categorical, pd.api.extensions.ExtensionArray)):
        return pd.concat([pd.Series(a), pd.Series(b, dtype=a.dtype)], ignore_index=True).array
    return np.concatenate([np.asarray(a), np.asarray(b, dtype=np.asarray(a).dtype)])


def extend_columns(base: dict, extra: dict, n_base: int, n_extra: int) -> dict:
    """Rows of ``extra`` appended to the columns of ``base``; a column missing on one side is filled with nulls."""
    out = {}
    for key in [*base, *(k for k in extra if k not in base)]:
        b, e = base.get(key), extra.get(key)
        if b is None:
            b = _null_like(e, n_base, key)
        if e is None:
            e = _null_like(b, n_extra, key)
        out[key] = _concat(b, e)
    return out


def post_records(conv, out: dict) -> None:
    """Add the posts to ``out["contacts"]``, their legs to ``out["legs"]`` and agent work spans as ``out["work"]``."""
    posts = conv.posts
    n = len(posts)
    horizon = conv.model.horizon
    for p in posts:
        if p.outcome is None:
            p.outcome = "open"
    names = ("id", "channel", "queue", "arrival", "enqueued", "assigned", "end", "outcome", "kind", "reach", "public",
             "to_dm", "done", "n_ex", "first_response", "resolved_at", "resolved", "work_s", "agent")
    cols = {k: list(map(attrgetter(k), posts)) for k in names}
    f = lambda k: np.array(cols[k], float)  # noqa: E731
    arrival = f("arrival")
    agents = cols["agent"]
    outcome = list(cols["outcome"])
    resolved = [r if o == "served" else (False if o == "silent" else None) for r, o in zip(cols["resolved"], outcome)]
    rows = {
        "contact_id": np.array(cols["id"], dtype=np.int64),
        "customer_id": np.array(cols["id"], dtype=np.int64),
        "attempt": np.ones(n, dtype=np.int64),
        "channel": list(cols["channel"]),
        "queue": list(cols["queue"]),
        "priority": np.zeros(n, dtype=np.int64),
        "arrival_at_s": arrival,
        "queue_entry_at_s": f("enqueued"),
        "answer_at_s": f("assigned"),
        "end_at_s": f("end"),
        "handle_draw_s": np.array([p.src.drawn_work(p) for p in posts], float),
        "ivr_s": np.zeros(n),
        "wrap_up_s": np.zeros(n),
        "outcome": outcome,
        "agent_group": [a.group.name if a is not None else None for a in agents],
        "agent_id": np.array([a.id if a is not None else -1 for a in agents], dtype=np.int64),
        "kind": pd.Categorical(list(cols["kind"]), categories=POST_KINDS),
        "reach": f("reach"),
        "public": pd.array(list(cols["public"]), dtype="boolean"),
        "to_dm": pd.array(list(cols["to_dm"]), dtype="boolean"),
        "exchanges": pd.array(list(cols["done"]), dtype="Int64"),
        "exchanges_planned": pd.array(list(cols["n_ex"]), dtype="Int64"),
        "first_response_s": f("first_response") - arrival,
        "resolved_at_s": f("resolved_at"),
        "resolved": pd.array(resolved, dtype="boolean"),
        "work_s": f("work_s"),
    }
    base = out["contacts"]
    out["contacts"] = extend_columns(base, rows, len(base["contact_id"]), n)

    legs = conv.legs
    busy = [d for d in conv.desks.values() if d.working is not None]  # a message in hand at the horizon: open leg
    legs = legs + [(d.working, 2 * d.working.done, MESSAGE, d.agent, d.work_start, np.nan, d.working.ready_at,
                    d.work_m, d.working.message_public(d.working.done + 1)) for d in busy]
    column = lambda i: [x[i] for x in legs]  # noqa: E731  (no zip(*legs): it wakes the garbage collector)
    lp, la, stage = column(0), column(3), column(2)
    group = [a.group.name if a is not None else None for a in la]
    queue = [p.queue for p in lp]
    end = np.array(column(5), float)
    frame = pd.DataFrame({
        "contact_id": np.array([p.id for p in lp], dtype=np.int64),
        "leg": np.array(column(1), dtype=np.int64),
        "stage": stage,
        "queue": queue,
        "agent_group": group,
        "agent_id": np.array([a.id if a is not None else -1 for a in la], dtype=np.int64),
        "start_at_s": np.array(column(4), float),
        "end_at_s": end,
        "ready_at_s": np.array(column(6), float),
        "open_conversations": np.array(column(7), dtype=np.int64),
        "public": np.array(column(8), bool),
        "result": [RESULTS[k] for k in stage],
    }, columns=list(LEG_COLUMNS))
    frame.loc[np.isnan(end), "result"] = "open"
    if out.get("legs") is not None:
        frame = pd.concat([out["legs"], frame], ignore_index=True)
    out["legs"] = frame

    # Agent work on messages (finished, and in hand at the horizon), booked as busy time by clock time.
    msg = np.array([k == MESSAGE for k in stage], bool)
    old = out.get("work") or {"start_at_s": np.empty(0), "end_at_s": np.empty(0), "queue": [], "agent_group": []}
    out["work"] = {
        "start_at_s": np.concatenate([old["start_at_s"], frame["start_at_s"].to_numpy()[msg]]),
        "end_at_s": np.concatenate([old["end_at_s"], np.where(np.isnan(end), horizon, end)[msg]]),
        "queue": list(old["queue"]) + [q for q, x in zip(queue, msg) if x],
        "agent_group": list(old["agent_group"]) + [g for g, x in zip(group, msg) if x],
    }
