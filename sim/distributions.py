"""Distributions of durations (handle time, patience, wrap-up, think time …) as scenario files describe them.

Inline tables such as ``{ dist = "lognormal", mean = "4min", cv = 1.0 }``. Every value is in seconds. Lognormal service
times with CV ≈ 1 are the empirical default (Brown et al. 2005, JASA; domain notes §1).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.csvread import read_csv
from sim.validate import Checker, join

# Bounds that keep every draw a finite number of seconds (beyond them a mean or a sample overflows).
MAX_CV = 20.0          # lognormal and gamma coefficient of variation (call-centre data: about 1; Brown et al. 2005)
MAX_MU, MAX_SIGMA = 30.0, 5.0  # lognormal log-space parameters (e^30 s is far beyond any duration)
MIN_SHAPE, MAX_SHAPE = 0.05, 100.0  # Weibull shape
MAX_DURATION_S = 3650 * 86400.0  # any duration: at most ten years
KINDS = ("exponential", "lognormal", "gamma", "weibull", "deterministic", "uniform", "empirical", "mixture")


class Dist:
    """A distribution of non-negative durations in seconds."""

    mean: float

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        raise NotImplementedError


@dataclass(frozen=True)
class Exponential(Dist):
    mean: float

    def sample(self, rng, size):
        return rng.exponential(self.mean, size)


@dataclass(frozen=True)
class Lognormal(Dist):
    mu: float  # log-space mean
    sigma: float  # log-space standard deviation

    @classmethod
    def from_mean_cv(cls, mean: float, cv: float) -> Lognormal:
        s2 = math.log1p(cv * cv)
        return cls(math.log(mean) - s2 / 2, math.sqrt(s2))

    @property
    def mean(self) -> float:
        return math.exp(self.mu + self.sigma**2 / 2)

    def sample(self, rng, size):
        return rng.lognormal(self.mu, self.sigma, size)


@dataclass(frozen=True)
class Gamma(Dist):
    mean: float
    cv: float

    def sample(self, rng, size):
        shape = 1.0 / (self.cv * self.cv)
        return rng.gamma(shape, self.mean / shape, size)


@dataclass(frozen=True)
class Weibull(Dist):
    shape: float
    scale: float

    @property
    def mean(self) -> float:
        return self.scale * math.gamma(1 + 1 / self.shape)

    def sample(self, rng, size):
        return self.scale * rng.weibull(self.shape, size)


@dataclass(frozen=True)
class Deterministic(Dist):
    value: float

    @property
    def mean(self) -> float:
        return self.value

    def sample(self, rng, size):
        return np.full(size, self.value)


@dataclass(frozen=True)
class Uniform(Dist):
    low: float
    high: float

    @property
    def mean(self) -> float:
        return (self.low + self.high) / 2

    def sample(self, rng, size):
        return rng.uniform(self.low, self.high, size)


@dataclass(frozen=True)
class Empirical(Dist):
    values: tuple[float, ...]

    @property
    def mean(self) -> float:
        return float(np.mean(self.values))

    def sample(self, rng, size):
        return np.asarray(self.values)[rng.integers(0, len(self.values), size)]


@dataclass(frozen=True)
class Mixture(Dist):
    weights: tuple[float, ...]
    components: tuple[Dist, ...] = field(default=())

    @property
    def mean(self) -> float:
        return sum(w * c.mean for w, c in zip(self.weights, self.components))

    def sample(self, rng, size):
        which = rng.choice(len(self.weights), size=size, p=np.asarray(self.weights))
        out = np.empty(size)
        for k, comp in enumerate(self.components):
            idx = np.flatnonzero(which == k)
            if idx.size:
                out[idx] = comp.sample(rng, idx.size)
        return out


class Draws:
    """Sequential draws from one distribution on one stream, drawn in blocks for speed.

    The i-th call always returns the i-th value of the stream, whatever happens between calls, so customers created in
    the same order get the same attributes in every design (common random numbers).
    """

    __slots__ = ("dist", "rng", "block", "buf", "i")

    def __init__(self, dist: Dist, rng: np.random.Generator, block: int = 1024):
        self.dist, self.rng, self.block = dist, rng, block
        self.buf: list[float] = []
        self.i = 0

    def next(self) -> float:
        i = self.i
        try:
            v = self.buf[i]
        except IndexError:  # the block used up: the next one
            self.buf = self.dist.sample(self.rng, self.block).tolist()
            v, i = self.buf[0], 0
        self.i = i + 1
        return v

    def take(self, n: int) -> np.ndarray:
        """The next ``n`` values at once: the same values, from the same blocks, as ``n`` calls of ``next`` (whole
        blocks stay arrays; only the last one, which ``next`` goes on reading, becomes the list)."""
        head = np.asarray(self.buf[self.i:self.i + n], dtype=float)
        got = len(head)
        self.i += got
        if got == n:
            return head
        full, rest = divmod(n - got, self.block)
        parts = [head, *(self.dist.sample(self.rng, self.block) for _ in range(full))]
        if rest:
            last = self.dist.sample(self.rng, self.block)
            parts.append(last[:rest])
            self.buf, self.i = last.tolist(), rest
        else:  # the last block used up: ``next`` draws a new one, as after ``block`` calls
            self.buf, self.i = [], 0
        return np.concatenate(parts)


def parse_dist(raw: Any, path: str, chk: Checker, base_dir: Path) -> Dist | None:
    """Read a distribution table; problems go to ``chk`` (with their dotted keys) and give None."""
    if not isinstance(raw, dict):
        chk.add(path, 'a distribution table such as { dist = "exponential", mean = "240s" }', raw)
        return None
    kind = chk.string(raw, "dist", path, choices=KINDS)
    if kind is None:
        return None
    dur = lambda key, **kw: chk.duration(raw, key, path, positive=True, high=MAX_DURATION_S, **kw)
    if kind == "exponential":
        chk.table(raw, path, ("dist", "mean"))
        mean = dur("mean")
        return None if mean is None else Exponential(mean)
    if kind == "lognormal":
        chk.table(raw, path, ("dist", "mean", "cv", "mu", "sigma"))
        if "mu" in raw or "sigma" in raw:
            mu = chk.number(raw, "mu", path, low=-MAX_MU, high=MAX_MU)
            sigma = chk.number(raw, "sigma", path, low=0, high=MAX_SIGMA, low_open=True)
            return None if mu is None or sigma is None else Lognormal(mu, sigma)
        mean, cv = dur("mean"), chk.number(raw, "cv", path, low=0, high=MAX_CV, low_open=True)
        return None if mean is None or cv is None else Lognormal.from_mean_cv(mean, cv)
    if kind == "gamma":
        chk.table(raw, path, ("dist", "mean", "cv"))
        mean, cv = dur("mean"), chk.number(raw, "cv", path, low=0, high=MAX_CV, low_open=True)
        return None if mean is None or cv is None else Gamma(mean, cv)
    if kind == "weibull":
        chk.table(raw, path, ("dist", "shape", "scale"))
        shape, scale = chk.number(raw, "shape", path, low=MIN_SHAPE, high=MAX_SHAPE), dur("scale")
        return None if shape is None or scale is None else Weibull(shape, scale)
    if kind == "deterministic":
        chk.table(raw, path, ("dist", "value"))
        value = chk.duration(raw, "value", path, high=MAX_DURATION_S)
        return None if value is None else Deterministic(value)
    if kind == "uniform":
        chk.table(raw, path, ("dist", "low", "high"))
        low, high = chk.duration(raw, "low", path, high=MAX_DURATION_S), chk.duration(raw, "high", path, high=MAX_DURATION_S)
        if low is None or high is None:
            return None
        if high <= low:
            chk.add(join(path, "high"), f"a duration above low ({low:g}s)", raw["high"])
            return None
        return Uniform(low, high)
    if kind == "empirical":
        return _parse_empirical(raw, path, chk, base_dir)
    return _parse_mixture(raw, path, chk, base_dir)


def _parse_empirical(raw: dict, path: str, chk: Checker, base_dir: Path) -> Dist | None:
    chk.table(raw, path, ("dist", "values", "file", "column"))
    if ("values" in raw) == ("file" in raw):
        chk.add(path, "either values = [...] (seconds) or file = \"x.csv\" with column = \"name\"")
        return None
    if "values" in raw:
        vals = raw["values"]
        ok = isinstance(vals, list) and vals and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v >= 0 for v in vals)
        if not ok:
            chk.add(join(path, "values"), "a non-empty list of non-negative numbers of seconds", vals)
            return None
        return Empirical(tuple(float(v) for v in vals))
    file = chk.string(raw, "file", path)
    column = chk.string(raw, "column", path)
    if file is None or column is None:
        return None
    table = read_csv(base_dir, file, join(path, "file"), chk)
    if table is None:
        return None
    col = table.column(column)
    if col is None or not table.rows:
        chk.add(join(path, "column"), f"a column of {file} with at least one row", column)
        return None
    values = []
    for line, cells in table.rows:
        cell = cells[col].strip() if col < len(cells) else ""
        try:
            v = float(cell)
            if not (math.isfinite(v) and v >= 0):
                raise ValueError
            values.append(v)
        except ValueError:
            chk.add(join(path, "file"), f"non-negative numbers in column {column}", f"{cell!r} on line {line} of {file}")
            return None
    return Empirical(tuple(values))


def _parse_mixture(raw: dict, path: str, chk: Checker, base_dir: Path) -> Dist | None:
    chk.table(raw, path, ("dist", "weights", "components"))
    weights, comps = raw.get("weights"), raw.get("components")
    if not (isinstance(weights, list) and weights and all(
            isinstance(w, (int, float)) and not isinstance(w, bool) and w >= 0 for w in weights)):
        chk.add(join(path, "weights"), "a list of non-negative weights summing to 1", weights)
        return None
    if abs(sum(weights) - 1) > 1e-6:
        chk.add(join(path, "weights"), "weights summing to 1", f"{weights} (sum {sum(weights):g})")
        return None
    if not isinstance(comps, list) or len(comps) != len(weights):
        chk.add(join(path, "components"), f"a list of {len(weights)} distribution tables (one per weight)", comps)
        return None
    parsed = [parse_dist(c, join(join(path, "components"), i), chk, base_dir) for i, c in enumerate(comps)]
    if any(p is None for p in parsed):
        return None
    return Mixture(tuple(float(w) for w in weights), tuple(parsed))
