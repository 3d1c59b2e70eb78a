"""The funnel's records: the ``funnel_calls`` table (one row per call of a funnel phone channel), the ``resolved``
contact column and the ``legs`` table (one row per stage of a call, ``sim.funnel.legs``).

``funnel_calls`` (key ``contact_id``; ``CALL_COLUMNS``): ``department`` (the issue's department), ``transfers``,
``misrouted`` (a menu choice sent the call to another department; NA when no menu choice routed it), ``zero_out``,
``origin`` (first, redial, repeat, callback), ``followed_by`` (what this attempt led to; NA: nothing),
``first_answer_at_s`` (first human), ``right_answer_at_s`` (first human of the right department). ``queue``,
``answer_at_s`` and ``wait_s`` of the contact row describe the call's last queue visit; earlier visits are in
``legs``. Contacts that are not funnel calls have the plain values (``plain_call_columns``): their queue as department,
no transfer, not zeroed out, a first attempt, first and right human at their answer.

``legs``: stages planned to start after the horizon are dropped; stages still running at the horizon have no end and
result ``open``.
"""
from __future__ import annotations

from itertools import repeat
from operator import attrgetter
from typing import Any

import numpy as np
import pandas as pd

from sim.core import Column
from sim.funnel.customers import FIRST, ORIGINS, Call
from sim.funnel.legs import STAGE

CALL_COLUMNS = (
    Column("contact_id", "int64", "", "the call (contacts.contact_id)", key=True),
    Column("department", "category", "", "the department of the caller's issue (a queue)"),
    Column("transfers", "int64", "count", "transfers between departments"),
    Column("misrouted", "boolean", "", "a menu choice sent the call to another department; NA: no menu routed it",
           sparse=True),
    Column("zero_out", "bool", "", "the caller pressed 0 to reach a person"),
    Column("origin", "category", "", "first, redial, repeat or callback (the return call)", categories=ORIGINS),
    Column("followed_by", "category", "", "the attempt this one led to; NA: none", sparse=True,
           categories=tuple(o for o in ORIGINS if o != FIRST)),
    Column("first_answer_at_s", "float64", "s since t=0", "first human answered; NaN: none", sparse=True),
    Column("right_answer_at_s", "float64", "s since t=0", "first human of the right department; NaN: none",
           sparse=True),
)
def add_records(model, funnels: list, book) -> None:
    """Fill ``resolved`` of the calls' contact rows, the ``funnel_calls`` rows, the wrap-up of each call's last
    service leg; book finished diagnoses as agent work spans ``book["work"]`` and earlier queue visits of transferred
    calls as ``book["waits"]`` (the contact row books the last visit and service)."""
    cs = model.contacts
    horizon = model.horizon
    contacts = book["contacts"]
    calls: list[Call] = []
    resolved, ivr_s, add = contacts.column("resolved"), contacts.column("ivr_s"), calls.append
    for i, c in enumerate(cs):
        if not isinstance(c, Call):
            continue
        add(c)
        outcome = c.outcome
        resolved[i] = (bool(c.resolved) and outcome == "served") or outcome == "self_served"
        if outcome == "open" and c.ivr > 0 and c.arrival + c.ivr > horizon:
            c.ivr = horizon - c.arrival  # still in the IVR: time so far
            ivr_s[i] = c.ivr
    n = len(calls)
    get = lambda attr: list(map(attrgetter(attr), calls))  # noqa: E731
    fc = book["funnel_calls"]
    misrouted = _flags(get("misrouted"))
    fc.extend_arrays(
        n, contact_id=np.array(get("id"), np.int64).reshape(n), department=_codes(fc, "department", get("department")),
        transfers=np.array(get("transfers"), np.int64).reshape(n), misrouted=misrouted,
        zero_out=np.array(get("zero_out"), bool).reshape(n), origin=_codes(fc, "origin", get("origin")),
        followed_by=_codes(fc, "followed_by", get("followed_by")),
        first_answer_at_s=np.fromiter(get("first_answer"), float, n),  # (None: NaN)
        right_answer_at_s=np.fromiter(get("right_answer"), float, n))

    for c in calls:  # the wrap-up after the last service belongs to that service's leg
        if c.service_leg is not None:
            c.behaviour.legs.wrap[c.service_leg] = c.wrap
    for store in {id(f.legs): f.legs for f in funnels}.values():  # the model's phone funnels share one
        store.flush()
    legs = book["legs"]
    legs.finish = lambda table: legs_columns(table, horizon)
    cid = legs.data["contact_id"]
    stage = legs.raw("stage")  # codes of the closed set STAGES
    start, end = legs.raw("start_at_s"), legs.raw("end_at_s")
    work = np.flatnonzero((stage == STAGE["diagnosis"]) & (end <= horizon))
    entry = {c.id: c.enqueued for c in calls}
    wait_entry = np.fromiter(map(entry.get, cid, repeat(-1.0)), float, len(cid))
    waits = np.flatnonzero(((stage == STAGE["queue"]) | (stage == STAGE["overflow"])) & (start < wait_entry)
                           & (start < horizon))
    queue, group = ((legs.raw(name), legs.labels(name)) for name in ("queue", "agent_group"))
    old = book.extras.get("work") or {"start_at_s": np.empty(0), "end_at_s": np.empty(0), "queue": [],
                                      "agent_group": []}
    book["work"] = {"start_at_s": np.concatenate([old["start_at_s"], start[work]]).astype(float),
                    "end_at_s": np.concatenate([old["end_at_s"], end[work]]).astype(float),
                    "queue": list(old["queue"]) + _labels_at(queue, work),
                    "agent_group": list(old["agent_group"]) + _labels_at(group, work)}
    book["waits"] = {"start_at_s": start[waits], "end_at_s": np.minimum(end[waits], horizon),
                     "queue": _labels_at(queue, waits)}


def _labels_at(column: tuple[np.ndarray, list], rows: np.ndarray) -> list:
    """A category column's labels at ``rows`` (NaN where missing), from its codes and labels (``Table.raw``,
    ``Table.labels``), without converting the column."""
    codes, labels = column
    return [labels[k] if k >= 0 else np.nan for k in codes[rows].tolist()]


def _flags(values: list) -> pd.arrays.BooleanArray:
    """A nullable flag column from True, False and None (missing)."""
    code = np.fromiter(map({None: 0, False: 1, True: 2}.__getitem__, values), np.int8, len(values))
    return pd.arrays.BooleanArray(code == 2, code == 0)


def _codes(table, name: str, labels: list) -> np.ndarray:
    """A category column's codes for ``labels`` (each label coded once)."""
    code = table.coder(name)
    codes = {v: code(v) for v in dict.fromkeys(labels)}
    return np.fromiter(map(codes.__getitem__, labels), np.int64, len(labels))


def legs_columns(table, horizon: float) -> dict[str, Any]:
    """The legs table's columns from the book's rows: stages planned after the horizon dropped, running ones open, rows
    in order of contact and start, legs numbered within their contact."""
    start, end, cid = table.raw("start_at_s"), table.raw("end_at_s"), table.raw("contact_id")
    rows = np.flatnonzero(start < horizon)
    rows = rows[_by_contact(cid[rows], start[rows])]
    cols = table.arrays([name for name in table.columns if name != "leg"], rows)
    end = cols["end_at_s"]
    running = np.isnan(end) | (end > horizon)
    cols["end_at_s"] = np.where(running, np.nan, end)
    result = cols["result"]
    cols["result"] = pd.Categorical.from_codes(np.where(running, table.code("result", "open"), result.codes),
                                               dtype=result.dtype)
    c = cid[rows]  # leg number within the contact (rows sorted by contact, then start)
    first = np.concatenate([[True], c[1:] != c[:-1]]) if len(c) else np.zeros(0, bool)
    idx = np.arange(len(c))
    leg = (idx - np.maximum.accumulate(np.where(first, idx, 0)) if len(c) else idx).astype(np.int64)
    return {name: leg if name == "leg" else cols[name] for name in table.columns}


def _by_contact(cid: np.ndarray, start: np.ndarray) -> np.ndarray:
    """The order of rows by contact, then start, then row (a contact's stages are written as they start: by contact
    only, checked)."""
    order = np.argsort(cid, kind="stable")
    c, s = cid[order], start[order]
    if ((c[1:] == c[:-1]) & (s[1:] < s[:-1])).any():
        return np.lexsort((start, cid))
    return order


def plain_call_columns(cols: dict, is_call: np.ndarray) -> None:
    """The funnel columns of a joined contact view being built (``sim.results.contact_view``: column name -> values,
    changed in place) with the plain values on rows that are not funnel calls (department = queue, no transfer, not
    zeroed out, a first attempt, first and right human at the answer). ``department`` becomes text."""
    other = ~is_call
    dept = np.asarray(cols["department"], dtype=object)
    if not other.any():
        cols["department"] = pd.Series(dept, index=cols["queue"].index, dtype=object)
        return
    dept = dept.copy()
    dept[other] = np.asarray(cols["queue"], dtype=object)[other]
    cols["department"] = dept
    cols["transfers"][other] = 0
    cols["zero_out"][other] = False
    cols["origin"][other] = FIRST
    ans = np.asarray(cols["answer_at_s"], dtype=float)
    for col in ("first_answer_at_s", "right_answer_at_s"):
        x = np.asarray(cols[col], dtype=float).copy()
        x[other] = ans[other]
        cols[col] = x
