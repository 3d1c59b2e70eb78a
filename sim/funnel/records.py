"""The funnel's raw records: its contact columns and the ``legs`` table (one row per stage of a contact).

Contact columns (every contact; contacts of channels without a funnel get the plain values): ``department`` (the issue's
department), ``transfers``, ``resolved`` (the outcome stays ``served``), ``misrouted`` (a menu choice sent the call to
another department; NA when no menu choice routed it), ``zero_out``, ``origin`` (first, redial, repeat, callback),
``followed_by`` (what this attempt led to), ``first_answer_at_s`` (first human), ``right_answer_at_s`` (first human of
the right department). ``queue``, ``answer_at_s`` and ``wait_s`` describe the contact's last queue visit; earlier
visits are in ``legs``.

Legs: ``contact_id, leg, stage, name, queue, agent_group, agent_id, start_at_s, end_at_s, wrap_up_s, result`` where
stage is greeting, menu, self_service, ivr (a flat ``ivr_time``), queue, overflow (the same wait once other groups may
take it), callback_queue (a return call waiting), diagnosis or service. Stages still running at the horizon have no end
and result ``open``; stages planned to start after it are dropped.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.funnel.customers import FIRST, ORIGINS, Call
from sim.funnel.legs import STAGES, LegBook


def add_records(model, funnels: list, out: dict) -> None:
    """Add the funnel columns to ``out["contacts"]`` (rows other models appended after the engine's contacts get the
    plain values), the legs to ``out["legs"]``, finished diagnoses to the agent work spans ``out["work"]`` and earlier
    queue visits of transferred calls to ``out["waits"]`` (the contact row books the last visit and service)."""
    cs = model.contacts
    horizon = model.horizon
    cols = out["contacts"]
    n, n_all = len(cs), len(cols["contact_id"])
    dept, transfers, resolved, misrouted, zero, origin, follow, first, right = ([None] * n_all for _ in range(9))
    nan = math.nan
    entry = {}
    for i, c in enumerate(cs):
        if not isinstance(c, Call):
            dept[i], transfers[i], resolved[i] = c.queue, 0, c.outcome == "served"
            zero[i], origin[i] = False, FIRST
            first[i] = right[i] = c.answer
            continue
        entry[c.id] = c.enqueued
        dept[i], transfers[i] = c.department, c.transfers
        resolved[i] = (bool(c.resolved) and c.outcome == "served") or c.outcome == "self_served"
        misrouted[i], zero[i], origin[i], follow[i] = c.misrouted, c.zero_out, c.origin, c.followed_by
        first[i], right[i] = c.first_answer, c.right_answer
        if c.outcome == "open" and c.ivr > 0 and c.arrival + c.ivr > horizon:
            c.ivr = horizon - c.arrival  # still in the IVR: time so far
            cols["ivr_s"][i] = c.ivr
    cols["department"] = dept
    cols["transfers"] = pd.array(transfers, dtype="Int64")
    if "resolved" in cols:  # another model's rows already have theirs
        res = pd.array(cols["resolved"], dtype="boolean")
        res[:n] = pd.array(resolved[:n], dtype="boolean")
        cols["resolved"] = res
    else:
        cols["resolved"] = pd.array(resolved, dtype="boolean")
    cols["misrouted"] = pd.array(misrouted, dtype="boolean")
    cols["zero_out"] = pd.array(zero, dtype="boolean")
    cols["origin"] = pd.Categorical(origin, categories=list(ORIGINS))
    cols["followed_by"] = pd.Categorical(follow, categories=[o for o in ORIGINS if o != FIRST])
    cols["first_answer_at_s"] = np.array([nan if v is None else v for v in first], dtype=float)
    cols["right_answer_at_s"] = np.array([nan if v is None else v for v in right], dtype=float)

    books = [f.legs for f in funnels]
    col = lambda name: [x for b in books for x in getattr(b, name)]
    cols_l = {k: col(k) for k in LegBook.__slots__}
    for c in cs:  # the wrap-up after the last service belongs to that service's leg
        if isinstance(c, Call) and c.service_leg is not None:
            c.behaviour.legs.wrap[c.service_leg] = c.wrap
    cols_l["wrap"] = col("wrap")
    legs = legs_frame(cols_l, horizon)
    out["legs"] = legs if out.get("legs") is None else pd.concat([out["legs"], legs], ignore_index=True)
    stage, start, end = cols_l["stage"], cols_l["start"], cols_l["end"]
    qs, gs, cid = cols_l["queue"], cols_l["group"], cols_l["cid"]
    work = [(start[i], end[i], qs[i], gs[i]) for i in range(len(stage))
            if stage[i] == "diagnosis" and end[i] <= horizon]
    waits = [(start[i], end[i] if end[i] <= horizon else horizon, qs[i]) for i in range(len(stage))
             if (stage[i] == "queue" or stage[i] == "overflow") and start[i] < entry.get(cid[i], -1.0)
             and start[i] < horizon]
    old = out.get("work") or {"start_at_s": np.empty(0), "end_at_s": np.empty(0), "queue": [], "agent_group": []}
    out["work"] = {"start_at_s": np.concatenate([old["start_at_s"], [w[0] for w in work]]).astype(float),
                   "end_at_s": np.concatenate([old["end_at_s"], [w[1] for w in work]]).astype(float),
                   "queue": list(old["queue"]) + [w[2] for w in work],
                   "agent_group": list(old["agent_group"]) + [w[3] for w in work]}
    out["waits"] = {"start_at_s": np.array([w[0] for w in waits], float),
                    "end_at_s": np.array([w[1] for w in waits], float), "queue": [w[2] for w in waits]}


def legs_frame(cols: dict, horizon: float) -> pd.DataFrame:
    """The legs table from a LegBook's columns: stages planned after the horizon dropped, running ones open."""
    start = np.array(cols["start"], dtype=float)
    keep = start < horizon
    end = np.array(cols["end"], dtype=float)[keep]
    running = np.isnan(end) | (end > horizon)
    arr = lambda k, dt=object: np.array(cols[k], dtype=dt)[keep]
    result = arr("result")
    result[running] = "open"
    cid = arr("cid", np.int64)
    start = start[keep]
    order = np.lexsort((np.arange(len(cid)), start, cid))
    df = pd.DataFrame({
        "contact_id": cid, "leg": np.zeros(len(cid), np.int64),
        "stage": pd.Categorical(arr("stage"), categories=list(STAGES)),
        "name": pd.Categorical(arr("name")), "queue": pd.Categorical(arr("queue")),
        "agent_group": pd.Categorical(arr("group")), "agent_id": arr("agent", np.int64), "start_at_s": start,
        "end_at_s": np.where(running, np.nan, end), "wrap_up_s": arr("wrap", float), "result": pd.Categorical(result),
    }).iloc[order].reset_index(drop=True)
    c = df["contact_id"].to_numpy()  # leg number within the contact (rows sorted by contact, then start)
    first = np.concatenate([[True], c[1:] != c[:-1]]) if len(c) else np.zeros(0, bool)
    idx = np.arange(len(c))
    df["leg"] = idx - np.maximum.accumulate(np.where(first, idx, 0)) if len(c) else idx
    return df
