"""Pile-ons as a marked Hawkes process: branching ratio from the parameters, exact mean cascade sizes.

A cascade started by one complaint has expected size 1 / (1 − n*) (Rizoiu et al. 2017), n* = κ·E[(R/r_ref)^β];
with every thread answered publicly after a fixed delay d the branching ratio is n*·(G(d) + δ(1 − G(d))). Each check
uses 200 000 cascades and asserts first that the standard error could expose a 2% error (4·SE ≤ 2% of the exact value).
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from sim.reputation.exposure import VisibilityCurve
from sim.reputation.hawkes import (
    ExponentialKernel,
    PileOn,
    PowerLawKernel,
    VisibilityKernel,
    mean_power_of_reach,
    simulate_cascades,
)
from sim.social.spec import Reach

KERNELS = {
    "visibility": VisibilityKernel(VisibilityCurve()),
    "exponential": ExponentialKernel(1800.0),
    "power_law": PowerLawKernel(60.0, 0.5),
}
REACH = Reach()  # Pareto 2.2, min 50, cap 10M (domain notes §4)


def _check(sizes: np.ndarray, exact: float) -> None:
    se = sizes.std(ddof=1) / math.sqrt(len(sizes))
    assert 4 * se <= 0.02 * exact, (se, exact)
    assert abs(sizes.mean() - exact) <= 4 * se, (sizes.mean(), exact, se)


def pile(n_star: float, kernel, damping: float = 0.2, beta: float = 0.5) -> PileOn:
    """A PileOn whose branching ratio with the default reach is ``n_star``."""
    kappa = n_star / mean_power_of_reach(REACH, beta, REACH.minimum)
    return PileOn(excitation=kappa, reach_exponent=beta, damping=damping, kernel=kernel)


def test_mean_mark_matches_the_reach_sampler():
    """E[(R/50)^β] computed exactly over whole follower counts agrees with 2M sampled authors (and β = 0 gives 1)."""
    rng = np.random.default_rng(11)
    r = REACH.sample(rng, 2_000_000)
    for beta in (0.5, 1.0):
        x = (r / REACH.minimum) ** beta
        exact = mean_power_of_reach(REACH, beta, REACH.minimum)
        se = x.std(ddof=1) / math.sqrt(len(x))
        assert 4 * se <= 0.02 * exact
        assert abs(x.mean() - exact) <= 4 * se, (beta, x.mean(), exact, se)
    assert mean_power_of_reach(REACH, 0.0, 50.0) == pytest.approx(1.0, abs=1e-12)


def test_rounding_and_cap_are_part_of_the_exact_mean():
    """The exact mean of whole, capped follower counts sits below the continuous Pareto mean by about a half."""
    exact = mean_power_of_reach(REACH, 1.0, 1.0)
    assert 0.3 < REACH.mean - exact < 0.7
    small_cap = Reach(2.2, 50.0, 200.0)
    x = small_cap.sample(np.random.default_rng(5), 1_000_000)
    se = x.std(ddof=1) / 1000.0
    assert abs(x.mean() - mean_power_of_reach(small_cap, 1.0, 1.0)) <= 4 * se


@pytest.mark.parametrize("kernel", list(KERNELS))
@pytest.mark.parametrize("n_star", [0.2, 0.5, 0.8])
def test_cascade_size_without_replies(kernel, n_star):
    p = pile(n_star, KERNELS[kernel])
    assert p.branching_ratio(REACH) == pytest.approx(n_star, rel=1e-12)
    sizes = simulate_cascades(p, REACH, 200_000, np.random.default_rng(int(n_star * 100) + len(kernel)))
    _check(sizes, 1.0 / (1.0 - n_star))


@pytest.mark.parametrize("kernel", list(KERNELS))
@pytest.mark.parametrize("n_star,delay", [(0.5, 300.0), (0.8, 3600.0)])
def test_cascade_size_with_replies_after_a_fixed_delay(kernel, n_star, delay):
    """Every thread answered publicly after ``delay``: mean size 1/(1 − n*(G(d) + δ(1 − G(d))))."""
    p = pile(n_star, KERNELS[kernel], damping=0.25)
    g = float(KERNELS[kernel].cdf(delay))
    damped = n_star * (g + 0.25 * (1 - g))
    assert p.damped_branching_ratio(REACH, delay) == pytest.approx(damped, rel=1e-12)
    assert damped < n_star - 0.05  # the reply matters in this case
    sizes = simulate_cascades(p, REACH, 200_000, np.random.default_rng(int(delay) + len(kernel)), reply_delay_s=delay)
    _check(sizes, 1.0 / (1.0 - damped))


def test_no_damping_means_a_reply_changes_nothing():
    p = pile(0.5, KERNELS["exponential"], damping=1.0)
    assert p.damped_branching_ratio(REACH, 60.0) == pytest.approx(p.branching_ratio(REACH))


@pytest.mark.parametrize("kernel", list(KERNELS))
def test_kernel_sampler_matches_its_cdf(kernel):
    """The offspring ages follow the kernel: the share before its median-ish point is the CDF there (4·SE)."""
    k = KERNELS[kernel]
    x = k.sample(np.random.default_rng(3), 400_000)
    for t in (60.0, 1800.0, 7200.0):
        share, exact = (x <= t).mean(), float(k.cdf(t))
        se = math.sqrt(exact * (1 - exact) / len(x))
        assert abs(share - exact) <= 4 * se + 1e-12, (kernel, t, share, exact)


def test_candidates_are_thinned_only_after_the_reply():
    """kept(): always before the first public reply (or without one), with probability δ after it."""
    p = pile(0.5, KERNELS["exponential"], damping=0.3)
    assert p.kept(100.0, math.nan, 0.99) and p.kept(100.0, 200.0, 0.99)
    assert not p.kept(300.0, 200.0, 0.5) and p.kept(300.0, 200.0, 0.1)
    np.testing.assert_array_equal(p.kept(np.array([100.0, 300.0, 300.0]), 200.0, np.array([0.9, 0.5, 0.1])),
                                  [True, False, True])


def test_candidates_of_one_complaint_are_poisson_with_kernel_ages():
    """A complaint by an author with 5000 followers: Poisson(κ·(5000/50)^β) candidates with ages from the kernel."""
    p = pile(0.5, KERNELS["exponential"])
    rng = np.random.default_rng(4)
    counts, ages = np.empty(12_000), []
    for i in range(len(counts)):
        a, u = p.candidates(rng, 5000.0, REACH)
        assert len(u) == len(a)
        counts[i] = len(a)
        ages.append(a)
    mark = p.mark(5000.0, REACH)
    se = math.sqrt(mark / len(counts))
    assert 4 * se <= 0.02 * mark and abs(counts.mean() - mark) <= 4 * se
    ages = np.concatenate(ages)
    share, exact = (ages <= 1800.0).mean(), float(KERNELS["exponential"].cdf(1800.0))
    assert abs(share - exact) <= 4 * math.sqrt(exact * (1 - exact) / len(ages))


def test_the_mean_mark_is_the_sum_over_whole_follower_counts_and_depends_on_the_parameters_only():
    """With a small cap, E[(R/r)^β] term by term from P(R = k) = P(k ≤ X < k + 1) (and P(X ≥ cap) at the cap); the
    value is computed once per parameters (another Reach with the same values gets it from the cache)."""
    a, m, cap = 1.7, 3.0, 4000.0
    k = np.arange(3, 4001, dtype=float)
    surv = lambda x: np.minimum(1.0, (m / x) ** a)
    p = np.append(surv(k[:-1]) - surv(k[:-1] + 1), surv(cap))
    for beta, r in ((0.5, 3.0), (1.3, 10.0)):
        direct = float(np.sum((k / r) ** beta * p))
        assert mean_power_of_reach(Reach(a, m, cap), beta, r) == pytest.approx(direct, rel=1e-12)
    from sim.reputation.hawkes import _mean_power

    hits = _mean_power.cache_info().hits
    assert mean_power_of_reach(Reach(a, m, cap), 0.5, 3.0) == mean_power_of_reach(Reach(a, m, cap), 0.5, 3.0)
    assert _mean_power.cache_info().hits >= hits + 2
