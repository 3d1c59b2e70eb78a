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
    keep = ~label_test(c["outcome"])(*PRE_QUEUE) & ~label_test(c["origin"])("callback")
    return c[keep]


def class_suffix(k: int) -> str:
    return f"p{k}" if k >= 0 else f"pm{-k}"


def funnel_columns(scenario, c: pd.DataFrame, edges: np.ndarray, qindex: dict, n_int: int) -> dict[str, np.ndarray]:
    """Interval columns of the funnel from the contacts arriving after the warm-up (all channels)."""
    from sim.funnel.spec import funnel_spec

    horizon = scenario.run.horizon_s
    funnels = {ch.name: funnel_spec(ch) for ch in scenario.channels.values()}
    funnels = {k: v for k, v in funnels.items() if v is not None}
    fun = label_in(c["channel"], funnels)
    k = np.searchsorted(edges, c["arrival_at_s"].to_numpy(), side="right") - 1
    key = by_label(c["queue"], qindex, -1, np.int64) * n_int + k
    size = len(qindex) * n_int
    count = lambda m: np.bincount(key[m], minlength=size)
    total = lambda m, v: np.bincount(key[m], weights=np.nan_to_num(v[m]), minlength=size)

    out, origin = label_test(c["outcome"]), label_test(c["origin"])
    arrival = c["arrival_at_s"].to_numpy(float)
    first = c["first_answer_at_s"].to_numpy(float)
    right = c["right_answer_at_s"].to_numpy(float)
    resolved = c["resolved"].fillna(False).to_numpy(bool)
    misrouted = c["misrouted"]
    transfers = c["transfers"].fillna(0).to_numpy(float)
    cb = fun & origin("callback")
    inbound = fun & ~cb
    reached = fun & ~np.isnan(first)
    within = {name: sp.callbacks.within_s for name, sp in funnels.items() if sp.callbacks is not None}
    cb_within = by_label(c["channel"], within)
    delay = first - arrival
    cols = {
        "attempts_count": count(inbound),
        "customers_count": count(fun & origin("first")),
        "redial_attempts_count": count(fun & origin("redial")),
        "repeat_attempts_count": count(fun & origin("repeat")),
        "blocked_count": count(fun & out("blocked")),
        "ivr_entered_count": count(inbound & ~out("blocked")),
        "ivr_sum": total(inbound & ~out("blocked"), c["ivr_s"].to_numpy(float)),
        "self_served_count": count(fun & out("self_served")),
        "abandoned_ivr_count": count(fun & out("abandoned_ivr")),
        "zero_out_count": count(fun & c["zero_out"].fillna(False).to_numpy(bool)),
        "routed_count": count(fun & misrouted.notna().to_numpy()),
        "misrouted_count": count(fun & misrouted.fillna(False).to_numpy(bool)),
        "first_human_count": count(inbound & ~np.isnan(first)),
        "first_human_sum": total(inbound & ~np.isnan(first), first - arrival),
        "right_human_count": count(inbound & ~np.isnan(right)),
        "right_human_sum": total(inbound & ~np.isnan(right), right - arrival),
        "reached_agent_count": count(reached),
        "transfers_count": total(reached, transfers),
        "transferred_count": count(reached & (transfers > 0)),
        "served_calls_count": count(fun & out("served")),
        "resolved_calls_count": count(fun & out("served") & resolved),
        "failed_count": count(fun & out(*FAILED)),
        "redialed_count": count(fun & out(*FAILED) & label_test(c["followed_by"])("redial")),
        "queued_count": count(inbound & ~out(*PRE_QUEUE)),
        "callbacks_count": count(fun & out("callback")),
        "callback_calls_count": count(cb),
        "callback_returns_count": count(cb & ~np.isnan(first)),
        "callback_delay_sum": total(cb & ~np.isnan(first), delay),
        "callback_on_time_count": count(cb & ~np.isnan(first) & (delay <= np.nan_to_num(cb_within, nan=np.inf))),
    }
    cust = customer_table(c[fun], horizon)
    ck = key[fun][cust["row"].to_numpy()] if len(cust) else np.empty(0, np.int64)
    ccount = lambda m: np.bincount(ck[m], minlength=size)
    ctotal = lambda m, v: np.bincount(ck[m], weights=v[m], minlength=size)
    lost, res_ok = cust["lost"].to_numpy(bool), cust["resolved"].to_numpy(bool)
    eff, line = cust["effort_s"].to_numpy(float), cust["line_s"].to_numpy(float)
    allm = np.ones(len(cust), bool)
    cols.update({"customers_lost_count": ccount(lost), "customers_resolved_count": ccount(res_ok),
                 "effort_sum": ctotal(res_ok, np.nan_to_num(eff)), "line_sum": ctotal(allm, line)})

    classes = sorted(set(np.unique(c["priority"].to_numpy()[fun]).tolist()))
    if len(classes) > 1:
        cols.update(_by_class(scenario, c, fun, key, size, classes, cust, ck))
    return cols


def _by_class(scenario, c, fun, key, size, classes, cust, ck) -> dict[str, np.ndarray]:
    count = lambda m: np.bincount(key[m], minlength=size)
    total = lambda m, v: np.bincount(key[m], weights=np.nan_to_num(v[m]), minlength=size)
    out, origin = label_test(c["outcome"]), label_test(c["origin"])
    inbound = fun & ~origin("callback")
    queued = inbound & ~out(*PRE_QUEUE)
    answer = c["answer_at_s"].to_numpy(float)
    answered = queued & ~np.isnan(answer)
    wait = c["wait_s"].to_numpy(float)
    target = by_label(c["channel"], {ch.name: ch.targets.answer_within_s for ch in scenario.channels.values()})
    right = c["right_answer_at_s"].to_numpy(float)
    arrival = c["arrival_at_s"].to_numpy(float)
    resolved = c["resolved"].fillna(False).to_numpy(bool)
    prio = c["priority"].to_numpy()
    cprio = prio[fun][cust["row"].to_numpy()] if len(cust) else np.empty(0, np.int64)
    lost, res_ok, eff = cust["lost"].to_numpy(bool), cust["resolved"].to_numpy(bool), cust["effort_s"].to_numpy(float)
    cols = {}
    for k in classes:
        s, m, cm = class_suffix(k), prio == k, cprio == k
        cols.update({
            f"offered_{s}_count": count(queued & m),
            f"answered_{s}_count": count(answered & m),
            f"answered_wait_{s}_sum": total(answered & m, wait),
            f"answered_within_target_{s}_count": count(answered & m & (wait <= target)),
            f"abandoned_{s}_count": count(queued & m & out("abandoned")),
            f"served_{s}_count": count(fun & m & out("served")),
            f"resolved_{s}_count": count(fun & m & out("served") & resolved),
            f"right_human_{s}_count": count(inbound & m & ~np.isnan(right)),
            f"right_human_{s}_sum": total(inbound & m & ~np.isnan(right), right - arrival),
            f"customers_{s}_count": np.bincount(ck[cm], minlength=size),
            f"customers_lost_{s}_count": np.bincount(ck[cm & lost], minlength=size),
            f"customers_resolved_{s}_count": np.bincount(ck[cm & res_ok], minlength=size),
            f"effort_{s}_sum": np.bincount(ck[cm & res_ok], weights=np.nan_to_num(eff[cm & res_ok]), minlength=size),
        })
    return cols


def customer_table(c: pd.DataFrame, horizon: float) -> pd.DataFrame:
    """One row per customer whose first dial is in ``c``: ``row`` (position of the first dial in ``c``), ``lost``,
    ``resolved``, ``effort_s`` (first dial to resolution), ``line_s`` (time on the line over all attempts)."""
    if len(c) == 0:
        return pd.DataFrame({"row": [], "lost": [], "resolved": [], "effort_s": [], "line_s": []})
    arrival = c["arrival_at_s"].to_numpy(float)
    end = c["end_at_s"].to_numpy(float)
    origin = label_test(c["origin"])
    on_line_from = np.where(origin("callback"), c["first_answer_at_s"].to_numpy(float), arrival)
    line = np.where(np.isnan(on_line_from), 0.0, np.where(np.isnan(end), horizon, end) - np.nan_to_num(on_line_from))
    res = c["resolved"].fillna(False).to_numpy(bool)
    failed = label_test(c["outcome"])(*FAILED) & ~label_test(c["followed_by"])("redial")
    # attempts in order of customer, then attempt; each customer's first and last attempt
    order = np.lexsort((c["attempt"].to_numpy(), c["customer_id"].to_numpy()))
    cust = c["customer_id"].to_numpy()[order]
    new = np.concatenate([[True], cust[1:] != cust[:-1]])
    starts = np.flatnonzero(new)
    last = np.concatenate([starts[1:], [len(cust)]]) - 1
    first = order[starts]
    per_first = origin("first")[first]
    res_at = np.fmin.reduceat(np.where(res, end, np.inf)[order], starts)[per_first]
    line_s = pd.Series(line[order]).groupby(np.cumsum(new)).sum().to_numpy(float)[per_first]
    lost = failed[order][last][per_first]
    start = arrival[first][per_first]
    resolved = np.isfinite(res_at)
    return pd.DataFrame({"row": first[per_first], "lost": lost, "resolved": resolved,
                         "effort_s": np.where(resolved, res_at - start, np.nan), "line_s": line_s})


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
