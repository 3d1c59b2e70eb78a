"""From flat records to planners' numbers: interval tables, per-replication ratios of totals, summaries with CIs.

Definitions (domain notes §1): ``sl_offered`` = answered within T / offered (the Erlang A "all arrivals" service level),
``sl_answered`` = answered within T / answered, ``sl_excl_short_abandons`` = answered within T / (offered − abandoned
within T); ``asa_s`` = mean wait of answered contacts, ``mean_wait_s`` = mean wait of all arrivals that left the queue
(abandoners until they leave); ``occupancy`` = busy / staffed agent time; ``mean_queue`` = time-average number waiting.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from sim.grouping import group_sums, pairs, sorted_codes

COUNT_COLUMNS = ("offered", "answered", "served", "abandoned", "open", "answered_within_target",
                 "abandoned_within_target")
SUM_COLUMNS = ("wait_sum_s", "answered_wait_sum_s", "handle_sum_s", "busy_agent_s", "staffed_agent_s", "queue_time_s",
               "length_s", "cost")
RATIOS = {
    "sl_offered": ("answered_within_target", "offered"),
    "sl_answered": ("answered_within_target", "answered"),
    "sl_excl_short_abandons": ("answered_within_target", "short_abandon_base"),
    "asa_s": ("answered_wait_sum_s", "answered"),
    "mean_wait_s": ("wait_sum_s", "left_queue"),
    "abandon_rate": ("abandoned", "offered"),
    "aht_s": ("handle_sum_s", "served"),
    "occupancy": ("busy_agent_s", "staffed_agent_s"),
    "mean_queue": ("queue_time_s", "length_s"),
}
HEADLINE = ("offered", "answered", "abandoned", "sl_offered", "sl_answered", "sl_excl_short_abandons", "asa_s",
            "mean_wait_s", "abandon_rate", "aht_s", "occupancy", "mean_queue", "cost", "cost_per_resolved")
# Present when a scenario has a social or email channel (definitions in sim.social.tables and docs/social.md).
CONVERSATION_COLUMNS = ("ignored", "silent", "responded", "resolved", "first_response_sum_s", "resolution_sum_s",
                        "backlog_s")
CONVERSATION_RATIOS = {
    "sl_responded": ("answered_within_target", "responded"),
    "response_rate": ("responded", "offered"),
    "first_response_mean_s": ("first_response_sum_s", "responded"),
    "ignored_share": ("ignored", "offered"),
    "silent_share": ("silent", "offered"),
    "resolved_share": ("resolved", "served"),
    "resolution_mean_s": ("resolution_sum_s", "resolved"),
    "mean_backlog": ("backlog_s", "length_s"),
}


# Present when a phone channel has a funnel (definitions in sim.funnel.tables and docs/funnel.md). "{k}" stands for each
# priority class found in the columns (p0, p2, pm1 for −1): e.g. asa_p2_s = answered_wait_p2_sum / answered_p2_count.
FUNNEL_RATIOS = {
    "blocked_rate": ("blocked_count", "attempts_count"),
    "mean_ivr_s": ("ivr_sum", "ivr_entered_count"),
    "ivr_containment": ("self_served_count", "ivr_entered_count"),
    "ivr_abandon_rate": ("abandoned_ivr_count", "ivr_entered_count"),
    "zero_out_share": ("zero_out_count", "ivr_entered_count"),
    "misrouted_share": ("misrouted_count", "routed_count"),
    "time_to_first_human_s": ("first_human_sum", "first_human_count"),
    "time_to_right_human_s": ("right_human_sum", "right_human_count"),
    "transfers_per_call": ("transfers_count", "reached_agent_count"),
    "transferred_share": ("transferred_count", "reached_agent_count"),
    "fcr": ("resolved_calls_count", "served_calls_count"),
    "redial_rate": ("redialed_count", "failed_count"),
    "attempts_per_customer": ("attempts_count", "customers_count"),
    "unique_abandon_rate": ("customers_lost_count", "customers_count"),
    "callback_share": ("callbacks_count", "queued_count"),
    "callback_delay_s": ("callback_delay_sum", "callback_returns_count"),
    "callback_on_time": ("callback_on_time_count", "callback_calls_count"),
    "customer_effort_s": ("effort_sum", "customers_resolved_count"),
    "line_time_per_customer_s": ("line_sum", "customers_count"),
    "sl_offered_{k}": ("answered_within_target_{k}_count", "offered_{k}_count"),
    "asa_{k}_s": ("answered_wait_{k}_sum", "answered_{k}_count"),
    "abandon_rate_{k}": ("abandoned_{k}_count", "offered_{k}_count"),
    "fcr_{k}": ("resolved_{k}_count", "served_{k}_count"),
    "time_to_right_human_{k}_s": ("right_human_{k}_sum", "right_human_{k}_count"),
    "unique_abandon_rate_{k}": ("customers_lost_{k}_count", "customers_{k}_count"),
    "customer_effort_{k}_s": ("effort_{k}_sum", "customers_resolved_{k}_count"),
}


def funnel_ratios(columns) -> dict[str, tuple[str, str]]:
    """The FUNNEL_RATIOS whose numerator and denominator are among ``columns`` (templates expanded per class)."""
    cols = set(columns)
    if "attempts_count" not in cols:
        return {}
    classes = sorted({c.split("_")[-2] for c in cols if re.fullmatch(r"offered_(p|pm)\d+_count", c)})
    out = {}
    for name, (num, den) in FUNNEL_RATIOS.items():
        for k in (classes if "{k}" in name else [None]):
            n, a, b = (x if k is None else x.format(k=k) for x in (name, num, den))
            if a in cols and b in cols:
                out[n] = (a, b)
    return out


def by_label(s: Any, values: Mapping[Any, Any], missing: Any = np.nan, dtype: Any = float) -> np.ndarray:
    """``values[label]`` for each row of a label column, a Series or its array (a category column: one lookup per
    category, then its codes; a missing label or one not in ``values``: ``missing``). What
    ``s.astype(object).map(values)`` gives, as an array of ``dtype``, without a Python call per row."""
    arr = s.array if isinstance(s, pd.Series) else s
    if isinstance(arr, pd.Categorical):
        lut = np.array([values.get(c, missing) for c in arr.categories.tolist()] + [missing], dtype=dtype)
        return lut[arr.codes]  # code −1 (missing) takes the last entry
    s = s if isinstance(s, pd.Series) else pd.Series(s, copy=False)
    return np.array([missing if v is None or v is pd.NA or v != v else values.get(v, missing)
                     for v in s.to_numpy(dtype=object)], dtype=dtype)


def label_in(s: pd.Series, labels: Iterable[Any]) -> np.ndarray:
    """Whether each row of a label column is one of ``labels`` (missing: False), from a category column's codes."""
    want = set(labels)
    return by_label(s, {k: True for k in want}, False, bool)


def column_arrays(df: pd.DataFrame, names: Iterable[str] | None = None) -> dict[str, np.ndarray]:
    """Columns ``names`` (default: all) of ``df`` as arrays in their own dtypes, the columns of one numpy dtype taken
    out together (a table of many count and sum columns: a few conversions, not one per column)."""
    names = list(df.columns) if names is None else list(names)
    dtypes = dict(zip(df.columns, df.dtypes))
    by_dtype: dict[Any, list[str]] = {}
    out: dict[str, np.ndarray] = {}
    for name in names:
        dt = dtypes[name]
        if isinstance(dt, np.dtype) and dt.kind in "biuf":
            by_dtype.setdefault(dt, []).append(name)
        else:
            out[name] = df[name].to_numpy()
    for dt, group in by_dtype.items():
        same = df.select_dtypes(include=[dt])  # every column of this dtype, in one conversion
        block = same.to_numpy(dtype=dt)
        at = {name: i for i, name in enumerate(same.columns)}
        out.update({name: block[:, at[name]] for name in group})
    return {name: out[name] for name in names}


def label_test(s: pd.Series) -> Callable[..., np.ndarray]:
    """``test(*labels)``: whether each row of label column ``s`` is one of ``labels`` (missing: False) — ``s == label``
    compared on a category column's integer codes, not on its text."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        codes = s.cat.codes.to_numpy()
        where = {c: i for i, c in enumerate(s.cat.categories)}  # label -> code, looked up once per test

        def test(*labels: Any) -> np.ndarray:
            at = [where[label] for label in labels if label in where]
            if len(at) == 1:
                return codes == at[0]
            return np.isin(codes, at) if at else np.zeros(len(codes), bool)
        return test
    values = s.to_numpy(dtype=object)
    return lambda *labels: np.isin(values, list(labels))


def interval_edges(run) -> np.ndarray:
    """Reporting interval boundaries from the end of the warm-up to the horizon (aligned to t = 0)."""
    first = np.floor(run.warmup_s / run.interval_s) * run.interval_s
    e = np.arange(first, run.horizon_s, run.interval_s)
    e = np.concatenate([e, [run.horizon_s]])
    e[0] = run.warmup_s
    return e


def overlap_by_interval(starts: np.ndarray, ends: np.ndarray, keys: np.ndarray, n_keys: int, edges: np.ndarray,
                        weights: np.ndarray | None = None) -> np.ndarray:
    """Σ weight × |[start, end) ∩ [edges[j], edges[j+1])| for each key and interval: shape (n_keys, len(edges) − 1).

    Exact on the sample path (this is how busy agent time and queue length integrals are booked to intervals).
    """
    out = np.zeros((n_keys, len(edges) - 1))
    ends = np.maximum(ends, starts)
    w = None if weights is None else np.asarray(weights, float)
    for k in range(n_keys):
        sel = keys == k
        if not sel.any():
            continue
        if sel.all():  # one queue: every span
            s, e, ww = starts, ends, w
        else:
            s, e, ww = starts[sel], ends[sel], None if w is None else w[sel]
        out[k] = np.diff(_ramp(s, ww, edges) - _ramp(e, ww, edges))
    return out


def _ramp(points: np.ndarray, w: np.ndarray | None, t: np.ndarray) -> np.ndarray:
    """Σ_i w_i · max(0, t − p_i) at each t (``w`` None: every weight 1, the points sorted by value alone — the same
    sums, bit for bit, as with weights of 1)."""
    if w is None:  # (the points are times of contacts in creation order, nearly sorted: a merge sort's best case)
        p = np.sort(points, kind="stable")
        cwp = np.empty(len(p) + 1)
        cwp[0] = 0.0
        np.cumsum(p, out=cwp[1:])
        k = np.searchsorted(p, t, side="left")
        return k * t - cwp[k]  # Σ w over points below t is their count
    order = np.argsort(points, kind="stable")
    p, ww = points[order], w[order]
    cw = np.concatenate([[0.0], np.cumsum(ww)])
    cwp = np.concatenate([[0.0], np.cumsum(ww * p)])
    k = np.searchsorted(p, t, side="left")
    return cw[k] * t - cwp[k]


def ratio_parts(columns) -> dict[str, tuple[str, str]]:
    """Every ratio ``add_ratios`` derives from these columns: name -> (numerator, denominator). Two denominators are
    derived: ``short_abandon_base`` (offered − abandoned within target) and ``left_queue`` (answered + abandoned)."""
    cols = set(columns)
    out = {**RATIOS, **{k: v for k, v in CONVERSATION_RATIOS.items() if v[0] in cols and v[1] in cols},
           **funnel_ratios(cols)}
    if "cost" in cols:
        out["cost_per_resolved"] = ("cost", "resolved" if "resolved" in cols else "served")
    return out


def ratio_columns(columns: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """The ratio columns derived from numerator and denominator columns (name -> array, in ``ratio_parts`` order;
    NaN where the denominator is 0). ``columns``: a DataFrame or a mapping of column arrays."""
    frame = isinstance(columns, pd.DataFrame)
    get = lambda name, dtype=None: columns[name].to_numpy(dtype) if frame else np.asarray(columns[name], dtype)
    base = {"short_abandon_base": lambda: get("offered") - get("abandoned_within_target"),
            "left_queue": lambda: get("answered") + get("abandoned")}
    new: dict[str, np.ndarray] = {}
    # cost_per_resolved: rostered agent-hours × cost_per_hour, attributed to queues by busy share (sim.intervals)
    for name, (num, den) in ratio_parts(columns.keys()).items():
        d = np.asarray(base[den](), dtype=float) if den in base else get(den, float)
        n = get(num, float)
        with np.errstate(invalid="ignore", divide="ignore"):
            new[name] = np.where(d > 0, n / np.where(d > 0, d, 1), np.nan)
    return new


def add_ratios(df: pd.DataFrame) -> pd.DataFrame:
    """Derive the ratio columns from the numerators and denominators (NaN where the denominator is 0). Every ratio is
    computed as an array first and the new columns are joined in one step."""
    new = ratio_columns(df)
    here = [k for k in new if k in df]
    out = df.copy() if here else df
    for k in here:
        out[k] = new.pop(k)
    return pd.concat([out, pd.DataFrame(new, index=df.index)], axis=1)


def replication_metrics(intervals: pd.DataFrame) -> pd.DataFrame:
    """Per replication and channel: totals over the run, then the ratios of totals. Tidy: replication, channel,
    metric, value (metric by metric, each with every (replication, channel) in order; then the whole centre's
    ``cost`` and ``cost_per_resolved`` on channel ``all``).

    Groups in the order grouping by (replication, channel) gives (a category channel: its categories' order; text:
    sorted); the totals are the floats ``groupby(...).sum()`` gives (``sim.grouping.group_sums``)."""
    cols = [c for c in (*COUNT_COLUMNS, *SUM_COLUMNS, *CONVERSATION_COLUMNS) if c in intervals]
    extra = [c for c in intervals.columns if c.endswith(("_count", "_sum")) and c not in cols]
    rep, ch = intervals["replication"].to_numpy(), intervals["channel"]
    codes, labels = (ch.cat.codes.to_numpy().astype(np.int64), ch.cat.categories) \
        if isinstance(ch.dtype, pd.CategoricalDtype) else sorted_codes(ch)
    reps, _, group = pairs(rep, codes, len(labels))
    sums = group_sums(intervals[cols + extra], group, len(reps))
    columns = {c: sums[:, i] for i, c in enumerate(cols + extra)}
    # queue length: the channel's queues are summed, and time is counted once per interval, not once per queue (when
    # every channel has one queue, each interval is there once already)
    if intervals["queue"].nunique() != len(np.unique(codes[codes >= 0])):
        once = _first_of_each(rep, codes, intervals["interval_start_at_s"].to_numpy())
        columns["length_s"] = group_sums(intervals["length_s"][once], group[once], len(reps))
    first = np.zeros(len(reps), np.int64)
    at = np.flatnonzero(group >= 0)
    first[group[at[::-1]]] = at[::-1]  # each group's first row
    ids = {"replication": reps, "channel": ch.array.take(first)}
    columns.update(ratio_columns(columns))
    keep = [m for m in (*HEADLINE, *CONVERSATION_COLUMNS[:4], *CONVERSATION_RATIOS, *funnel_ratios(columns), *extra)
            if m in columns]
    out = _tidy_columns(ids, columns, keep)
    if "cost" in columns:  # the whole centre: total cost and cost per resolved contact over every channel
        base = "resolved" if "resolved" in columns else "served"
        centre, by_rep = np.unique(reps, return_inverse=True)
        # (one block: the count of resolved contacts, never missing, sums the same either way)
        cost, done = group_sums(pd.DataFrame({0: columns["cost"], 1: columns[base]}), by_rep, len(centre)).T
        with np.errstate(invalid="ignore", divide="ignore"):
            per = cost / np.where(done > 0, done, np.nan)
        out["replication"] = np.concatenate([out["replication"], np.tile(centre, 2)])
        out["channel"] = pd.Series(np.concatenate([np.asarray(out["channel"], dtype=object),
                                                   np.full(2 * len(centre), "all", dtype=object)]), dtype=object)
        out["metric"] = np.concatenate([out["metric"], np.repeat(["cost", "cost_per_resolved"], len(centre))])
        out["value"] = np.concatenate([out["value"], cost, per])
    return pd.DataFrame(out)


def _first_of_each(*keys: np.ndarray) -> np.ndarray:
    """Whether each row is the first with its combination of ``keys`` (what ``drop_duplicates`` keeps)."""
    n = len(keys[0])
    order = np.lexsort(keys[::-1])  # stable: equal keys stay in row order
    new = np.ones(n, bool)
    if n > 1:
        new[1:] = np.logical_or.reduce([k[order][1:] != k[order][:-1] for k in keys])
    first = np.zeros(n, bool)
    first[order[new]] = True
    return first


def _tidy_columns(ids: Mapping[str, Any], columns: Mapping[str, np.ndarray], values: list[str],
                  var_name: str = "metric", value_name: str = "value") -> dict[str, Any]:
    """The columns of tidy rows from id columns (arrays, each kept in its dtype) and value arrays: each id column
    repeated once per value column, the value columns' names, their values one after the other."""
    n = len(next(iter(ids.values()))) if ids else 0
    at = np.tile(np.arange(n), len(values))
    out: dict[str, Any] = {k: v.take(at) for k, v in ids.items()}
    out[var_name] = np.repeat(np.array(values, dtype=str), n)
    out[value_name] = np.concatenate([np.asarray(columns[m]) for m in values]) if values else np.zeros(0)
    return out


def tidy(wide: pd.DataFrame, ids: list[str], values: list[str] | None = None, var_name: str = "metric",
         value_name: str = "value") -> pd.DataFrame:
    """``wide.melt(id_vars=ids, value_vars=values, …)`` without its per-column overhead: the same rows (column by
    column, each with every row of ``wide`` in order), the id columns' dtypes kept."""
    values = [c for c in wide.columns if c not in ids] if values is None else list(values)
    return pd.DataFrame(_tidy_columns({k: wide[k].array for k in ids}, {m: wide[m].to_numpy() for m in values}, values, var_name,
                                      value_name))


def _t_quantile(q, df):
    """Student's t quantile: ``scipy.special.stdtrit``, the function ``scipy.stats.t.ppf`` evaluates (the same
    floats), imported here, not at the top — a sweep worker that only simulates never pays for it, and a summary does
    not pay for importing all of ``scipy.stats`` (about 0.4 s CPU)."""
    from scipy.special import stdtrit

    return stdtrit(df, q)


def summarize(per_rep: pd.DataFrame, by: tuple[str, ...] = ("channel", "metric"), level: float = 0.95) -> pd.DataFrame:
    """Mean, standard deviation and t-based CI across replications for each group (the ratio of totals per
    replication is the observation; domain notes §5). One row per group in order of first appearance; missing values
    are left out of a group (``n`` counts the rest).

    Vectorised: the groups are numbered once, and the groups with the same count of values are reduced together along
    the rows of one array, which gives the same floats as reducing each group's values on its own (numpy reduces each
    row alone, in the same order)."""
    keys = list(by)
    # each key numbered in order of first appearance, the groups too (``groupby(keys, sort=False).ngroup()``; −1: a
    # missing key)
    codes = [pd.factorize(per_rep[k].to_numpy())[0].astype(np.int64) for k in keys]
    combined = np.zeros(len(per_rep), np.int64)
    for c in codes:
        combined = combined * (int(c.max(initial=-1)) + 2) + c + 1
    gid = np.full(len(per_rep), -1, np.int64)
    has = np.logical_and.reduce([c >= 0 for c in codes]) if codes else np.ones(len(per_rep), bool)
    gid[has] = pd.factorize(combined[has])[0]
    ngroups = int(gid.max()) + 1 if len(gid) and gid.max() >= 0 else 0
    x = per_rep["value"].to_numpy(float)
    ok = ~np.isnan(x) & (gid >= 0)
    order = np.argsort(np.where(ok, gid, ngroups), kind="stable")[: int(ok.sum())]  # values grouped, rows in order
    n = np.bincount(gid[ok], minlength=ngroups)
    first = np.concatenate([[0], np.cumsum(n)[:-1]]) if ngroups else np.zeros(0, np.int64)
    mean, sd = np.full(ngroups, np.nan), np.full(ngroups, np.nan)
    for size in np.unique(n[n > 0]):
        groups = np.flatnonzero(n == size)
        values = x[order[first[groups][:, None] + np.arange(size)]]
        mean[groups] = values.mean(axis=1)
        if size > 1:
            sd[groups] = values.std(ddof=1, axis=1)
    many = n > 1
    half = np.full(ngroups, np.nan)
    if many.any():
        half[many] = _t_quantile(0.5 + level / 2, n[many] - 1) * sd[many] / np.sqrt(n[many])
    at = np.full(ngroups, -1, np.int64)
    rows = np.flatnonzero(gid >= 0)
    at[gid[rows[::-1]]] = rows[::-1]  # each group's first row
    # rows ordered by each key's order of first appearance, the first key first (as unstacking grouped rows gives)
    rank = [c[at] for c in codes]
    sel = np.lexsort(rank[::-1]) if keys else np.arange(ngroups)
    out = {k: pd.Series(per_rep[k].to_numpy()[at[sel]]).infer_objects() for k in keys}
    out.update(mean=mean[sel], sd=sd[sel], ci_low=(mean - half)[sel], ci_high=(mean + half)[sel],
               half_width=half[sel], n=n[sel].astype(int))
    return pd.DataFrame(out)
