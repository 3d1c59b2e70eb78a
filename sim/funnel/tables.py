"""The funnel's interval columns: counts and sums by (queue, arrival interval), summed per replication by
``sim.metrics.replication_metrics``, whose ``FUNNEL_RATIOS`` turn them into the funnel metrics with CIs.

Which calls count where:

- The planners' queue columns (``offered``, ``answered``, ``sl_*``, ``asa_s`` …) count calls that reached a queue:
  busy signals, IVR hang-ups and self-served calls never did, and return calls of callbacks are not live callers
  (they have their own columns). A call's queue columns describe its last queue visit.
- ``attempts`` are inbound attempts (first dials, redials, repeat calls); ``customers`` are first dials. A customer's
  own numbers (lost, resolved, effort) are booked to the interval and queue of their first dial.
- Time to first human: first dial or redial to the first agent (a diagnosis counts); to the right human: to the first
  agent of the issue's department. ``transfers_per_call`` and ``fcr`` count every call an agent reached.
- ``unique_abandon_rate``: customers whose last attempt was a busy signal, an IVR hang-up or an abandonment, with no
  redial still to come. ``customer_effort_s``: first dial to the end of the attempt that resolved the issue (redial
  delays included). ``line_time_per_customer_s``: time on the line over all attempts (return calls from answer).
- Per priority class (when a channel has several): ``…_p{class}_count`` / ``_sum`` columns (``pm1`` for class −1).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from sim.intervals import IntervalContext, IntervalPart
from sim.metrics import by_label, funnel_ratios, label_in, label_test

PRE_QUEUE = ("blocked", "abandoned_ivr", "self_served")
FAILED = ("blocked", "abandoned", "abandoned_ivr")


def queue_view(c: pd.DataFrame) -> pd.DataFrame:
    """The contacts the planners' queue columns count (``c`` itself when no channel has a funnel)."""
    if "origin" not in c:
        return c
    keep = ~_is(c["outcome"])(*PRE_QUEUE) & ~_is(c["origin"])("callback")
    return c[keep]


def class_suffix(k: int) -> str:
    return f"p{k}" if k >= 0 else f"pm{-k}"


def _is(s: pd.Series) -> Callable[..., np.ndarray]:
    """``test(*labels)``: whether each row of label column ``s`` is one of ``labels`` (missing: False), looked up by
    the category codes."""
    arr = s.array
    if not isinstance(arr, pd.Categorical):
        return label_test(s)
    codes, where = arr.codes, {c: i for i, c in enumerate(arr.categories.tolist())}

    def test(*labels: Any) -> np.ndarray:
        hit = np.zeros(len(where) + 1, bool)  # the last entry: code −1, missing
        hit[[where[x] for x in labels if x in where]] = True
        return hit[codes]
    return test


def _calls(c: pd.DataFrame) -> dict[str, np.ndarray]:
    """The columns of the arriving contacts the funnel's numbers read, as arrays (flags: missing is False; labels as
    flags of the outcomes and origins counted)."""
    out, origin = _is(c["outcome"]), _is(c["origin"])
    flag = lambda name: c[name].to_numpy(dtype=bool, na_value=False)  # noqa: E731
    number = lambda name: c[name].to_numpy(dtype=float)  # noqa: E731
    return {"arrival": number("arrival_at_s"), "answer": number("answer_at_s"), "wait": number("wait_s"),
            "end": number("end_at_s"), "ivr": number("ivr_s"), "first": number("first_answer_at_s"),
            "right": number("right_answer_at_s"), "transfers": c["transfers"].to_numpy(dtype=float, na_value=0),
            "resolved": flag("resolved"), "zero_out": flag("zero_out"), "misrouted": flag("misrouted"),
            "routed": ~c["misrouted"].isna().to_numpy(), "priority": c["priority"].to_numpy(),
            "customer": c["customer_id"].to_numpy(), "attempt": c["attempt"].to_numpy(),
            "blocked": out("blocked"), "pre_queue": out(*PRE_QUEUE), "failed": out(*FAILED),
            "served": out("served"), "self_served": out("self_served"), "abandoned": out("abandoned"),
            "abandoned_ivr": out("abandoned_ivr"), "callback_offered": out("callback"),
            "redialed": _is(c["followed_by"])("redial"), "callback": origin("callback"), "first_dial": origin("first"),
            "redial": origin("redial"), "repeat": origin("repeat")}


def funnel_columns(scenario, c: pd.DataFrame, edges: np.ndarray, qindex: dict, n_int: int) -> dict[str, np.ndarray]:
    """Interval columns of the funnel from the contacts arriving after the warm-up (all channels)."""
    from sim.funnel.spec import funnel_spec

    horizon = scenario.run.horizon_s
    funnels = {ch.name: funnel_spec(ch) for ch in scenario.channels.values()}
    funnels = {k: v for k, v in funnels.items() if v is not None}
    fun = label_in(c["channel"], funnels)
    a = _calls(c)
    k = np.searchsorted(edges, a["arrival"], side="right") - 1
    key = by_label(c["queue"], qindex, -1, np.int64) * n_int + k
    size = len(qindex) * n_int
    count = lambda m: np.bincount(key[m], minlength=size)  # noqa: E731
    total = lambda m, v: np.bincount(key[m], weights=np.nan_to_num(v[m]), minlength=size)  # noqa: E731

    arrival, first, right, transfers = a["arrival"], a["first"], a["right"], a["transfers"]
    cb = fun & a["callback"]
    inbound = fun & ~cb
    reached = fun & ~np.isnan(first)
    within = {name: sp.callbacks.within_s for name, sp in funnels.items() if sp.callbacks is not None}
    cb_within = by_label(c["channel"], within)
    delay = first - arrival
    failed = fun & a["failed"]
    cols = {
        "attempts_count": count(inbound),
        "customers_count": count(fun & a["first_dial"]),
        "redial_attempts_count": count(fun & a["redial"]),
        "repeat_attempts_count": count(fun & a["repeat"]),
        "blocked_count": count(fun & a["blocked"]),
        "ivr_entered_count": count(inbound & ~a["blocked"]),
        "ivr_sum": total(inbound & ~a["blocked"], a["ivr"]),
        "self_served_count": count(fun & a["self_served"]),
        "abandoned_ivr_count": count(fun & a["abandoned_ivr"]),
        "zero_out_count": count(fun & a["zero_out"]),
        "routed_count": count(fun & a["routed"]),
        "misrouted_count": count(fun & a["misrouted"]),
        "first_human_count": count(inbound & ~np.isnan(first)),
        "first_human_sum": total(inbound & ~np.isnan(first), first - arrival),
        "right_human_count": count(inbound & ~np.isnan(right)),
        "right_human_sum": total(inbound & ~np.isnan(right), right - arrival),
        "reached_agent_count": count(reached),
        "transfers_count": total(reached, transfers),
        "transferred_count": count(reached & (transfers > 0)),
        "served_calls_count": count(fun & a["served"]),
        "resolved_calls_count": count(fun & a["served"] & a["resolved"]),
        "failed_count": count(failed),
        "redialed_count": count(failed & a["redialed"]),
        "queued_count": count(inbound & ~a["pre_queue"]),
        "callbacks_count": count(fun & a["callback_offered"]),
        "callback_calls_count": count(cb),
        "callback_returns_count": count(cb & ~np.isnan(first)),
        "callback_delay_sum": total(cb & ~np.isnan(first), delay),
        "callback_on_time_count": count(cb & ~np.isnan(first) & (delay <= np.nan_to_num(cb_within, nan=np.inf))),
    }
    cust = customer_table(a, np.flatnonzero(fun), horizon)
    ck = key[cust["row"]]
    res_ok = cust["resolved"]
    cols.update({"customers_lost_count": np.bincount(ck[cust["lost"]], minlength=size),
                 "customers_resolved_count": np.bincount(ck[res_ok], minlength=size),
                 "effort_sum": np.bincount(ck[res_ok], weights=np.nan_to_num(cust["effort_s"][res_ok]), minlength=size),
                 "line_sum": np.bincount(ck, weights=cust["line_s"], minlength=size)})

    classes = sorted(set(np.unique(a["priority"][fun]).tolist()))
    if len(classes) > 1:
        cols.update(_by_class(scenario, c, a, fun, key, size, classes, cust, ck))
    return cols


def _by_class(scenario, c, a, fun, key, size, classes, cust, ck) -> dict[str, np.ndarray]:
    count = lambda m: np.bincount(key[m], minlength=size)  # noqa: E731
    total = lambda m, v: np.bincount(key[m], weights=np.nan_to_num(v[m]), minlength=size)  # noqa: E731
    inbound = fun & ~a["callback"]
    queued = inbound & ~a["pre_queue"]
    answered = queued & ~np.isnan(a["answer"])
    wait = a["wait"]
    target = by_label(c["channel"], {ch.name: ch.targets.answer_within_s for ch in scenario.channels.values()})
    right, arrival = a["right"], a["arrival"]
    served, resolved = fun & a["served"], fun & a["served"] & a["resolved"]
    prio = a["priority"]
    cprio = prio[cust["row"]]
    lost, res_ok, eff = cust["lost"], cust["resolved"], cust["effort_s"]
    cols = {}
    for k in classes:
        s, m, cm = class_suffix(k), prio == k, cprio == k
        cols.update({
            f"offered_{s}_count": count(queued & m),
            f"answered_{s}_count": count(answered & m),
            f"answered_wait_{s}_sum": total(answered & m, wait),
            f"answered_within_target_{s}_count": count(answered & m & (wait <= target)),
            f"abandoned_{s}_count": count(queued & m & a["abandoned"]),
            f"served_{s}_count": count(served & m),
            f"resolved_{s}_count": count(resolved & m),
            f"right_human_{s}_count": count(inbound & m & ~np.isnan(right)),
            f"right_human_{s}_sum": total(inbound & m & ~np.isnan(right), right - arrival),
            f"customers_{s}_count": np.bincount(ck[cm], minlength=size),
            f"customers_lost_{s}_count": np.bincount(ck[cm & lost], minlength=size),
            f"customers_resolved_{s}_count": np.bincount(ck[cm & res_ok], minlength=size),
            f"effort_{s}_sum": np.bincount(ck[cm & res_ok], weights=np.nan_to_num(eff[cm & res_ok]), minlength=size),
        })
    return cols


def customer_table(a: dict[str, np.ndarray], rows: np.ndarray, horizon: float) -> dict[str, np.ndarray]:
    """One entry per customer whose first dial is among ``rows`` of the arriving contacts ``a`` (``_calls``): ``row``
    (the first dial's row), ``lost``, ``resolved``, ``effort_s`` (first dial to resolution), ``line_s`` (time on the
    line over the customer's attempts among ``rows``)."""
    if len(rows) == 0:
        return {"row": rows, "lost": np.zeros(0, bool), "resolved": np.zeros(0, bool), "effort_s": np.zeros(0),
                "line_s": np.zeros(0)}
    arrival, end = a["arrival"][rows], a["end"][rows]
    on_line_from = np.where(a["callback"][rows], a["first"][rows], arrival)
    line = np.where(np.isnan(on_line_from), 0.0, np.where(np.isnan(end), horizon, end) - np.nan_to_num(on_line_from))
    failed = (a["failed"] & ~a["redialed"])[rows]
    # attempts in order of customer, then attempt; each customer's first and last attempt
    order = np.lexsort((a["attempt"][rows], a["customer"][rows]))
    cust = a["customer"][rows][order]
    new = np.concatenate([[True], cust[1:] != cust[:-1]])
    starts = np.flatnonzero(new)
    last = np.concatenate([starts[1:], [len(cust)]]) - 1
    first = order[starts]
    per_first = a["first_dial"][rows][first]
    res_at = np.fmin.reduceat(np.where(a["resolved"][rows], end, np.inf)[order], starts)[per_first]
    line_s = np.add.reduceat(line[order], starts)[per_first]  # (as a groupby sum adds: in order, from the first)
    resolved = np.isfinite(res_at)
    return {"row": rows[first[per_first]], "lost": failed[order][last][per_first], "resolved": resolved,
            "effort_s": np.where(resolved, res_at - arrival[first][per_first], np.nan), "line_s": line_s}


def _funnel_channels(scenario) -> set[str]:
    from sim.funnel.spec import funnel_spec

    return {ch.name for ch in scenario.channels.values() if funnel_spec(ch) is not None}


def _arrivals(ctx: IntervalContext) -> dict[str, np.ndarray]:
    return funnel_columns(ctx.scenario, ctx.arrivals, ctx.edges, dict(ctx.qindex), ctx.n_int)


# ``funnel_intervals`` (the funnel's part of the interval tables, sim.intervals): rows of the funnel's channels only.
INTERVALS = IntervalPart(
    "funnel_intervals",
    applies=lambda allc, scenario: "origin" in allc,
    arrivals=_arrivals,
    ratios=funnel_ratios,
    channels=_funnel_channels,
    offered=queue_view,
)
