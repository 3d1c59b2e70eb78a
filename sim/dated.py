"""Interval tables as planners read them: an ISO date-time and a clock column on every row, and the day averaged
over replications with confidence intervals.

Times inside the simulator are seconds since t = 0 (``[run] start``); ``with_dates`` turns a column of them into
``date_time`` (``2024-01-01T08:30``) and ``clock`` (``08:30``), put first so the CSV pastes into a rota.
``interval_means`` averages every column over replications per (channel, queue, interval) and gives the 95% CI of the
planners' ratios (service level, ASA, abandonment, occupancy; in range as in ``sim.headline``). ``write_interval_csvs``
writes both for each interval table (``intervals``, ``funnel_intervals``, ``social_intervals``).
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from sim.headline import is_share

#: Ratios of ``intervals_mean.csv`` that get ``_ci_low`` / ``_ci_high`` columns.
CI_METRICS = ("offered", "answered", "sl_offered", "sl_answered", "asa_s", "abandon_rate", "occupancy",
              "first_response_mean_s", "blocked_rate", "cost")


def run_start(provenance: dict) -> datetime:
    """The date-time of t = 0 recorded by the runner (``[run] start``; 2024-01-01 00:00 when absent)."""
    from sim.calendar import DEFAULT_START

    text = provenance.get("start")
    return datetime.fromisoformat(text) if text else DEFAULT_START


def with_dates(df: pd.DataFrame, start: datetime, column: str = "interval_start_at_s") -> pd.DataFrame:
    """``df`` with ``date_time`` and ``clock`` columns first, from the seconds-since-start ``column``."""
    stamps = pd.Timestamp(start) + pd.to_timedelta(df[column].to_numpy(float), unit="s")
    out = df.copy()
    out.insert(0, "clock", stamps.strftime("%H:%M"))
    out.insert(0, "date_time", stamps.strftime("%Y-%m-%dT%H:%M"))
    return out


def _ci(mean: np.ndarray, sd: np.ndarray, n: np.ndarray, share: bool, level: float = 0.95):
    """Delta-method CI on the logit (shares) or log (non-negative) scale; equal bounds where se is 0."""
    with np.errstate(invalid="ignore", divide="ignore"):
        se = sd / np.sqrt(n)
        t = stats.t.ppf(0.5 + level / 2, np.maximum(n - 1, 1))
        if share:
            m = np.clip(mean, 1e-12, 1 - 1e-12)
            h = t * se / (m * (1 - m))
            lg = np.log(m / (1 - m))
            lo, hi = 1 / (1 + np.exp(-(lg - h))), 1 / (1 + np.exp(-(lg + h)))
            edge = (mean <= 0) | (mean >= 1)
        else:
            m = np.where(mean > 0, mean, 1.0)
            h = t * se / m
            lo, hi = mean * np.exp(-h), mean * np.exp(h)
            edge = mean <= 0
    lo, hi = np.where(edge | (se == 0), mean, lo), np.where(edge | (se == 0), mean, hi)
    few = n < 2
    return np.where(few, np.nan, lo), np.where(few, np.nan, hi)


def interval_means(intervals: pd.DataFrame, start: datetime) -> pd.DataFrame:
    """Per (channel, queue, interval): the mean over replications of every numeric column, ``replications`` (how
    many had the interval) and the CIs of ``CI_METRICS``; dated."""
    keys = ["channel", "queue", "interval_start_at_s"]
    numeric = [c for c in intervals.columns if c not in keys and c != "replication"
               and pd.api.types.is_numeric_dtype(intervals[c])]
    g = intervals.groupby(keys, observed=True, sort=True)[numeric]
    mean, sd, n = g.mean(), g.std(ddof=1), g.count()
    out = mean.copy()
    out.insert(0, "replications", intervals.groupby(keys, observed=True, sort=True)["replication"].nunique())
    for m in CI_METRICS:
        if m in mean:
            lo, hi = _ci(mean[m].to_numpy(float), sd[m].to_numpy(float), n[m].to_numpy(float), is_share(m))
            out.insert(out.columns.get_loc(m) + 1, f"{m}_ci_low", lo)
            out.insert(out.columns.get_loc(m) + 2, f"{m}_ci_high", hi)
    return with_dates(out.reset_index(), start)


def write_interval_csvs(tables: Mapping[str, pd.DataFrame | None], provenance: dict, out: Path) -> list[Path]:
    """One pair of dated CSVs per interval table present: ``<name>.csv`` (one row per replication) and
    ``<name>_mean.csv`` (averaged, with CIs) — ``intervals.csv`` for every channel, ``funnel_intervals.csv`` for the
    funnel's channels, ``social_intervals.csv`` for first response and backlog. Each file keeps the rows its table
    has, so a channel's rows never carry another kind's empty columns."""
    start = run_start(provenance)
    paths = []
    for name, df in tables.items():
        if df is None:
            continue
        paths += [out / f"{name}.csv", out / f"{name}_mean.csv"]
        with_dates(df, start).to_csv(paths[-2], index=False)
        interval_means(df, start).to_csv(paths[-1], index=False, float_format="%.6g")
    return paths
