"""Availability and handle time by hour of day, with 95% intervals from resampling whole days.

The Anonymous Bank's records show both following the clock the same way every month: agents seen serving are nearly
all available early and late (about 0.9 at 7–8 h and 16–17 h) and much less so in the middle of the day (breaks,
meetings, outbound work), and calls are shorter early and late. One number for the whole day cannot follow that.

- **Handle time by hour**: the mean service time of calls answered in that hour of the chosen days.
- **Implied availability by hour**: the share ``a`` of the agents seen serving that makes interval-by-interval
  Erlang A (M/M/n+M with n = agents seen × a, that hour's mean handle time and the fitted exponential patience)
  reproduce the hour's total abandonments and total waiting time over the chosen days: the minimum over a grid of
  step 0.005 on [0.05, 1] of the sum of the two squared relative errors (the loss of ``sim.calibrate.availability``).
  Erlang A is evaluated once per interval at every whole number of agents up to those seen and interpolated linearly
  in between, so the search and the day resampling cost no further queueing evaluations.

Uncertainty: 200 resamples of the chosen days (contacts of one day are not independent), each refitting both; the
handle-time and patience inputs of the availability fit are held at their estimates within a resample.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from sim.calibrate.day_model import ANSWER_WITHIN_S

GRID = np.round(np.arange(0.05, 1.0 + 1e-9, 0.005), 4)
BOOTSTRAP = 200
_ERLANG: dict = {}      # (agents, rate, handle, patience, target) -> Erlang A metrics, shared by every fit of a run
_ERLANG_MAX = 400_000   # entries kept before the cache is emptied (about 100 MB)


def hour_of(seconds) -> np.ndarray:
    return (np.asarray(seconds, float) // 3600).astype(int)


def handle_by_hour(calls: pd.DataFrame, days, draws: int = BOOTSTRAP, seed: int = 1) -> pd.DataFrame:
    """Per hour of answer: served calls, mean handle time, its day-resampling 95% interval and se."""
    days = sorted(set(days))
    s = calls[(calls["outcome"] == "served") & calls["answer_at"].notna()]
    s = s[s["answer_at"].dt.date.isin(set(days))]
    hour = s["answer_at"].dt.hour
    day = s["answer_at"].dt.date
    g = s.groupby([hour, day])["handle_s"]
    per = pd.DataFrame({"n": g.size(), "sum": g.sum()}).unstack(fill_value=0)
    per = per.reindex(columns=pd.MultiIndex.from_product([["n", "sum"], days]), fill_value=0)
    n, tot = per["n"].to_numpy(float), per["sum"].to_numpy(float)
    rng = np.random.default_rng([seed, 22, 1])
    idx = rng.integers(0, len(days), (draws, len(days)))
    with np.errstate(invalid="ignore", divide="ignore"):
        boot = tot[:, idx].sum(axis=2) / n[:, idx].sum(axis=2)
        mean = tot.sum(axis=1) / n.sum(axis=1)
    if draws < 2:  # point estimates only (the ablation's fits)
        boot = np.full((len(mean), 2), np.nan)
    with warnings.catch_warnings():  # hours without resampled calls: NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        return pd.DataFrame({"hour": per.index.to_numpy(int), "served": n.sum(axis=1).astype(int),
                             "handle_mean_s": mean, "se_s": np.nanstd(boot, axis=1, ddof=1),
                             "ci_low_s": np.nanquantile(boot, 0.025, axis=1),
                             "ci_high_s": np.nanquantile(boot, 0.975, axis=1)})


def erlang_table(seen: np.ndarray, offered: np.ndarray, interval_s: float, handle_s: np.ndarray, patience_s: float,
                 answer_within_s: float = ANSWER_WITHIN_S) -> np.ndarray:
    """Erlang A per interval at 0, 1, …, max(seen)+1 agents: array [interval, k, (abandon, mean wait, SL)]."""
    from sim.analytic import erlang_a_metrics

    kmax = int(np.max(seen, initial=0)) + 1
    out = np.zeros((len(seen), kmax + 1, 3))
    if len(_ERLANG) > _ERLANG_MAX:
        _ERLANG.clear()
    cache = _ERLANG  # the fits of one month (ablation variants, the baseline) meet the same intervals again
    for i, (s, lam, h) in enumerate(zip(seen, offered / interval_s, handle_s)):
        for k in range(kmax + 1):
            if lam <= 0:
                out[i, k] = (0.0, 0.0, 1.0)
            elif k == 0:
                out[i, k] = (1.0, patience_s, 0.0)
            elif k > s + 1:
                out[i, k] = out[i, k - 1]  # never needed: availability <= 1
            else:
                key = (k, round(lam, 9), round(h, 6), patience_s, answer_within_s)
                if key not in cache:
                    m = erlang_a_metrics(k, lam, h, patience_s, answer_within_s)
                    cache[key] = (m["p_abandon"], m["mean_wait_s"], m["sl_offered"])
                out[i, k] = cache[key]
    return out


def interpolate(table: np.ndarray, agents: np.ndarray) -> np.ndarray:
    """Erlang A metrics at fractional agents (linear between whole numbers): [interval, metric] (or [grid, …])."""
    agents = np.clip(agents, 0, table.shape[1] - 1)
    lo = np.floor(agents).astype(int)
    hi = np.minimum(lo + 1, table.shape[1] - 1)
    w = (agents - lo)[..., None]
    rows = np.arange(table.shape[0])
    return (1 - w) * table[rows, lo] + w * table[rows, hi]


def _best(table, seen, offered, abandoned, wait_sum) -> float:
    """The grid availability whose Erlang A matches the abandonments and waiting time of these intervals."""
    obs_ab, obs_w = abandoned.sum(), wait_sum.sum()
    if offered.sum() <= 0 or (obs_ab <= 0 and obs_w <= 0):
        return 1.0
    x = seen[None, :] * GRID[:, None]
    agents = np.clip(x, 0, table.shape[1] - 1)
    lo = np.floor(agents).astype(int)
    hi = np.minimum(lo + 1, table.shape[1] - 1)
    w = agents - lo
    rows = np.arange(table.shape[0])[None, :]
    ab = (1 - w) * table[rows, lo, 0] + w * table[rows, hi, 0]
    wt = (1 - w) * table[rows, lo, 1] + w * table[rows, hi, 1]
    loss = np.zeros(len(GRID))
    if obs_ab > 0:
        loss += ((ab * offered).sum(axis=1) / obs_ab - 1) ** 2
    if obs_w > 0:
        loss += ((wt * offered).sum(axis=1) / obs_w - 1) ** 2
    return float(GRID[int(np.argmin(loss))])


def availability_by_hour(intervals: pd.DataFrame, patience_s: float, interval_s: float, draws: int = BOOTSTRAP,
                         seed: int = 1, min_offered: int = 20) -> pd.DataFrame:
    """Implied availability per ``group`` of intervals (the hour of day, or one group for the whole day) from
    ``intervals`` (date, group, offered, abandoned, wait_sum_s, agents_seen, handle_s): estimate, se and 95% interval
    from resampling days. Groups with fewer than ``min_offered`` offered calls get NaN (the caller fills them)."""
    iv = intervals[(intervals["offered"] > 0) & (intervals["agents_seen"] > 0)]
    rows = []
    rng = np.random.default_rng([seed, 22, 2])
    days = sorted(iv["date"].unique())
    for group, g in iv.groupby("group"):
        if g["offered"].sum() < min_offered:
            rows.append({"group": group, "availability": np.nan, "se": np.nan, "ci_low": np.nan, "ci_high": np.nan,
                         "offered": int(g["offered"].sum()), "intervals": len(g)})
            continue
        seen, off = g["agents_seen"].to_numpy(float), g["offered"].to_numpy(float)
        ab, ws = g["abandoned"].to_numpy(float), g["wait_sum_s"].to_numpy(float)
        table = erlang_table(seen, off, interval_s, g["handle_s"].to_numpy(float), patience_s)
        est = _best(table, seen, off, ab, ws)
        pos = {d: np.flatnonzero(g["date"].to_numpy() == d) for d in days}
        boot = []
        for _ in range(draws):
            pick = np.concatenate([pos[days[k]] for k in rng.integers(0, len(days), len(days))])
            if len(pick):
                boot.append(_best(table[pick], seen[pick], off[pick], ab[pick], ws[pick]))
        boot = np.array(boot) if len(boot) > 1 else np.full(2, np.nan)
        rows.append({"group": group, "availability": est, "se": float(boot.std(ddof=1)),
                     "ci_low": float(np.quantile(boot, 0.025)), "ci_high": float(np.quantile(boot, 0.975)),
                     "offered": int(off.sum()), "intervals": len(g)})
    return pd.DataFrame(rows, columns=["group", "availability", "se", "ci_low", "ci_high", "offered", "intervals"])


def fill_hours(values: pd.Series, default: float) -> dict:
    """{hour: value} for 0–23 h: hours without an estimate take the nearest estimated hour (``default`` if none)."""
    known = values.dropna()
    out = {}
    for h in range(24):
        if h in known.index:
            out[h] = float(known[h])
        elif len(known):
            out[h] = float(known.iloc[int(np.argmin(np.abs(known.index.to_numpy() - h)))])
        else:
            out[h] = float(default)
    return out
