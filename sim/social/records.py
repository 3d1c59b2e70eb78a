"""Raw records of the asynchronous channels: post rows appended to the engine's contact columns, one leg per message.

Contact columns added (null on phone rows): ``kind`` (complaint, question, praise), ``reach`` (the author's followers;
null for email), ``public`` (posted publicly rather than as a direct message), ``to_dm`` (moved to private messages after
the first reply), ``exchanges`` (agent messages posted), ``exchanges_planned``, ``first_response_s`` (arrival to the
first agent message posted), ``resolved_at_s``, ``resolved`` (served conversations: resolved or not; silent: false),
``work_s`` (agent work on the conversation so far, slowdown included), ``base_work_s`` (the drawn work of all its planned
messages before any slowdown). For posts ``answer_at_s`` is when an agent opened the
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
    resolved = pd.array(static("resolved", bool), dtype="boolean")
    resolved[~served] = pd.NA
    resolved[silent] = False
    public = static("public", bool)
    to_dm = static("to_dm", bool)
    rows = {
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
        "handle_draw_s": drawn,  # (dropped from the contacts table: see base_work_s)
        "ivr_s": np.zeros(n),
        "wrap_up_s": np.zeros(n),
        "outcome": outcome,
        "agent_group": [a.group.name if a is not None else None for a in agents],
        "agent_id": np.array([a.id if a is not None else -1 for a in agents], dtype=np.int64),
        "kind": pd.Categorical.from_codes(static("kind_code", np.int8), categories=list(POST_KINDS)),
        "reach": static("reach", float),
        "public": pd.array(public, dtype="boolean"),
        "to_dm": pd.array(to_dm, dtype="boolean"),
        "exchanges": pd.array(np.array(get("done"), dtype=np.int64), dtype="Int64"),
        "exchanges_planned": pd.array(n_ex, dtype="Int64"),
        "first_response_s": np.array(get("first_response"), float) - arrival,
        "resolved_at_s": np.array(get("resolved_at"), float),
        "resolved": resolved,
        "work_s": np.array(get("work_s"), float),
        "base_work_s": drawn,
    }
    base = out["contacts"]
    out["contacts"] = extend_columns(base, rows, len(base["contact_id"]), n)

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
    frame = pd.DataFrame({
        "contact_id": rows["contact_id"][row],
        "leg": leg,
        "stage": stage,
        "queue": queue,
        "agent_group": group,
        "agent_id": np.array([a.id if a is not None else -1 for a in la], dtype=np.int64),
        "start_at_s": np.array(start, float),
        "end_at_s": end,
        "ready_at_s": np.array(ready, float),
        "open_conversations": np.array(m, dtype=np.int64),
        "public": vis,
        "result": np.where(np.isnan(end), "open", [RESULTS[k] for k in stage]) if len(stage) else [],
    }, columns=list(LEG_COLUMNS))
    if out.get("legs") is not None:
        frame = pd.concat([out["legs"], frame], ignore_index=True)
    out["legs"] = frame

    # Agent work on messages (finished, and in hand at the horizon), booked as busy time by clock time.
    old = out.get("work") or {"start_at_s": np.empty(0), "end_at_s": np.empty(0), "queue": [], "agent_group": []}
    out["work"] = {
        "start_at_s": np.concatenate([old["start_at_s"], frame["start_at_s"].to_numpy()[is_msg]]),
        "end_at_s": np.concatenate([old["end_at_s"], np.where(np.isnan(end), horizon, end)[is_msg]]),
        "queue": list(old["queue"]) + [q for q, x in zip(queue, is_msg) if x],
        "agent_group": list(old["agent_group"]) + [g for g, x in zip(group, is_msg) if x],
    }
