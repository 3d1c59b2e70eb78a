"""The tables per reporting interval: ``intervals`` (what every channel has), the features' own interval tables
(``funnel_intervals``, ``social_intervals``), and ``agents``.

``intervals`` is keyed (replication, channel, queue, interval_start_at_s), one row per queue and interval: contacts
counted by arrival interval, agent and queue time booked by clock time, staffing cost, and the planners' ratios
(``sim.metrics``). A feature adds its own numbers through ``Feature.intervals`` (an ``IntervalPart``, declared in the
feature list ``sim.extensions``): they go to its own table with the same key, holding the rows of the channels it
describes, so no column of any table is empty for every row of a channel because the channel is of another kind. The
kernel's part never calls a feature: the funnel narrows the contacts offered to a queue (``offered``), conversations
say which contacts' agent time comes as message spans (``busy_elsewhere``), and a part may refine a shared count
(conversations: ``answered_within_target`` of a post is a first response within the target).

``interval_view`` joins the feature tables back onto ``intervals``: the wide table the per-replication metrics,
feature figures and older readers use (a count or sum of a channel another table does not cover is 0 there, a ratio
NaN).
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.metrics import (
    COUNT_COLUMNS,
    by_label,
    column_arrays,
    interval_edges,
    overlap_by_interval,
    ratio_columns,
)

KEY = ("replication", "channel", "queue", "interval_start_at_s")


@dataclass(frozen=True)
class IntervalContext:
    """What a feature's interval part reads: the scenario, the reporting intervals and the contacts.

    ``allc``: every contact of the replication, warm-up included (clock-time bookings); ``arrivals``: those arriving
    after the warm-up; ``offered``: the arrivals offered to a queue. ``key`` is each offered contact's flat index
    (queue × ``n_int`` + arrival interval) into arrays of length ``size``; ``within`` its channel's answer target (s)
    and ``answered_within`` whether it was answered within it; ``qcode`` each of ``allc``'s queue index."""

    scenario: Any
    edges: np.ndarray
    n_int: int
    qindex: Mapping[str, int]
    horizon: float
    allc: pd.DataFrame
    qcode: np.ndarray
    arrivals: pd.DataFrame
    offered: pd.DataFrame
    key: np.ndarray
    size: int
    within: np.ndarray
    answered_within: np.ndarray
    groups: Sequence[str]


@dataclass(frozen=True)
class IntervalPart:
    """A feature's part of the interval tables (``Feature.intervals``).

    - ``table``: its own table's name (key ``KEY``);
    - ``applies(allc, scenario)``: whether this run has the feature;
    - ``arrivals(ctx)``: its counts and sums by arrival interval, flat arrays of ``ctx.size`` (a name ``intervals``
      already has refines that shared column instead);
    - ``clock(ctx)``: its time integrals by clock time, same shape;
    - ``ratios(columns)``: its ratios, name -> (numerator, denominator), derived with the shared ones
      (``sim.metrics.add_ratios``);
    - ``channels(scenario)``: the channels its table has rows for (None: every channel — a measure defined for all,
      e.g. first response, which for a call is the answer);
    - ``offered(contacts)``: the contacts offered to a queue (the rest never reached one);
    - ``busy_elsewhere(scenario, contacts)``: contacts whose agent time is not answer to end (it comes as work spans);
    - ``agents(ctx, agents)``: the ``agents`` table with its columns added.
    """

    table: str
    applies: Callable[[pd.DataFrame, Any], bool]
    arrivals: Callable[[IntervalContext], dict[str, np.ndarray]]
    ratios: Callable[[Iterable[str]], Mapping[str, tuple[str, str]]]
    clock: Callable[[IntervalContext], dict[str, np.ndarray]] | None = None
    channels: Callable[[Any], Collection[str]] | None = None
    offered: Callable[[pd.DataFrame], pd.DataFrame] | None = None
    busy_elsewhere: Callable[[Any, pd.DataFrame], np.ndarray | None] | None = None
    agents: Callable[[IntervalContext, pd.DataFrame], pd.DataFrame] | None = None


def spans_by_interval(spans: dict | None, qindex: Mapping[str, int], nq: int, edges: np.ndarray, horizon: float,
                      group: str | None = None) -> np.ndarray:
    """Time spans (``start_at_s``, ``end_at_s``, ``queue``, ``agent_group``) booked to (queue, interval) by clock
    time; only ``group``'s when given. Agent work not on the contact rows (messages, diagnoses before a transfer) and
    queue waits of earlier visits."""
    if not spans or len(spans["start_at_s"]) == 0:
        return np.zeros((nq, len(edges) - 1))
    s, e = spans["start_at_s"], np.minimum(spans["end_at_s"], horizon)
    q = np.array([qindex[x] for x in spans["queue"]], dtype=np.int64)
    if group is not None:
        sel = np.array([g == group for g in spans["agent_group"]], bool)
        s, e, q = s[sel], e[sel], q[sel]
    return overlap_by_interval(s, e, q, nq, edges)


def interval_tables(scenario, replication: int, allc: pd.DataFrame, staff_logs: dict, work: dict | None = None,
                    waits: dict | None = None, parts: Sequence[IntervalPart] = (),
                    columns: Mapping[str, Any] | None = None) -> dict[str, pd.DataFrame]:
    """``intervals``, ``agents`` and each applying part's table for one replication. ``allc``: every contact with the
    kind tables' columns joined (``sim.results.contact_view``), warm-up included; ``work``: agent work spans not on
    the contact rows; ``waits``: queue waits not on the contact rows (earlier visits of transferred calls).

    Every column is an array first (labels as integer codes, counts by ``bincount``) and each table is made once.
    ``columns``: ``allc``'s contact columns as arrays, when the caller has them (read from there, not the table)."""
    col: Callable[[str], Any] = allc.__getitem__ if columns is None else columns.__getitem__
    run = scenario.run
    edges = interval_edges(run)
    n_int = len(edges) - 1
    starts = np.floor(edges[:-1] / run.interval_s) * run.interval_s
    queues = list(scenario.queue_channel().items())
    qindex = {q: i for i, (q, _) in enumerate(queues)}
    nq = len(queues)
    qcode = by_label(col("queue"), qindex, -1, np.int64)
    horizon = run.horizon_s
    parts = [p for p in parts if p.applies(allc, scenario)]

    # Clock-time bookings (all contacts, warm-up included, clipped to the reporting window).
    ans = np.asarray(col("answer_at_s"))
    end = np.asarray(col("end_at_s"))
    busy_end = np.where(np.isnan(end), horizon, end + np.asarray(col("wrap_up_s")))
    has = ~np.isnan(ans)
    for p in parts:
        elsewhere = p.busy_elsewhere(scenario, allc) if p.busy_elsewhere else None
        if elsewhere is not None:
            has &= ~elsewhere
    busy_q = overlap_by_interval(ans[has], np.minimum(busy_end[has], horizon), qcode[has], nq, edges)
    if work:
        busy_q += spans_by_interval(work, qindex, nq, edges, horizon)
    entry = np.asarray(col("queue_entry_at_s"))
    inq = ~np.isnan(entry)
    queue_t = overlap_by_interval(entry[inq], entry[inq] + np.asarray(col("wait_s"))[inq], qcode[inq], nq, edges)
    if waits:
        queue_t += spans_by_interval(waits, qindex, nq, edges, horizon)

    # Staffed agent time per group, attributed to the group's queues in proportion to the busy time it gave them.
    gnames = list(scenario.agents)
    staffed_q, cost_q = np.zeros((nq, n_int)), np.zeros((nq, n_int))
    gcode = by_label(col("agent_group"), {g: i for i, g in enumerate(gnames)}, -1, np.int64)
    per_group: dict[str, list[np.ndarray]] = {"staffed_agent_s": [], "busy_agent_s": [], "seated_agent_s": [],
                                              "cost": []}
    for gi, g in enumerate(gnames):
        log = staff_logs[g]
        t = np.array([x[0] for x in log] + [horizon])
        n = np.array([x[1] for x in log], float)
        staffed = overlap_by_interval(t[:-1], t[1:], np.zeros(len(n), np.int64), 1, edges, weights=n)[0]
        # Paid time is the rostered (seated) count over time, breaks modelled by `availability` included.
        ps, pv = scenario.agents[g].count.steps(horizon, scenario.calendar)
        seated = overlap_by_interval(ps, np.append(ps[1:], horizon), np.zeros(len(pv), np.int64), 1, edges,
                                     weights=pv)[0]
        cost = seated / 3600.0 * scenario.agents[g].cost_per_hour
        sel = has & (gcode == gi)
        if not work and np.array_equal(sel, has):  # one group did all the work
            busy_gq = busy_q.copy()
        else:
            busy_gq = overlap_by_interval(ans[sel], np.minimum(busy_end[sel], horizon), qcode[sel], nq, edges)
        if work:
            busy_gq += spans_by_interval(work, qindex, nq, edges, horizon, g)
        busy_g = busy_gq.sum(axis=0)
        serves = [qindex[q] for q in scenario.agents[g].serves]
        share = np.where(busy_g > 0, busy_gq / np.where(busy_g > 0, busy_g, 1), 0.0)
        even = np.zeros((nq, 1))
        even[serves] = 1.0 / len(serves)
        share = np.where(busy_g > 0, share, even)
        staffed_q += share * staffed
        cost_q += share * cost
        for name, v in (("staffed_agent_s", staffed), ("busy_agent_s", busy_g), ("seated_agent_s", seated),
                        ("cost", cost)):
            per_group[name].append(v)
    group_cols = {k: np.concatenate(v) for k, v in per_group.items()}
    st = group_cols["staffed_agent_s"]
    with np.errstate(invalid="ignore", divide="ignore"):
        occupancy = np.where(st > 0, group_cols["busy_agent_s"] / np.where(st > 0, st, 1), np.nan)
    agents = pd.DataFrame({"replication": np.full(len(gnames) * n_int, replication, dtype=np.int64),
                           "agent_group": _names(tuple(gnames), n_int),
                           "interval_start_at_s": np.tile(starts, len(gnames)), **group_cols,
                           "occupancy": occupancy})

    # Arrival-interval counts (contacts arriving after the warm-up, offered to a queue). The parts read those contacts
    # as tables; without parts (plain queues) the counts take the arriving rows of the columns.
    arriving = np.asarray(col("arrival_at_s")) >= run.warmup_s
    c_all = c = allc
    pick: Callable[[np.ndarray], np.ndarray] = lambda a: a[arriving]
    get = col
    if parts:
        c_all = c = allc if arriving.all() else allc[arriving]
        for p in parts:
            if p.offered is not None:
                c = p.offered(c)
        pick = lambda a: a
        get = c.__getitem__
    k = np.searchsorted(edges, pick(np.asarray(get("arrival_at_s"))), side="right") - 1
    key = (pick(qcode) if c is allc else by_label(c["queue"], qindex, -1, np.int64)) * n_int + k
    size = nq * n_int
    within = pick(by_label(get("channel"), {ch.name: ch.targets.answer_within_s for ch in scenario.channels.values()}))
    wait = pick(np.asarray(get("wait_s")))
    kind = pick(by_label(get("outcome"), {"served": 1, "abandoned": 2, "open": 3}, 0, np.int64))  # 0: another outcome
    answered = ~np.isnan(pick(np.asarray(get("answer_at_s"))))
    abandoned, served, on_time = kind == 2, kind == 1, wait <= within
    # every count from one bincount of (row's key, outcome, answered, within target)
    grid = np.bincount(key * 16 + kind * 4 + answered * 2 + on_time, minlength=size * 16).reshape(-1, 16)
    bits = np.arange(16)
    count = lambda m: grid[:, m].sum(axis=1)
    total = lambda m, v: np.bincount(key[m], weights=v[m], minlength=size)
    cols = {
        "offered": grid.sum(axis=1), "answered": count(bits & 2 > 0), "served": count(bits >> 2 == 1),
        "abandoned": count(bits >> 2 == 2), "open": count(bits >> 2 == 3),
        "answered_within_target": count(bits & 3 == 3),
        "abandoned_within_target": count((bits >> 2 == 2) & (bits & 1 > 0)),
        "wait_sum_s": total(answered | abandoned, wait), "answered_wait_sum_s": total(answered, wait),
        "handle_sum_s": total(served, np.nan_to_num(pick(np.asarray(get("handle_s"))))),
    }
    shared = set(cols)
    ctx = IntervalContext(scenario, edges, n_int, qindex, horizon, allc, qcode, c_all, c, key, size, within,
                          answered & (wait <= within), gnames)
    owned: dict[str, list[str]] = {}
    for p in parts:
        more = p.arrivals(ctx)
        owned[p.table] = [name for name in more if name not in shared]
        cols.update(more)
    wide: dict[str, Any] = {
        "replication": np.full(size, replication, dtype=np.int64),
        "channel": np.repeat(np.array([ch for _, ch in queues], dtype=object), n_int),
        "queue": np.repeat(np.array([q for q, _ in queues], dtype=object), n_int),
        "interval_start_at_s": np.tile(starts, nq), **cols,
        "busy_agent_s": busy_q.ravel(), "staffed_agent_s": staffed_q.ravel(), "queue_time_s": queue_t.ravel()}
    for p in parts:
        if p.clock is not None:
            for name, v in p.clock(ctx).items():
                wide[name] = v
                owned[p.table].append(name)
        if p.agents is not None:
            agents = p.agents(ctx, agents)
    wide["cost"] = cost_q.ravel()
    wide["length_s"] = np.tile(np.diff(edges), nq)
    for col in COUNT_COLUMNS:
        wide[col] = np.asarray(wide[col], dtype=np.int64)
    wide.update(ratio_columns(wide))
    for p in parts:
        owned[p.table] += [r for r in p.ratios(wide) if r in wide]
    elsewhere_cols = {c for cs in owned.values() for c in cs}
    text = {"channel": _names(tuple(ch for _, ch in queues), n_int), "queue": _names(tuple(q for q, _ in queues), n_int)}
    out = {"intervals": _frame({k: text.get(k, v) for k, v in wide.items() if k not in elsewhere_cols}),
           "agents": agents}
    for p in parts:
        rows = _rows(wide["channel"], p, scenario)
        out[p.table] = _frame({k: text.get(k, wide[k]) if rows is None else text.get(k, wide[k])[rows]
                               for k in (*KEY, *owned[p.table])})
    return out


@functools.lru_cache(maxsize=64)
def _names(names: tuple[str, ...], repeat: int) -> Any:
    """A text column of ``names``, each repeated ``repeat`` times, in pandas' text dtype as a DataFrame infers it;
    made once per scenario layout (a table made from it copies it)."""
    return pd.Series(np.repeat(np.array(names, dtype=object), repeat), copy=False).array


def _frame(columns: Mapping[str, Any]) -> pd.DataFrame:
    """One table from its column arrays (text columns of names as pandas' text dtype, as a DataFrame infers them)."""
    return pd.DataFrame(dict(columns))


def _rows(channel: np.ndarray, part: IntervalPart, scenario) -> np.ndarray | None:
    """The rows of ``part``'s table (None: every row)."""
    if part.channels is None:
        return None
    rows = np.isin(channel, list(part.channels(scenario)))
    return None if rows.all() else rows


def interval_view(intervals: pd.DataFrame, tables: Mapping[str, pd.DataFrame | None]) -> pd.DataFrame:
    """``intervals`` with the columns of the feature interval tables joined by ``KEY``. On rows a table does not
    cover, its counts and sums (integer columns, names ending ``_count``, ``_sum``) are 0 and its ratios NaN."""
    found = [t for t in tables.values() if t is not None]
    if not found:
        return intervals.copy(deep=False)  # (copied on write)
    extra: dict[str, np.ndarray] = {}
    for t in found:
        same = len(t) == len(intervals) and all(np.array_equal(t[k].to_numpy(), intervals[k].to_numpy())
                                                 for k in KEY)
        pos = np.arange(len(t)) if same else _key_positions(t, intervals)
        hit, take = pos >= 0, np.maximum(pos, 0)
        for col, a in column_arrays(t, [c for c in t.columns if c not in KEY]).items():
            if same:
                extra[col] = a
                continue
            zero = np.issubdtype(a.dtype, np.integer) or col.endswith(("_count", "_sum"))
            filled = a[take] if len(a) else np.zeros(len(pos), a.dtype)
            extra[col] = np.where(hit, filled, 0 if zero else np.nan).astype(a.dtype if zero else float)
    return pd.concat([intervals, pd.DataFrame(extra, index=intervals.index)], axis=1)


def _key_positions(table: pd.DataFrame, intervals: pd.DataFrame) -> np.ndarray:
    """For each row of ``intervals``, the row of ``table`` with the same ``KEY`` (−1: none). Each key column is
    numbered over both tables at once and the numbers combined into one integer per row."""
    n = len(table)
    combined = np.zeros(n + len(intervals), np.int64)
    for k in KEY:
        codes, uniques = pd.factorize(np.concatenate([table[k].to_numpy(), intervals[k].to_numpy()]))
        combined = combined * max(len(uniques), 1) + codes
    return pd.Index(combined[:n]).get_indexer(combined[n:])
