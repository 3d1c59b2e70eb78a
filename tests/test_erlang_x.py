"""Erlang X (trunk lines, exponential patience, redials): the exact Markov chain against Erlang A/C in its limits,
against its own conservation laws, against the simulated funnel in its reducing case, and the fixed point beside it.

The simulation check runs `scenarios/erlang_x.toml` (24 replications of 50 h, about 15 s on one core): |estimate −
exact| ≤ 4·SE. SE is at most 0.5% of the exact value (a 2% error exposed) for attempts per customer and occupancy, and
at most 1.5% for the rates of busy signals, abandonment and service level (a 6% error exposed); the longer
`experiments/erlang_x_check.py` brings every metric to 0.5%.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import sim
from sim.analytic import erlang_a_metrics, erlang_c_metrics
from sim.analytic.erlang_x import erlang_x_metrics
from tests.conftest import ROOT

LAM, AHT, PATIENCE = 100 / 3600, 240.0, 180.0


def test_erlang_x_with_unused_lines_and_no_redials_is_erlang_a_and_erlang_c():
    x = erlang_x_metrics(6, LAM, AHT, 20.0, 200, PATIENCE)
    a = erlang_a_metrics(6, LAM, AHT, PATIENCE, 20.0)
    for k, v in a.items():
        assert x[k] == pytest.approx(v, rel=1e-9, abs=1e-12), k
    x = erlang_x_metrics(8, LAM, AHT, 20.0, 400)
    c = erlang_c_metrics(8, LAM, AHT, 20.0)
    for k, v in c.items():
        assert x[k] == pytest.approx(v, rel=1e-9, abs=1e-12), k


def test_erlang_x_without_queue_room_is_erlang_b():
    from sim.analytic import erlang_b

    x = erlang_x_metrics(5, LAM, AHT, 20.0, 5, PATIENCE)
    assert x["blocked_rate"] == pytest.approx(erlang_b(5, LAM * AHT), rel=1e-10)
    assert x["p_wait"] == 0.0 and x["sl_offered"] == pytest.approx(1.0)


@pytest.mark.parametrize("method", ["exact", "fixed_point"])
def test_every_fresh_caller_is_answered_or_lost_once(method):
    """Flow balance: answered calls per second + callers who give up = fresh calls per second."""
    n, lines, r = 6, 9, 0.5
    x = erlang_x_metrics(n, LAM, AHT, 20.0, lines, PATIENCE, r, 300.0, method=method)
    served_per_s = x["occupancy"] * n / AHT
    assert served_per_s / LAM + x["unique_abandon_rate"] == pytest.approx(1.0, rel=1e-9)
    assert x["sl_offered"] <= 1.0 - x["p_abandon"] + 1e-12
    assert 1.0 < x["attempts_per_customer"] < 1.0 / (1.0 - r)


def test_fixed_point_is_exact_without_redials_and_an_approximation_with_them():
    kw = dict(n=6, rate=LAM, mean_service_s=AHT, answer_within_s=20.0, lines=9, mean_patience_s=PATIENCE)
    assert erlang_x_metrics(**kw, method="fixed_point") == pytest.approx(erlang_x_metrics(**kw))
    ex = erlang_x_metrics(**kw, redial_probability=0.5, mean_redial_delay_s=300.0)
    fp = erlang_x_metrics(**kw, redial_probability=0.5, mean_redial_delay_s=300.0, method="fixed_point")
    assert abs(fp["blocked_rate"] / ex["blocked_rate"] - 1) > 0.05  # redials are not Poisson: they follow congestion


def test_more_redials_mean_more_attempts_and_more_busy_signals():
    base = dict(n=6, rate=LAM, mean_service_s=AHT, answer_within_s=20.0, lines=9, mean_patience_s=PATIENCE,
                mean_redial_delay_s=300.0)
    rs = [erlang_x_metrics(**base, redial_probability=r) for r in (0.0, 0.3, 0.6, 0.9)]
    assert all(b["attempts_per_customer"] > a["attempts_per_customer"] for a, b in zip(rs, rs[1:]))
    assert all(b["blocked_rate"] > a["blocked_rate"] for a, b in zip(rs, rs[1:]))
    assert all(b["unique_abandon_rate"] < a["unique_abandon_rate"] for a, b in zip(rs, rs[1:]))


def test_erlang_x_refuses_impossible_inputs():
    with pytest.raises(ValueError, match="lines"):
        erlang_x_metrics(6, LAM, AHT, 20.0, 5)
    with pytest.raises(ValueError, match="redial_probability"):
        erlang_x_metrics(6, LAM, AHT, 20.0, 9, PATIENCE, 1.0)
    assert math.isfinite(erlang_x_metrics(6, 0.0, AHT, 20.0, 9)["sl_offered"])


def _check(v: np.ndarray, exact: float, rel_se: float) -> float:
    est, se = float(v.mean()), float(v.std(ddof=1) / np.sqrt(len(v)))
    assert se <= rel_se * abs(exact), f"SE {se:.4g} too large for {exact:.4g}"
    assert abs(est - exact) <= 4 * se, f"estimate {est:.5g} vs exact {exact:.5g} (SE {se:.3g})"
    return se


def test_simulated_funnel_with_lines_patience_and_redials_matches_the_exact_chain():
    import sys

    sys.path.insert(0, str(ROOT / "experiments"))
    from erlang_x_check import exact_for, per_replication

    sc = sim.load_scenario(ROOT / "scenarios" / "erlang_x.toml")
    est = per_replication(sim.run(sc))
    exact, approx = exact_for(sc), exact_for(sc, "fixed_point")
    for name in ("attempts_per_customer", "occupancy"):
        _check(est[name], exact[name], 0.005)
    for name in ("blocked_rate", "p_abandon", "sl_offered", "asa_s"):
        _check(est[name], exact[name], 0.015)
    # the simulation tells the exact chain from the fixed point: busy signals differ by about 8 SE
    se = est["blocked_rate"].std(ddof=1) / np.sqrt(len(est["blocked_rate"]))
    assert abs(est["blocked_rate"].mean() - approx["blocked_rate"]) > 4 * se


def test_fixed_point_without_a_queue_reproduces_published_extended_erlang_b_values():
    """Extended Erlang B (lines only, a share of blocked calls retried) is Erlang X's fixed point with no queue room.
    Published calculator examples (erlang.com / voipcalculator.com manuals): 5.5 Erlangs, 3% blocking, 50% retried →
    11 lines; 100 Erlangs, 2.5%, 50% → 113 lines; 200 lines at 3% blocking, 70% retried carry 186.877 Erlangs."""
    from scipy.optimize import brentq

    def blocked(lines, load, r):
        return erlang_x_metrics(lines, load / 100.0, 100.0, 20.0, lines, None, r, 1.0,
                                method="fixed_point")["blocked_rate"]

    for load, target, lines in [(5.5, 0.03, 11), (100.0, 0.025, 113)]:
        assert blocked(lines, load, 0.5) <= target < blocked(lines - 1, load, 0.5)
    carried = brentq(lambda a: blocked(200, a, 0.7) - 0.03, 150.0, 220.0, xtol=1e-6)
    assert carried == pytest.approx(186.877, abs=5e-4)


@pytest.mark.parametrize("args", [
    (6, LAM, 1 / AHT, 1 / PATIENCE, 9, 0.5, 1 / 300.0, 30),    # a queue of 3 places
    (6, LAM, 1 / AHT, 0.0, 9, 0.5, 1 / 300.0, 30),             # no hang-ups: only busy signals redial
    (6, LAM, 1 / AHT, 1 / PATIENCE, 6, 0.3, 1 / 120.0, 20),    # lines = agents: no queue at all
    (18, 0.07, 1 / 240.0, 1 / 300.0, 40, 0.5, 1 / 900.0, 45),  # an interval of the planner's day (40 lines)
])
def test_level_reduction_equals_one_sparse_lu_of_the_whole_chain(args):
    from sim.analytic.redial_chain import _solve_chain, _solve_chain_sparse

    a, b = _solve_chain(*args), _solve_chain_sparse(*args)
    assert a.shape == (args[4] + 1, args[-1] + 1) and np.abs(a - b).max() < 1e-12 and a.sum() == pytest.approx(1.0)


@pytest.mark.parametrize("target", [0.0, 20.0, 300.0, math.inf])
def test_closed_form_waiting_chain_equals_the_absorbing_chain_exponential(target):
    """P(answered), P(answered / hung up within T) and the answered wait by products, forward substitution
    and uniformization equal the absorbing chain's sparse solves and matrix exponential."""
    from sim.analytic.waiting_chain import _waiting_chain, _waiting_chain_expm

    for n, theta, positions in [(6, 1 / PATIENCE, 3), (20, 1 / 300.0, 40), (10, 0.0, 25), (1, 1 / 60.0, 1)]:
        fast, ref = _waiting_chain(n, 1 / AHT, theta, positions, target), _waiting_chain_expm(n, 1 / AHT, theta,
                                                                                               positions, target)
        for a, b in zip(fast, ref):
            assert np.allclose(a, b, rtol=1e-9, atol=1e-12)


def test_a_day_of_all_different_volumes_gets_each_intervals_fewest_agents():
    """The day's plan searches each interval from the agents of the next smaller volume (sim.analytic.day.plan_rows);
    on a day where no two intervals are alike, each count equals the fewest agents found alone, by counting up from
    one agent with the exact chain, under a service level and an abandonment target."""
    from sim.analytic.day import DayTargets, Redialing, plan_rows
    from sim.analytic.staffing import _meets

    rng = np.random.default_rng(19)
    volumes = rng.uniform(4.0, 80.0, 14)
    targets, red = DayTargets(0.8, 20.0, max_abandon=0.06), Redialing(40, 0.5, 900.0)
    rows = plan_rows(volumes, [240.0] * 14, [300.0] * 14, 900.0, targets, 0.0, red)
    for vol, row in zip(volumes, rows):
        alone = next(n for n in range(1, 41) if _meets(
            erlang_x_metrics(n, vol / 900.0, 240.0, 20.0, 40, 300.0, 0.5, 900.0), 0.8, 0.06, None, "sl_offered"))
        assert row["erlang_x_agents"] == alone, (vol, row["erlang_x_agents"], alone)
