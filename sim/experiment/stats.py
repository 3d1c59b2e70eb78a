"""Output analysis across replications: t-based confidence intervals, paired differences, the MSER-5 warm-up cut,
and the binomial band a CI's coverage must fall in.

A simulated day is a terminating run: independent replications, each reduced to one number per metric (the ratio of
totals over that replication); the CI is mean ± t(n−1, 0.975)·s/√n (Law, "Simulation Modeling and Analysis", ch. 9;
Hoad, Robinson & Davies 2010, "Automated selection of the number of replications for a discrete-event simulation",
JORS 61).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as _st

SUMMARY_COLUMNS = ["mean", "sd", "ci_low", "ci_high", "half_width", "n"]


def t_interval(values: Iterable[float], confidence: float = 0.95) -> dict:
    """Mean, sd, t-based CI and half-width of independent observations (NaNs dropped).

    One observation gives a mean but no interval (sd, CI and half-width are NaN); identical observations give a
    zero-width interval.
    """
    x = np.asarray(list(values) if not isinstance(values, (np.ndarray, pd.Series)) else values, dtype=float)
    x = x[~np.isnan(x)]
    n = int(x.size)
    if n == 0:
        return {"mean": np.nan, "sd": np.nan, "ci_low": np.nan, "ci_high": np.nan, "half_width": np.nan, "n": 0}
    mean = float(x.mean())
    if n == 1:
        return {"mean": mean, "sd": np.nan, "ci_low": np.nan, "ci_high": np.nan, "half_width": np.nan, "n": 1}
    sd = float(x.std(ddof=1))
    half = float(_st.t.ppf(0.5 + confidence / 2.0, n - 1) * sd / np.sqrt(n))
    return {"mean": mean, "sd": sd, "ci_low": mean - half, "ci_high": mean + half, "half_width": half, "n": n}


def summarize(table: pd.DataFrame, by: Sequence[str], value: str = "value", confidence: float = 0.95) -> pd.DataFrame:
    """One row per group of ``by`` with ``mean, sd, ci_low, ci_high, half_width, n`` of ``value`` across rows,
    sorted by ``by`` (``sim.metrics.summarize`` does the work).

    ``table`` is tidy (one row per replication and group), e.g. ``Results.replications`` grouped by
    ``["channel", "metric"]`` or a sweep table grouped by ``["point", "channel", "metric"]``.
    """
    from sim.metrics import summarize as _summarize

    by = list(by)
    if table.empty:
        return pd.DataFrame(columns=by + SUMMARY_COLUMNS)
    data = table[by + [value]].rename(columns={value: "value"}) if value != "value" else table[by + ["value"]]
    out = _summarize(data, by=tuple(by), level=confidence)
    out = out[by + SUMMARY_COLUMNS].sort_values(by, kind="stable").reset_index(drop=True)
    out["n"] = out["n"].astype(int)
    return out


def relative_half_width(summary: pd.DataFrame) -> pd.Series:
    """Half-width / |mean| (Hoad et al.'s precision measure). A zero-width interval counts as 0 even at mean 0;
    a positive half-width around a zero mean is infinitely imprecise; fewer than two replications give NaN."""
    half = summary["half_width"].astype(float)
    mean = summary["mean"].astype(float).abs()
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = half / mean
    rel = rel.where(~((half == 0) & (mean == 0)), 0.0)
    return rel.where(~((half > 0) & (mean == 0)), np.inf)


def paired_difference(a: pd.DataFrame, b: pd.DataFrame, keys: Sequence[str] = ("channel", "metric"),
                      pair: str = "replication", value: str = "value", confidence: float = 0.95) -> pd.DataFrame:
    """Per group of ``keys``: A and B summaries and the paired difference B − A with its t CI.

    Rows are paired on ``pair`` (the replication index): under common random numbers replication r of A and of B meet
    the same customers, so the differences' variance is usually far below var(A) + var(B); ``var_ratio`` reports
    var(B − A) / (var(A) + var(B)) (1 means no gain from pairing). ``significant`` is True when the CI excludes 0.
    """
    keys = list(keys)
    merged = a[keys + [pair, value]].merge(b[keys + [pair, value]], on=keys + [pair], suffixes=("_a", "_b"))
    merged["diff"] = merged[f"{value}_b"] - merged[f"{value}_a"]
    rows = []
    for key, g in merged.groupby(keys, sort=True, observed=True):
        key = key if isinstance(key, tuple) else (key,)
        sa = t_interval(g[f"{value}_a"].to_numpy(float), confidence)
        sb = t_interval(g[f"{value}_b"].to_numpy(float), confidence)
        sd_ = t_interval(g["diff"].to_numpy(float), confidence)
        denom = (sa["sd"] ** 2 + sb["sd"] ** 2) if sa["n"] > 1 else np.nan
        significant = bool(sd_["n"] > 1 and (sd_["ci_low"] > 0 or sd_["ci_high"] < 0))
        rows.append({
            **dict(zip(keys, key)),
            "mean_a": sa["mean"], "ci_low_a": sa["ci_low"], "ci_high_a": sa["ci_high"],
            "mean_b": sb["mean"], "ci_low_b": sb["ci_low"], "ci_high_b": sb["ci_high"],
            "diff": sd_["mean"], "diff_sd": sd_["sd"], "diff_ci_low": sd_["ci_low"], "diff_ci_high": sd_["ci_high"],
            "diff_half_width": sd_["half_width"], "significant": significant, "n": sd_["n"],
            "var_ratio": (sd_["sd"] ** 2 / denom) if denom and denom > 0 else np.nan,
        })
    return pd.DataFrame(rows)


# --- Warm-up: MSER-5 ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Truncation:
    """Where MSER-5 cuts a series: drop observations ``[0, index)``. ``reliable`` is False when the statistic is
    still at its lowest at the end of the search range (half the series): the transient may last longer than half the
    run, which is then too short to see steady state (White 1997, Hoad et al. 2010)."""

    index: int
    batches: int
    reliable: bool


def mser5_detail(series: Sequence[float], batch: int = 5) -> Truncation:
    """MSER-5 (White 1997; Hoad, Robinson & Davies 2010, JORS 61(5)): average the series in batches of 5, then pick
    the truncation d minimising the marginal standard error Σ_{j>d}(z_j − z̄_d)² / (m − d)², searching d < m/2."""
    y = np.asarray(series, dtype=float)
    if np.isnan(y).any():
        raise ValueError("MSER-5 needs a series without missing values")
    m = y.size // batch
    if m < 2:
        return Truncation(0, m, False)
    z = y[: m * batch].reshape(m, batch).mean(axis=1)
    # Suffix sums give every candidate's mean and sum of squares in O(m).
    rev = z[::-1]
    count = np.arange(1, m + 1)[::-1].astype(float)           # m - d for d = 0..m-1
    s1 = np.cumsum(rev)[::-1]
    s2 = np.cumsum(rev * rev)[::-1]
    sse = np.maximum(s2 - s1 * s1 / count, 0.0)
    stat = sse / count**2
    stat[count < 2] = np.inf                                   # at least two batches must remain
    limit = max(1, m // 2)
    d = int(np.argmin(stat[:limit]))
    # Still falling at the end of the allowed range: the transient may reach beyond half the run.
    return Truncation(index=d * batch, batches=d, reliable=m >= 4 and d < limit - 1)


def mser5(series: Sequence[float]) -> int:
    """Index of the first observation to keep after MSER-5 warm-up truncation (0: no warm-up needed)."""
    return mser5_detail(series).index


# --- Coverage ------------------------------------------------------------------------------------------------------

def coverage_band(trials: int, confidence: float = 0.95, alpha: float = 1e-4) -> tuple[int, int]:
    """Counts of covering intervals between which a correct ``confidence`` CI lands with probability ≥ 1 − alpha
    (binomial quantiles, two-sided)."""
    lo = int(_st.binom.ppf(alpha / 2, trials, confidence))
    hi = int(_st.binom.isf(alpha / 2, trials, confidence))
    return lo, hi
