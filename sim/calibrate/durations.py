"""Fitting durations: handle (service) time and IVR time, with goodness of fit (Kolmogorov–Smirnov distance).

Service times of call centres are close to lognormal (Brown et al. 2005, JASA) once very short calls are set apart:
in the Anonymous Bank data about 7% of services last under 10 s (hang-ups on answer, transfers), a mode of their own.
Three models are offered: ``lognormal`` (one lognormal for all services > 0 s), ``mixture`` (share p of short calls
from a lognormal fitted to the short ones, 1 − p from a lognormal fitted to the rest) and ``empirical`` (the observed
values). The KS distance of each is reported against the observed values it describes.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

SHORT_S = 10.0
HANDLE_MODELS = ("mixture", "lognormal", "empirical")


@dataclass(frozen=True)
class LognormalFit:
    """Lognormal fitted by maximum likelihood on log values (sample sd), with iid standard errors."""

    mu: float
    sigma: float
    n: int
    ks: float

    @property
    def mean(self) -> float:
        return math.exp(self.mu + self.sigma ** 2 / 2)

    @property
    def cv(self) -> float:
        return math.sqrt(math.expm1(self.sigma ** 2))

    @property
    def se_mu(self) -> float:
        return self.sigma / math.sqrt(self.n)

    @property
    def se_sigma(self) -> float:
        return self.sigma / math.sqrt(2 * max(self.n - 1, 1))

    def cdf(self, x) -> np.ndarray:
        x = np.asarray(x, float)
        if self.sigma <= 0:  # every value the same
            return (x >= math.exp(self.mu)).astype(float)
        with np.errstate(divide="ignore"):
            return np.where(x > 0, stats.norm.cdf((np.log(np.maximum(x, 1e-300)) - self.mu) / self.sigma), 0.0)

    def pdf(self, x) -> np.ndarray:
        if self.sigma <= 0:
            return np.zeros_like(np.asarray(x, float))
        return stats.lognorm.pdf(np.asarray(x, float), s=self.sigma, scale=math.exp(self.mu))


def fit_lognormal(values) -> LognormalFit:
    """Lognormal of positive ``values``; KS distance against them."""
    x = np.asarray(values, float)
    x = x[x > 0]
    if len(x) < 2:
        raise ValueError("need at least two positive values to fit a lognormal")
    logs = np.log(x)
    mu, sigma = float(logs.mean()), float(logs.std(ddof=1))
    ks = float(stats.kstest(logs, "norm", args=(mu, sigma)).statistic) if sigma > 0 else 1.0
    return LognormalFit(mu, sigma, len(x), ks)


def ks_distance(values, cdf) -> float:
    """Two-sided KS distance between the empirical CDF of ``values`` and a CDF function (``scipy.stats.kstest``;
    with ties the empirical CDF jumps by the tie's size, as scipy evaluates it at every sorted value)."""
    x = np.asarray(values, float)
    return float(stats.kstest(x, cdf).statistic)


@dataclass(frozen=True)
class HandleFit:
    """Handle-time fits of served contacts: the lognormal of services ≥ ``short_s``, the short mode and the blend."""

    served: int
    short_s: float
    short_share: float
    long: LognormalFit            # services >= short_s
    short: LognormalFit | None    # 0 < service < short_s
    single: LognormalFit          # one lognormal for every service > 0
    ks_mixture: float             # mixture against every served value (zeros included)
    ks_single: float              # single lognormal against every served value
    mean_s: float                 # observed mean of served values
    sd_s: float

    def mixture_cdf(self, x) -> np.ndarray:
        short = self.short.cdf(x) if self.short is not None else (np.asarray(x, float) >= 0).astype(float)
        return self.short_share * short + (1 - self.short_share) * self.long.cdf(x)

    def mixture_pdf(self, x) -> np.ndarray:
        short = self.short.pdf(x) if self.short is not None else np.zeros_like(np.asarray(x, float))
        return self.short_share * short + (1 - self.short_share) * self.long.pdf(x)


def fit_handle(values, short_s: float = SHORT_S) -> HandleFit:
    """Fit handle times of served contacts (seconds, zeros allowed)."""
    x = np.asarray(values, float)
    x = x[np.isfinite(x)]
    is_short = x < short_s
    short_pos = x[is_short & (x > 0)]
    long = fit_lognormal(x[~is_short])
    short = fit_lognormal(short_pos) if len(short_pos) >= 2 and np.ptp(short_pos) > 0 else None
    single = fit_lognormal(x)
    fit = HandleFit(served=len(x), short_s=short_s, short_share=float(is_short.mean()), long=long, short=short,
                    single=single, ks_mixture=0.0, ks_single=0.0, mean_s=float(x.mean()), sd_s=float(x.std(ddof=1)))
    return HandleFit(**{**fit.__dict__, "ks_mixture": ks_distance(x, fit.mixture_cdf),
                        "ks_single": ks_distance(x, single.cdf)})


def handle_tables(values, fit: HandleFit):
    """Tables for the figure: a log-binned density (observed vs fitted) and the CDF at quantile points."""
    x = np.asarray(values, float)
    x = x[np.isfinite(x)]
    pos = x[x > 0]
    top = max(pos.max(), 20.0) * 1.01
    edges = np.unique(np.concatenate([np.arange(0.5, 10.0, 1.0), np.geomspace(9.5, top, 50)]))  # whole-second data
    obs, _ = np.histogram(x, bins=edges)
    width = np.diff(edges)
    mid = np.sqrt(edges[:-1] * edges[1:])
    import pandas as pd

    def mass(cdf):
        return (cdf(edges[1:]) - cdf(edges[:-1])) / width

    hist = pd.DataFrame({"bin_low_s": edges[:-1], "bin_high_s": edges[1:], "mid_s": mid,
                         "observed_density": obs / len(x) / width,
                         "mixture_density": mass(fit.mixture_cdf),
                         "lognormal_density": mass(fit.single.cdf)})
    q = np.unique(np.quantile(x, np.linspace(0, 1, 201)))
    ecdf = np.searchsorted(np.sort(x), q, side="right") / len(x)
    cdf = pd.DataFrame({"handle_s": q, "observed_cdf": ecdf, "mixture_cdf": fit.mixture_cdf(q),
                        "lognormal_cdf": fit.single.cdf(q)})
    return hist, cdf
