"""Each attempt's random numbers, drawn when the attempt is created: a *tape* of uniforms with one fixed slot per use.

A first attempt's tape is a row of the channel's ``"<channel>.life"`` stream, drawn in creation order; a later attempt's
tape comes from the customer's private generator. Durations are read off a uniform by the inverse distribution
function (``quantile``), so a slot means the same thing for every customer whatever path they take, and a change of
routing or staffing never shifts anyone's draws (domain notes §5: common random numbers, synchronised by inversion).
Uses beyond the fixed slots (a third queue visit, a second diagnosis …) draw from the customer's private generator.
"""
from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from sim.distributions import Deterministic, Dist, Empirical, Exponential, Gamma, Lognormal, Mixture, Uniform, Weibull

# Fixed slots: six per IVR level (hang up, press 0, pick, when a hang-up happens, decision time, wrong branch), then these.
PER_LEVEL = 6
(SS_TIME, SS_OK, CB_ACCEPT, HOLD_1, DIAG, MISDIAG, MISDIAG_PICK, REPEAT, PATIENCE_2, HOLD_2, RESOLVE, CALL_AGAIN,
 AGAIN_DELAY, REDIAL, REDIAL_DELAY) = range(15)
N_FIXED = 15


def tape_length(depth: int) -> int:
    return PER_LEVEL * depth + N_FIXED


class Tape:
    """The uniforms of one attempt (``u[off:off + length]``): ``at(slot)`` for a fixed use, ``level(depth, k)`` for the
    IVR, ``spare()`` for anything beyond the slots."""

    __slots__ = ("u", "off", "base", "customer", "k")

    def __init__(self, u: list[float], off: int, base: int, customer):
        self.u = u
        self.off = off
        self.base = base
        self.customer = customer
        self.k = off + base  # where the fixed slots start: ``u[k + slot]`` is ``at(slot)``

    def at(self, slot: int) -> float:
        return self.u[self.k + slot]

    def level(self, depth: int, k: int) -> float:
        i = PER_LEVEL * depth + k
        return self.u[self.off + i] if i < self.base else float(self.customer.rng.random())

    def spare(self) -> float:
        return float(self.customer.rng.random())


class Rows:
    """Consecutive rows of ``k`` uniforms from one stream, drawn in blocks: the i-th call to ``next`` returns the
    offset of the i-th row in the current block ``buf`` (a flat list)."""

    __slots__ = ("rng", "k", "buf", "off")

    def __init__(self, rng: np.random.Generator, k: int):
        self.rng, self.k, self.buf, self.off = rng, k, [], 0

    def next(self) -> int:
        self.off += self.k
        if self.off >= len(self.buf):
            self.buf = self.rng.random(128 * self.k).tolist()  # the same stream in any block size
            self.off = 0
        return self.off


def _exponential(dist: Exponential, u: float) -> float:
    return -dist.mean * math.log1p(-u)


def _lognormal(dist: Lognormal, u: float) -> float:
    return math.exp(dist.mu + dist.sigma * float(_special().ndtri(u))) if u > 0 else 0.0


def _deterministic(dist: Deterministic, u: float) -> float:
    return dist.value


def _uniform(dist: Uniform, u: float) -> float:
    return dist.low + u * (dist.high - dist.low)


def _weibull(dist: Weibull, u: float) -> float:
    return dist.scale * (-math.log1p(-u)) ** (1.0 / dist.shape)


def _gamma(dist: Gamma, u: float) -> float:
    shape = 1.0 / (dist.cv * dist.cv)
    return float(_special().gammaincinv(shape, u)) * dist.mean / shape


def _empirical(dist: Empirical, u: float) -> float:
    n = len(dist.values)
    return dist.values[min(int(u * n), n - 1)]


def _mixture(dist: Mixture, u: float) -> float:
    acc = 0.0
    for w, comp in zip(dist.weights, dist.components):
        if u < acc + w or comp is dist.components[-1]:
            return quantile(comp, min(max((u - acc) / w, 0.0), 1.0 - 1e-16) if w > 0 else 0.5)
        acc += w
    return _seeded(dist, u)


def _seeded(dist: Dist, u: float) -> float:
    """Any other distribution: a sample from a generator seeded by the uniform (still a function of the slot alone)."""
    return float(dist.sample(np.random.Generator(np.random.PCG64(int(u * 2**63))), 1)[0])


@functools.cache
def _special() -> Any:
    """scipy.special, imported on first use: importing the simulator does not load it."""
    from scipy import special

    return special


_QUANTILES: dict[type, Callable[[Any, float], float]] = {
    Exponential: _exponential, Lognormal: _lognormal, Deterministic: _deterministic, Uniform: _uniform,
    Weibull: _weibull, Gamma: _gamma, Empirical: _empirical, Mixture: _mixture}


def quantile(dist: Dist, u: float) -> float:
    """The ``u``-quantile of a duration distribution (inverse transform sampling; one look-up by the distribution's
    class, a hot path)."""
    f = _QUANTILES.get(type(dist))
    if f is None:  # a subclass of a known distribution, or another one
        f = next((g for k, g in _QUANTILES.items() if isinstance(dist, k)), _seeded)
    return f(dist, u)


def quantile_of(dist: Dist) -> Callable[[float], float]:
    """``u -> quantile(dist, u)`` with the look-up done once (the same numbers): for a distribution used in a hot
    loop."""
    if type(dist) is Lognormal:
        mu, sigma, ndtri, exp = dist.mu, dist.sigma, _special().ndtri, math.exp
        return lambda u: exp(mu + sigma * float(ndtri(u))) if u > 0 else 0.0
    if type(dist) is Exponential:
        scale, log1p = -dist.mean, math.log1p
        return lambda u: scale * log1p(-u)
    f = _QUANTILES.get(type(dist))
    if f is None:
        f = next((g for k, g in _QUANTILES.items() if isinstance(dist, k)), _seeded)
    return lambda u: f(dist, u)
