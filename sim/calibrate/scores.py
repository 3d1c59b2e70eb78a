"""Scores of interval predictions against the records, and the noise floor of a model.

- MAE and bias of a point prediction (the mean over replications for the simulation).
- CRPS from replications (the "fair" estimator, unbiased for the CRPS of the simulated distribution:
  mean |X − y| − Σ|Xᵢ − Xⱼ| / (2R(R − 1))); for a point prediction the CRPS is the absolute error.
- Interval score of the 5–95% band (Gneiting & Raftery 2007): width + (2/α)·(miss below) + (2/α)·(miss above),
  α = 0.1; and band coverage (share of observed values inside the band).
- **Noise floor**: how far even an exactly right model misses an interval from queue randomness alone. Each
  replication in turn plays the records and is scored against the point predictor built from the other R − 1 (their
  mean); the absolute errors are averaged and multiplied by √((R − 1)/R), since a leave-one-out mean adds variance
  σ²/(R − 1) to the error's σ² (exact for normal errors). The replications are first conditioned on the interval's
  arrival count: ``condition_on_count`` removes the linear effect of the simulated count n on the measure (slope
  pooled over the intervals of the same hour) and moves every replication to the observed count.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

ALPHA = 0.1


def fair_crps(samples: np.ndarray, y: np.ndarray) -> np.ndarray:
    """CRPS per row of ``samples`` [interval, replication] against ``y`` [interval] (NaN replications ignored)."""
    x = np.asarray(samples, float)
    y = np.asarray(y, float)
    out = np.full(len(y), np.nan)
    for i in range(len(y)):
        s = x[i][np.isfinite(x[i])]
        r = len(s)
        if r < 2 or not np.isfinite(y[i]):
            continue
        pair = np.abs(s[:, None] - s[None, :]).sum() / (2 * r * (r - 1))
        out[i] = np.abs(s - y[i]).mean() - pair
    return out


def interval_score(low, high, y, alpha: float = ALPHA) -> np.ndarray:
    low, high, y = (np.asarray(v, float) for v in (low, high, y))
    return (high - low) + (2 / alpha) * np.clip(low - y, 0, None) + (2 / alpha) * np.clip(y - high, 0, None)


def band(samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(invalid="ignore"):
        return np.nanquantile(samples, ALPHA / 2, axis=1), np.nanquantile(samples, 1 - ALPHA / 2, axis=1)


def noise_floor(samples: np.ndarray) -> dict:
    """Leave-one-out noise floor of a model from its replications [interval, replication]: the MAE, CRPS, interval
    score and band coverage an exactly right model would score, per interval (means over replications; NaN for
    intervals with fewer than 3 finite replications) — average them over intervals as for the model."""
    x = np.asarray(samples, float)
    n_int, r = x.shape
    out = {k: np.full(n_int, np.nan) for k in ("mae", "crps", "interval_score", "coverage")}
    # rows with the same number of finite replications are done together (replications first, NaNs last)
    finite = np.isfinite(x)
    counts = finite.sum(axis=1)
    xs = np.sort(np.where(finite, x, np.inf), axis=1)
    for k in np.unique(counts):
        if k < 3:
            continue
        rows = np.flatnonzero(counts == k)
        s = xs[rows, :k]
        loo = (s.sum(axis=1, keepdims=True) - s) / (k - 1)
        out["mae"][rows] = np.abs(s - loo).mean(axis=1) * np.sqrt((k - 1) / k)
        d = np.abs(s[:, :, None] - s[:, None, :])           # [row, j, i]
        to_others = d.sum(axis=2) / (k - 1)                  # mean |X_i - s_j| over i != j
        pair_others = (d.sum(axis=(1, 2))[:, None] - 2 * d.sum(axis=2)) / (2 * (k - 1) * (k - 2))
        out["crps"][rows] = (to_others - pair_others).mean(axis=1)
        score = np.zeros((len(rows), k))
        inside = np.zeros((len(rows), k))
        for j in range(k):
            others = np.delete(s, j, axis=1)
            lo, hi = np.quantile(others, ALPHA / 2, axis=1), np.quantile(others, 1 - ALPHA / 2, axis=1)
            score[:, j] = interval_score(lo, hi, s[:, j])
            inside[:, j] = (s[:, j] >= lo) & (s[:, j] <= hi)
        out["interval_score"][rows] = score.mean(axis=1)
        out["coverage"][rows] = inside.mean(axis=1)
    return out


def condition_on_count(values: np.ndarray, counts: np.ndarray, observed: np.ndarray, hours: np.ndarray) -> np.ndarray:
    """Replications [interval, replication] of a measure moved to the observed arrival count of each interval:
    x − b·(n − n_obs), with b the within-interval least-squares slope of x on n, pooled over intervals of an hour."""
    x = np.asarray(values, float)
    n = np.asarray(counts, float)
    out = x.copy()
    ok = np.isfinite(x)
    for h in np.unique(hours):
        rows = hours == h
        xs, ns, oks = x[rows], n[rows], ok[rows]
        xm = np.nanmean(np.where(oks, xs, np.nan), axis=1, keepdims=True)
        nm = np.nanmean(np.where(oks, ns, np.nan), axis=1, keepdims=True)
        dx, dn = np.where(oks, xs - xm, 0.0), np.where(oks, ns - nm, 0.0)
        var = (dn * dn).sum()
        b = (dx * dn).sum() / var if var > 0 else 0.0
        out[rows] = xs - b * (ns - np.asarray(observed, float)[rows][:, None])
    return out


def point_scores(pred: np.ndarray, obs: np.ndarray) -> dict:
    d = np.asarray(pred, float) - np.asarray(obs, float)
    ok = np.isfinite(d)
    return {"mae": float(np.abs(d[ok]).mean()), "bias": float(d[ok].mean()), "n": int(ok.sum())}


def summarise(per: pd.DataFrame, measure: str) -> dict:
    """Means over scored intervals of the per-interval columns of one measure (see ``sim.calibrate.rolling``)."""
    return {c: float(per[c].mean()) for c in per.columns if c.startswith(measure)}
