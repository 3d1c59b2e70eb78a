"""How many people see a public post, and when: the visibility curve and its integrals.

A public post earns impressions at rate ``reach × v(age)``. The curve ``v`` rises to a peak and then decays; its shape
follows Pfeffer, Matter & Sargsyan (2023), "The half-life of a tweet": impressions per second peak about 72 s after
posting, and half of all impressions are made within about 80 minutes (the median half-life); after 24 h almost none
are made (domain notes §4). We use the difference of two exponentials

    v(a) = c · λd·λr / (λr − λd) · (e^(−λd·a) − e^(−λr·a)),

whose rates are solved so that the peak is at ``peak_s`` and half of its integral lies before ``half_life_s``;
``c`` (``impressions_per_follower``) is the expected lifetime impressions per follower of the author **[assumed 0.1]**.
Normalised (c = 1) it is the density of the sum of two exponential variables with rates λd and λr, which is how
ages are sampled. Impressions are never simulated one by one: each segment of a thread's life (unanswered, answered,
resolved) books reach × c × (F(end age) − F(start age)), its expected impressions.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

PEAK_S = 72.0  # Pfeffer, Matter & Sargsyan 2023
HALF_LIFE_S = 80 * 60.0  # ibid.: median time until half of a tweet's impressions are made
IMPRESSIONS_PER_FOLLOWER = 0.1  # [assumed]
MIN_RATIO = 1.68  # half-life / peak of the limiting shape λr → λd (a gamma(2) density): below it no curve fits


def _rates(peak_s: float, half_life_s: float) -> tuple[float, float]:
    """(λd, λr) with the curve's maximum at ``peak_s`` and half its mass before ``half_life_s``."""
    from scipy.optimize import brentq  # here, not at the top: importing the simulator does not load scipy.optimize

    def rates(k: float) -> tuple[float, float]:
        lam_d = math.log(k) / (peak_s * (k - 1.0))  # argmax of e^(−λd a) − e^(−k λd a) is ln k / (λd (k − 1))
        return lam_d, k * lam_d

    def gap(log_k: float) -> float:
        lam_d, lam_r = rates(math.exp(log_k))
        return _cdf(half_life_s, lam_d, lam_r) - 0.5

    lo, hi = math.log1p(1e-6), math.log(1e15)
    if gap(lo) * gap(hi) > 0:
        raise ValueError(f"no visibility curve peaks at {peak_s:g}s with a half-life of {half_life_s:g}s; the "
                         f"half-life must be at least {MIN_RATIO:g} × the peak time")
    return rates(math.exp(brentq(gap, lo, hi, xtol=1e-14, rtol=1e-14)))


def _cdf(age, lam_d: float, lam_r: float):
    """Share of a post's lifetime impressions made by ``age`` (array or scalar; 0 for negative ages)."""
    a = np.maximum(np.asarray(age, dtype=float), 0.0)
    with np.errstate(over="ignore"):
        f = 1.0 - (lam_r * np.exp(-lam_d * a) - lam_d * np.exp(-lam_r * a)) / (lam_r - lam_d)
    return np.clip(f, 0.0, 1.0)


@dataclass(frozen=True)
class VisibilityCurve:
    """Impressions per follower per second of a post of age ``a`` seconds (see the module notes)."""

    peak_s: float = PEAK_S
    half_life_s: float = HALF_LIFE_S
    impressions_per_follower: float = IMPRESSIONS_PER_FOLLOWER
    lam_d: float = field(init=False)
    lam_r: float = field(init=False)

    def __post_init__(self):
        lam_d, lam_r = _rates(self.peak_s, self.half_life_s)
        object.__setattr__(self, "lam_d", lam_d)
        object.__setattr__(self, "lam_r", lam_r)

    def rate(self, age):
        """v(age): impressions per follower per second."""
        a = np.maximum(np.asarray(age, dtype=float), 0.0)
        k = self.impressions_per_follower * self.lam_d * self.lam_r / (self.lam_r - self.lam_d)
        return np.where(np.asarray(age) < 0, 0.0, k * (np.exp(-self.lam_d * a) - np.exp(-self.lam_r * a)))

    def share(self, age):
        """F(age): the share of lifetime impressions made by ``age``."""
        return _cdf(age, self.lam_d, self.lam_r)

    def integral(self, start_age, end_age):
        """∫ v over ages [start, end] per follower: c·(F(end) − F(start))."""
        return self.impressions_per_follower * (self.share(end_age) - self.share(start_age))

    @property
    def total(self) -> float:
        """∫₀^∞ v: lifetime impressions per follower."""
        return self.impressions_per_follower

    def sample_ages(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Ages drawn from the normalised curve (an impression's age): Exp(λd) + Exp(λr)."""
        return rng.exponential(1.0 / self.lam_d, size) + rng.exponential(1.0 / self.lam_r, size)

    def negligible_after(self, tolerance: float = 1e-12) -> float:
        """The age after which less than ``tolerance`` of the lifetime impressions remain (bound e^(−λd a)·λr/(λr−λd))."""
        return math.log(self.lam_r / ((self.lam_r - self.lam_d) * tolerance)) / self.lam_d


def book_segments(curve: VisibilityCurve, posted_at: np.ndarray, start: np.ndarray, end: np.ndarray,
                  scale: np.ndarray, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Expected impressions of thread segments [start, end) (clock times) of posts made at ``posted_at`` with
    ``scale`` = reach × sentiment-free weight 1: (total per segment, per segment and reporting interval).

    Returns ``(total, by_interval)`` with ``by_interval`` of shape (segments, intervals); the parts of a segment
    outside [edges[0], edges[-1]] are not booked to any interval but count in ``total`` only if inside them too
    (both are clipped to the reporting window)."""
    posted_at, start, end, scale = (np.asarray(x, dtype=float) for x in (posted_at, start, end, scale))
    lo, hi = float(edges[0]), float(edges[-1])
    s = np.clip(start, lo, hi)
    e = np.clip(np.maximum(end, start), lo, hi)
    cum = lambda t: curve.share(np.clip(t, s, e) - posted_at)
    c = curve.impressions_per_follower * scale
    n_int = len(edges) - 1
    by = np.zeros((len(s), n_int))
    if len(s):
        prev = cum(np.full(len(s), edges[0]))
        for j in range(n_int):
            nxt = cum(np.full(len(s), edges[j + 1]))
            by[:, j] = c * (nxt - prev)
            prev = nxt
    total = c * (curve.share(e - posted_at) - curve.share(s - posted_at))
    return total, by
