"""Stationary Erlang A: the requirement found by simulation equals the exact Erlang A requirement within ±1 agent.

One reporting interval covers the whole run (``interval`` = horizon), so the search sizes one staffing level, judged on
all calls after a one-hour warm-up. Sample size: 12 replications of 10 hours give 12·9·λ calls per staffing level
(≥ 10,000 at the smallest load). The search can leave n* ± 1 only if the estimate at n* + 1 falls below the target or
the one at n* − 2 rises above it; the test checks that both exact margins exceed four standard errors of the estimate
(measured across replications), so a miss by more than one agent is a real disagreement, not noise.
"""
from __future__ import annotations

import pytest

import sim
from sim.analytic import erlang_a_metrics, required_agents
from sim.staffing.requirements import simulate_requirements

SERVICE_S, PATIENCE_S = 240.0, 300.0
CASES = {  # name: (calls per hour, max_abandon)
    "R8": (120.0, None),
    "R20": (300.0, None),
    "R20_abandon3pct": (300.0, 0.03),
    "R40": (600.0, None),
}
REPS = 12


def scenario(rate_per_h: float, max_abandon: float | None):
    targets = {"answer_within": "20s", "service_level": 0.80}
    if max_abandon is not None:
        targets["max_abandon"] = max_abandon
    raw = {
        "schema": 1,
        "name": "stationary",
        "run": {"horizon": "10h", "warmup": "1h", "interval": "10h", "replications": REPS, "seed": 5},
        "channels": {"phone": {"arrivals": {"rate": f"{rate_per_h:g}/h"},
                               "handle_time": {"dist": "exponential", "mean": f"{SERVICE_S:g}s"},
                               "patience": {"dist": "exponential", "mean": f"{PATIENCE_S:g}s"},
                               "targets": targets}},
        "agents": {"phone": {"serves": ["phone"], "count": 1}},
        "staffing": {"replications": REPS, "check_replications": 2},
    }
    return sim.parse_scenario(raw)


def exact_required(rate_per_h: float, max_abandon: float | None) -> int:
    return required_agents(rate_per_h / 3600.0, SERVICE_S, 20.0, 0.80, PATIENCE_S, max_abandon=max_abandon)


@pytest.mark.parametrize("name", list(CASES))
def test_simulated_requirement_matches_exact_erlang_a(name):
    rate, ab = CASES[name]
    req = simulate_requirements(scenario(rate, ab))
    n_sim = int(req.staffing["phone"][0])
    n_exact = exact_required(rate, ab)
    assert req.converged
    assert int(req.table["erlang_a"].iloc[0]) == n_exact  # the heuristic column is the exact formula
    assert abs(n_sim - n_exact) <= 1, f"{name}: simulation {n_sim} agents vs exact Erlang A {n_exact}"
    # Power: with the standard errors this sample has (ratio estimator across replications, measured at the
    # requirement), n* + 1 clears every target and n* − 2 misses one by more than 4 SE, so a miss by more than one
    # agent could not be noise.
    ev = req.evaluation.set_index("metric")
    lam = rate / 3600.0
    hi = erlang_a_metrics(n_exact + 1, lam, SERVICE_S, PATIENCE_S, 20.0)
    lo = erlang_a_metrics(n_exact - 2, lam, SERVICE_S, PATIENCE_S, 20.0)
    se_sl = float(ev.loc["sl_offered", "se"])
    assert hi["sl_offered"] - 0.80 > 4 * se_sl
    misses = lo["sl_offered"] < 0.80 - 4 * se_sl
    if ab is not None:
        se_ab = float(ev.loc["abandon_rate", "se"])
        assert ab - hi["p_abandon"] > 4 * se_ab
        misses = misses or lo["p_abandon"] > ab + 4 * se_ab
    assert misses
