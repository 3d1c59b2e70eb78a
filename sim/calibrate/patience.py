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
import warnings
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
    """Kaplan–Meier table: time_s, at_risk, events, censored, survival, se (Greenwood), lower, upper (95% log-log).

    The curve and its band are scipy's (``scipy.stats.ecdf`` of ``CensoredData``: hang-ups observed, answered callers
    right-censored at their wait); the counts and Greenwood's standard error are tabulated beside them."""
    w = np.asarray(wait_s, float)
    ab = np.asarray(abandoned, bool)
    keep = np.isfinite(w) & (w > 0)
    w, ab = w[keep], ab[keep]
    times = np.unique(w)
    order = np.sort(w)
    at_risk = len(w) - np.searchsorted(order, times, side="left")
    events = np.bincount(np.searchsorted(times, w[ab]), minlength=len(times))
    total = np.bincount(np.searchsorted(times, w), minlength=len(times))
    res = stats.ecdf(stats.CensoredData(uncensored=w[ab], right=w[~ab]))
    surv = res.sf.evaluate(times)
    with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the band is undefined where survival is 0 or 1
        band = res.sf.confidence_interval(0.95, method="log-log")
        lower, upper = band.low.evaluate(times), band.high.evaluate(times)
        green = np.cumsum(np.where(at_risk > events, events / (at_risk * (at_risk - events)), 0.0))
    lower = np.where(np.isfinite(lower), lower, surv)
    upper = np.where(np.isfinite(upper), upper, surv)
    return pd.DataFrame({"time_s": times, "at_risk": at_risk, "events": events, "censored": total - events,
                         "survival": surv, "se": surv * np.sqrt(green), "lower": lower, "upper": upper})


def km_sample(wait_s, abandoned, size: int = 2000, min_at_risk: int = 50) -> np.ndarray:
    """A quantile sample of patience from the Kaplan–Meier curve, for an empirical patience law.

    The curve is used up to the last wait with at least ``min_at_risk`` callers still waiting (beyond it the estimate
    rests on a handful of callers); past that point t*, patience is t* + an exponential whose rate is the hazard MLE
    of the waits beyond t* (hang-ups after t* / waiting time after t*), so the tail beyond the last observation is
    drawn, not cut off. Values are the quantiles at (i + ½)/size, i = 0 … size − 1 (a deterministic sample)."""
    w = np.asarray(wait_s, float)
    ab = np.asarray(abandoned, bool)
    keep = np.isfinite(w) & (w > 0)
    w, ab = w[keep], ab[keep]
    km = kaplan_meier(w, ab)
    ok = km[km["at_risk"] >= min_at_risk]
    if ok.empty:
        raise ValueError("too few queued contacts for a Kaplan-Meier patience law")
    t_star = float(ok["time_s"].iloc[-1])
    s_star = float(ok["survival"].iloc[-1])
    beyond = w > t_star
    events = int((ab & beyond).sum())
    exposure = float((w[beyond] - t_star).sum())
    tail_mean = exposure / events if events else exponential_patience(w, ab).mean_s
    u = (np.arange(size) + 0.5) / size  # P(patience <= value)
    times, surv = ok["time_s"].to_numpy(), ok["survival"].to_numpy()
    idx = np.searchsorted(-surv, -(1 - u), side="left")  # first time with survival <= 1 - u
    out = np.empty(size)
    inside = 1 - u >= s_star
    out[inside] = times[np.minimum(idx[inside], len(times) - 1)]
    out[~inside] = t_star - tail_mean * np.log((1 - u[~inside]) / s_star)
    return out


def km_at(km: pd.DataFrame, t: float, column: str = "survival") -> float:
    """The KM step function (or a band edge) at time t."""
    idx = np.searchsorted(km["time_s"].to_numpy(), t, side="right") - 1
    return 1.0 if idx < 0 else float(km[column].iloc[idx])


def km_quantile(km: pd.DataFrame, p: float = 0.5, column: str = "survival") -> float:
    """First time the curve reaches 1 − p or below (NaN when it never does: too much censoring)."""
    hit = km[km[column] <= 1 - p]
    return float(hit["time_s"].iloc[0]) if len(hit) else float("nan")
