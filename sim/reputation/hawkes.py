"""Pile-ons: visible unanswered complaints draw more complaints, a self-exciting (Hawkes) process.

Each public complaint with author reach r raises the complaint rate of its channel by

    κ · (r / r_ref)^β · g(t − t_post) · (1 if not yet answered publicly, else δ)

where g is a probability density (the *kernel*), κ the ``excitation``, β the ``reach_exponent``, r_ref the
``reference_reach`` and δ the ``damping`` a public reply applies to that thread (Rizoiu et al. 2017, "A tutorial on
Hawkes processes for events in social media": marked kernels κ·m^β·g; SEISMIC, Zhao et al. 2015). Pile-on posts are
public complaints themselves, so they excite in turn. The branching ratio (mean direct pile-ons of a never-answered
complaint) is n* = κ · E[(R / r_ref)^β] over the channel's reach distribution R (Pareto, capped: finite for any β);
a cascade's expected size is 1 / (1 − n*), and n* ≥ 1 is explosive (refused by the scenario reader). With every
thread answered after a delay d, the damped branching ratio is n*·(G(d) + δ·(1 − G(d))), G the kernel's CDF.

Simulation is exact by the cluster representation and thinning: when a complaint is posted its *undamped* direct
offspring are drawn at once — Poisson(κ·w) of them at ages drawn from g — and each candidate is kept when its time
comes if the thread is still unanswered, or with probability δ if it has been answered by then. The draws come from a
generator keyed by the complaint (``sim.reputation.keyed``), so staffing changes only which candidates are kept.

Kernels: ``visibility`` (default: the exposure curve's shape — a complaint excites while people see it; Pfeffer et al.
2023), ``exponential`` (mean ``kernel_mean``) and ``power_law`` (g(t) = θ·c^θ / (t + c)^(1+θ), scale c, exponent θ).
Defaults **[assumed]**: κ = 0.3, β = 0.5, δ = 0.2, r_ref = the reach minimum — n* ≈ 0.39 with the default reach,
inside the 0.3–0.5 of the domain notes (§4).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

EXCITATION = 0.3  # [assumed]
REACH_EXPONENT = 0.5  # [assumed]; the mark form m^β follows Rizoiu et al. 2017
DAMPING = 0.2  # [assumed]: a public reply keeps 20% of the thread's excitation
KERNELS = ("visibility", "exponential", "power_law")


# Kernels: densities on [0, ∞) -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ExponentialKernel:
    mean_s: float

    def cdf(self, t):
        return 1.0 - np.exp(-np.maximum(np.asarray(t, float), 0.0) / self.mean_s)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.exponential(self.mean_s, size)


@dataclass(frozen=True)
class PowerLawKernel:
    """g(t) = θ c^θ (t + c)^−(1+θ) (a Lomax density); heavy-tailed, infinite mean for θ ≤ 1."""

    scale_s: float
    exponent: float

    def cdf(self, t):
        t = np.maximum(np.asarray(t, float), 0.0)
        return 1.0 - (self.scale_s / (t + self.scale_s)) ** self.exponent

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        u = 1.0 - rng.random(size)  # (0, 1]
        return self.scale_s * (u ** (-1.0 / self.exponent) - 1.0)


@dataclass(frozen=True)
class VisibilityKernel:
    """The normalised visibility curve (``sim.reputation.exposure``): excitation follows impressions."""

    curve: object

    def cdf(self, t):
        return self.curve.share(t)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return self.curve.sample_ages(rng, size)


# Marks --------------------------------------------------------------------------------------------------------------
def mean_power_of_reach(reach, beta: float, r_ref: float) -> float:
    """E[(R / r_ref)^β] for the social channel's reach R = min(⌊X⌋, cap), X Pareto(exponent a, minimum m).

    Exact over whole follower counts (summation by parts: E f(R) = f(k0) + Σ_k (f(k) − f(k−1))·P(X ≥ k)) up to a
    million, and the integral ∫ f'(x)·(m/x)^a dx above it (the rounding no longer matters there). It depends on the
    parameters only: computed once per process for each (a, m, cap, β, r_ref) (``_mean_power``)."""
    return _mean_power(float(reach.exponent), float(reach.minimum), float(reach.cap), float(beta), float(r_ref))


@lru_cache(maxsize=256)
def _mean_power(a: float, m: float, cap: float, beta: float, r_ref: float) -> float:
    k0 = math.floor(m)
    top = min(math.floor(cap), 1_000_000)
    out = float((np.minimum(k0, cap) / r_ref) ** beta)
    if top > k0:
        k = np.arange(k0, top + 1, dtype=float)  # f on k0 … top, once: f(k) − f(k−1) is its difference
        fk = (np.minimum(k, cap) / r_ref) ** beta
        surv = np.minimum(1.0, (m / k[1:]) ** a)
        out += float(np.sum(np.diff(fk) * surv))
    if cap > top:  # continuous tail: ∫_top^cap β x^(β−1) / r_ref^β · (m/x)^a dx
        if abs(beta - a) < 1e-12:
            tail = beta * m ** a / r_ref ** beta * math.log(cap / top)
        else:
            tail = beta * m ** a / r_ref ** beta * (cap ** (beta - a) - top ** (beta - a)) / (beta - a)
        out += tail
    return out


@dataclass(frozen=True)
class PileOn:
    """The self-exciting complaint process of the social channels (see the module notes)."""

    excitation: float = EXCITATION
    reach_exponent: float = REACH_EXPONENT
    reference_reach: float | None = None  # None: the channel's reach minimum
    damping: float = DAMPING
    kernel: object = None  # ExponentialKernel | PowerLawKernel | VisibilityKernel
    channels: tuple[str, ...] | None = None  # None: every social channel

    def r_ref(self, reach) -> float:
        return self.reference_reach if self.reference_reach is not None else reach.minimum

    def mark(self, reach_value: float, reach) -> float:
        """Expected direct pile-ons of a never-answered complaint whose author has ``reach_value`` followers."""
        return self.excitation * (reach_value / self.r_ref(reach)) ** self.reach_exponent

    def branching_ratio(self, reach) -> float:
        """n* = κ·E[(R / r_ref)^β] (no replies)."""
        return self.excitation * mean_power_of_reach(reach, self.reach_exponent, self.r_ref(reach))

    def damped_branching_ratio(self, reach, reply_delay_s: float) -> float:
        """The branching ratio when every thread is answered publicly ``reply_delay_s`` after it was posted."""
        g = float(self.kernel.cdf(reply_delay_s))
        return self.branching_ratio(reach) * (g + self.damping * (1.0 - g))

    def offspring(self, rng: np.random.Generator, reach_values: np.ndarray, reach) -> tuple[np.ndarray, ...]:
        """Undamped direct offspring of complaints by authors with ``reach_values`` followers: (index of the parent,
        age in seconds, a uniform that decides the candidate under damping) — Poisson(κ·w) per parent, ages from g."""
        counts = rng.poisson(self.mark(np.asarray(reach_values, dtype=float), reach))
        owner = np.repeat(np.arange(len(counts)), counts)
        return owner, self.kernel.sample(rng, len(owner)), rng.random(len(owner))

    def candidates(self, rng: np.random.Generator, reach_value: float, reach) -> tuple[list[float], list[float]]:
        """One complaint's candidate pile-ons (the run-time path of ``offspring``): ages and their uniforms."""
        n = int(rng.poisson(self.excitation * (reach_value / self.r_ref(reach)) ** self.reach_exponent))
        if n == 0:
            return [], []
        return self.kernel.sample(rng, n).tolist(), rng.random(n).tolist()

    def kept(self, age, answered_after_s, u):
        """Is a candidate at ``age`` a real pile-on post, given the thread's first public reply ``answered_after_s``
        after posting (NaN or ∞: not answered)? Thinning: always before the reply, with probability δ after it.
        Scalars or arrays."""
        if np.ndim(age) == 0 and np.ndim(answered_after_s) == 0:
            return not (answered_after_s <= age) or u < self.damping
        return ~(np.asarray(answered_after_s) <= np.asarray(age)) | (np.asarray(u) < self.damping)


def simulate_cascades(pile_on: PileOn, reach, n: int, rng: np.random.Generator,
                      reply_delay_s: float = math.inf, max_generations: int = 10_000) -> np.ndarray:
    """Sizes of ``n`` independent cascades (the first complaint included) when every thread is answered publicly
    ``reply_delay_s`` after it was posted (∞: never). Generation by generation with the same ``offspring`` / ``kept``
    rules as the run-time model (``sim.reputation.live``); authors' reach from ``reach`` (``sim.social.spec.Reach``)."""
    sizes = np.ones(n, dtype=np.int64)
    current = np.arange(n)  # cascade index of each post of the current generation
    for _ in range(max_generations):
        if len(current) == 0:
            return sizes
        owner, ages, u = pile_on.offspring(rng, reach.sample(rng, len(current)), reach)
        current = current[owner][pile_on.kept(ages, reply_delay_s, u)]
        np.add.at(sizes, current, 1)
    raise RuntimeError("a cascade did not die out: branching ratio at or above 1")
