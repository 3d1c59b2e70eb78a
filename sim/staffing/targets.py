"""Do the simulated intervals meet the scenario's targets? Interval by interval, pooled over replications.

A channel's ``targets`` table gives the service level within a threshold (80% within 20 s for phone; a first response
within 60 min for social), a largest abandonment rate and a largest occupancy. For each reported interval the estimate is
the ratio of totals over replications (e.g. Σ answered within target / Σ offered: the expected service level of that
interval, attributed by arrival interval), with the standard error of a ratio estimator across replications. Occupancy
is judged per agent group (busy / staffed agent time), against the strictest cap of the channels the group serves.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from sim.staffing.grid import StaffingGrid

SL_DEFINITIONS = {
    "sl_offered": ("answered_within_target", "offered"),
    "sl_answered": ("answered_within_target", "answered"),
    "sl_excl_short_abandons": ("answered_within_target", "short_abandon_base"),
}
EVAL_COLUMNS = ("cell", "interval_start_at_s", "clock", "kind", "name", "metric", "target", "estimate", "se",
                "n_reps", "volume", "met", "group")


@dataclass(frozen=True)
class TargetSpec:
    """Which service-level definition the targets mean, and how strict a pass is.

    ``margin_z`` = 0 passes an interval whose pooled estimate meets the target; z > 0 asks the estimate to clear the
    target by z standard errors (a one-sided confidence bound)."""

    sl_definition: str = "sl_offered"
    margin_z: float = 0.0


def primary_groups(scenario) -> dict[str, str]:
    """For each channel, the group that staffing changes when the channel misses a target: the group that serves
    one of the channel's queues at the highest priority (earliest in its ``serves``), first defined on a tie."""
    out = {}
    for ch in scenario.channels.values():
        best = None
        for gi, g in enumerate(scenario.agents.values()):
            pos = [g.serves.index(q) for q in ch.queues if q in g.serves]
            if pos and (best is None or (min(pos), gi) < best[0]):
                best = ((min(pos), gi), g.name)
        if best is not None:
            out[ch.name] = best[1]
    return out


def occupancy_caps(scenario) -> dict[str, float]:
    """Each group's strictest occupancy cap over the channels whose queues it serves (groups without caps omitted)."""
    qch = scenario.queue_channel()
    out = {}
    for g in scenario.agents.values():
        caps = [scenario.channels[qch[q]].targets.max_occupancy for q in g.serves]
        caps = [c for c in caps if c is not None]
        if caps:
            out[g.name] = min(caps)
    return out


def _ratio(num: np.ndarray, den: np.ndarray) -> tuple[float, float]:
    """Ratio of totals over replications and its standard error (delta method across replications)."""
    n = len(num)
    tot = den.sum()
    if tot <= 0:
        return math.nan, math.nan
    r = num.sum() / tot
    if n < 2:
        return float(r), math.nan
    resid = num - r * den
    se = math.sqrt(float((resid ** 2).sum()) / (n * (n - 1))) / (tot / n)
    return float(r), se


def evaluate(results, scenario, grid: StaffingGrid, spec: TargetSpec = TargetSpec()) -> pd.DataFrame:
    """One row per reported interval × target: estimate, standard error, and whether it is met (columns
    ``EVAL_COLUMNS``). ``kind`` is "channel" (service level, abandonment) or "group" (occupancy); ``group`` is the
    group whose staffing answers for the row. Intervals without contacts have no service target (NaN, met)."""
    iv = results.intervals.copy()
    iv["short_abandon_base"] = iv["offered"] - iv["abandoned_within_target"]
    sums = iv.groupby(["channel", "interval_start_at_s", "replication"], observed=True)[
        ["answered_within_target", "offered", "answered", "abandoned", "short_abandon_base"]].sum()
    reps = sorted(results.intervals["replication"].unique())
    primary = primary_groups(scenario)
    rows = []
    num_col, den_col = SL_DEFINITIONS[spec.sl_definition]
    for ch in scenario.channels.values():
        t = ch.targets
        for cell in grid.report_cells:
            start = float(grid.starts_at_s[cell])
            try:
                block = sums.loc[(ch.name, start)].reindex(reps, fill_value=0)
            except KeyError:
                block = pd.DataFrame(0, index=reps, columns=sums.columns)
            volume = float(block["offered"].sum())
            checks = [(spec.sl_definition, t.service_level, block[num_col], block[den_col], True)]
            if t.max_abandon is not None:
                checks.append(("abandon_rate", t.max_abandon, block["abandoned"], block["offered"], False))
            for metric, target, num, den, at_least in checks:
                est, se = _ratio(num.to_numpy(float), den.to_numpy(float))
                rows.append(_row(cell, start, grid, "channel", ch.name, metric, target, est, se, len(reps), volume,
                                 at_least, spec.margin_z, primary.get(ch.name)))
    # Occupancy is judged where agents are rostered: an agent finishing a call after the roster ends is busy
    # for all of their (short) overtime, which says nothing about the workload of the interval.
    acols = ["busy_agent_s", "staffed_agent_s", *(["seated_agent_s"] if "seated_agent_s" in results.agents else [])]
    ag = results.agents.groupby(["agent_group", "interval_start_at_s", "replication"], observed=True)[acols].sum()
    for gname, cap in occupancy_caps(scenario).items():
        for cell in grid.report_cells:
            start = float(grid.starts_at_s[cell])
            try:
                block = ag.loc[(gname, start)].reindex(reps, fill_value=0)
            except KeyError:
                block = pd.DataFrame(0.0, index=reps, columns=ag.columns)
            est, se = _ratio(block["busy_agent_s"].to_numpy(float), block["staffed_agent_s"].to_numpy(float))
            if "seated_agent_s" in block and block["seated_agent_s"].sum() <= 0:
                est, se = math.nan, math.nan
            rows.append(_row(cell, start, grid, "group", gname, "occupancy", cap, est, se, len(reps),
                             float(block["staffed_agent_s"].sum()) / 3600.0, False, spec.margin_z, gname))
    return pd.DataFrame(rows, columns=list(EVAL_COLUMNS))


def _row(cell, start, grid, kind, name, metric, target, est, se, n, volume, at_least, z, group) -> dict:
    if math.isnan(est):
        met = True
    else:
        slack = (est - target) if at_least else (target - est)
        met = slack >= (z * se if z > 0 and not math.isnan(se) else 0.0) - 1e-12
    return {"cell": int(cell), "interval_start_at_s": start, "clock": grid.label(int(cell)), "kind": kind,
            "name": name, "metric": metric, "target": target, "estimate": est, "se": se, "n_reps": n,
            "volume": volume, "met": bool(met), "group": group}


def failing_cells(evaluation: pd.DataFrame) -> dict[str, set[int]]:
    """Cells that miss a target, by the group whose staffing answers for them."""
    out: dict[str, set[int]] = {}
    for row in evaluation.loc[~evaluation["met"]].itertuples():
        if row.group is not None:
            out.setdefault(row.group, set()).add(int(row.cell))
    return out


def holm_check(evaluation: pd.DataFrame, family_alpha: float = 0.05) -> pd.DataFrame:
    """Per-interval checks that the targets hold, on independent replications, with Holm's multiple-comparison
    correction: H0 "the interval meets its target" is rejected when the estimate falls short by more than sampling
    error explains. Adds ``p_value`` (one-sided) and ``violated`` (H0 rejected at family-wise level ``family_alpha``)."""
    ev = evaluation.copy()
    at_least = ev["metric"].str.startswith("sl_")
    short = np.where(at_least, ev["target"] - ev["estimate"], ev["estimate"] - ev["target"])
    se = ev["se"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(se > 0, short / np.where(se > 0, se, 1), np.where(short > 1e-12, np.inf, -np.inf))
    z = np.where(np.isnan(ev["estimate"].to_numpy(float)), -np.inf, z)
    p = stats.norm.sf(z)
    ev["p_value"] = p
    order = np.argsort(p, kind="stable")
    m = len(p)
    violated = np.zeros(m, bool)
    for rank, i in enumerate(order):
        if p[i] <= family_alpha / (m - rank):
            violated[i] = True
        else:
            break
    ev["violated"] = violated
    return ev
