"""Patience (time a caller is willing to wait in the queue) from censored waits.

A caller who hung up in the queue after waiting w shows patience = w; a caller who was served after waiting w shows
only patience > w (right-censored by service). Using the hang-ups alone underestimates patience badly. Two estimators
(Brown et al. 2005, JASA, §6 on these same records; Mandelbaum & Zeltyn):

- Kaplan–Meier survival of patience, with Greenwood's variance (pointwise 95% band on the log-log scale);
- the exponential hazard MLE: θ = abandonments / total waiting exposure (the sum of every queued caller's wait),
  mean patience 1/θ; an exact 95% interval from the chi-square distribution of 2θ·exposure.

Only contacts that waited (wait > 0) carry information; those answered at once were never at risk.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats


@dataclass(frozen=True)
class ExponentialPatience:
    abandoned: int
    exposure_s: float
    queued: int

    @property
    def rate(self) -> float:
        return self.abandoned / self.exposure_s

    @property
    def mean_s(self) -> float:
        return self.exposure_s / self.abandoned

    @property
    def se_mean_s(self) -> float:
        return self.mean_s / math.sqrt(self.abandoned)

    def ci_mean_s(self, level: float = 0.95) -> tuple[float, float]:
        a = (1 - level) / 2
        k = 2 * self.abandoned
        return 2 * self.exposure_s / stats.chi2.ppf(1 - a, k), 2 * self.exposure_s / stats.chi2.ppf(a, k)


def exponential_patience(wait_s, abandoned) -> ExponentialPatience:
    w = np.asarray(wait_s, float)
    ab = np.asarray(abandoned, bool)
    keep = np.isfinite(w) & (w > 0)
    n_ab = int(ab[keep].sum())
    if n_ab == 0:
        raise ValueError("no abandonments among queued contacts: patience cannot be estimated")
    return ExponentialPatience(n_ab, float(w[keep].sum()), int(keep.sum()))


def kaplan_meier(wait_s, abandoned) -> pd.DataFrame:
    """Kaplan–Meier table: time_s, at_risk, events, censored, survival, se (Greenwood), lower, upper (95% log-log)."""
    w = np.asarray(wait_s, float)
    ab = np.asarray(abandoned, bool)
    keep = np.isfinite(w) & (w > 0)
    w, ab = w[keep], ab[keep]
    times = np.unique(w)
    order = np.sort(w)
    at_risk = len(w) - np.searchsorted(order, times, side="left")
    events = np.bincount(np.searchsorted(times, w[ab]), minlength=len(times))
    total = np.bincount(np.searchsorted(times, w), minlength=len(times))
    hazard = events / at_risk
    surv = np.cumprod(1 - hazard)
    with np.errstate(divide="ignore", invalid="ignore"):
        green = np.cumsum(np.where(at_risk > events, events / (at_risk * (at_risk - events)), 0.0))
        loglog = np.log(-np.log(surv))
        half = 1.96 * np.sqrt(green) / np.abs(np.log(surv))
        lower = np.exp(-np.exp(loglog + half))
        upper = np.exp(-np.exp(loglog - half))
    lower = np.where(np.isfinite(lower), lower, surv)
    upper = np.where(np.isfinite(upper), upper, surv)
    return pd.DataFrame({"time_s": times, "at_risk": at_risk, "events": events, "censored": total - events,
                         "survival": surv, "se": surv * np.sqrt(green), "lower": lower, "upper": upper})


def km_at(km: pd.DataFrame, t: float, column: str = "survival") -> float:
    """The KM step function (or a band edge) at time t."""
    idx = np.searchsorted(km["time_s"].to_numpy(), t, side="right") - 1
    return 1.0 if idx < 0 else float(km[column].iloc[idx])


def km_quantile(km: pd.DataFrame, p: float = 0.5, column: str = "survival") -> float:
    """First time the curve reaches 1 − p or below (NaN when it never does: too much censoring)."""
    hit = km[km[column] <= 1 - p]
    return float(hit["time_s"].iloc[0]) if len(hit) else float("nan")
