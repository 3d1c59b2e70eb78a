"""Arrival volumes per interval by day type, and the day-to-day busyness that Poisson arrivals alone cannot explain.

Volumes are offered contacts (those that reached the agent queue) per interval, averaged over the chosen days of one
day type. Busyness: daily totals N vary more than Poisson; with N | B ~ Poisson(B·Λ) and E[B] = 1,
CV²(N) = CV_B² + 1/Λ, so CV_B² = CV²(daily totals) − 1/mean daily total, floored at 0 (Avramidis, Deslauriers &
L'Ecuyer 2004; Brown et al. 2005 find the same overdispersion in these records).
"""
from __future__ import annotations

import numpy as np
import pandas as pd


def clock_label(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 3600:02d}:{(s % 3600) // 60:02d}"


def arrival_profile(counts: pd.DataFrame, days: pd.DataFrame, chosen) -> pd.DataFrame:
    """Mean, sd and standard error of offered contacts per interval, one block of rows per day type."""
    rows = []
    sel = days[days["date"].isin(chosen)]
    for dtype, group in sel.groupby("day_type", sort=False):
        block = counts.loc[group["date"]]
        n = len(block)
        mean, sd = block.mean(axis=0), block.std(axis=0, ddof=1) if n > 1 else block.mean(axis=0) * np.nan
        for slot in block.columns:
            rows.append({"day_type": dtype, "interval_start_s": float(slot), "clock": clock_label(slot),
                         "mean": float(mean[slot]), "sd": float(sd[slot]), "se": float(sd[slot] / np.sqrt(n)),
                         "n_days": n})
    return pd.DataFrame(rows)


def busyness_cv(daily_totals) -> float:
    """CV of the daily busyness factor: sqrt(max(0, CV²(totals) − 1/mean(totals)))."""
    x = np.asarray(daily_totals, float)
    if len(x) < 2 or x.mean() <= 0:
        return float("nan")
    cv2 = x.var(ddof=1) / x.mean() ** 2
    return float(np.sqrt(max(0.0, cv2 - 1.0 / x.mean())))


def bootstrap_days(values, stat, rng: np.random.Generator, draws: int) -> np.ndarray:
    """``stat`` of ``draws`` resamples (with replacement) of the per-day ``values`` (rows = days)."""
    values = np.asarray(values)
    n = len(values)
    return np.array([stat(values[rng.integers(0, n, n)]) for _ in range(draws)])
