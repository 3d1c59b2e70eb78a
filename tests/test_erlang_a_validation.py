"""Simulated vs exact: the engine against Erlang A (M/M/n+M) at ρ = 0.83, and P(abandon) = θ·E[wait] also with
lognormal service (beyond Erlang A). Checks as in tests/test_erlang_validation.py (cases in tests/erlang_cases.py)."""
from __future__ import annotations

import pytest

from tests.erlang_cases import CONFIGS, check_abandonment_identity, check_case, runs


@pytest.fixture(scope="module")
def cases():
    return runs(("A_rho83", "lognormal_A"))


def test_simulation_matches_exact_erlang_a(cases):
    check_case(cases["A_rho83"], "A_rho83")


@pytest.mark.parametrize("name", ["A_rho83", "lognormal_A"])
def test_abandonment_equals_theta_times_mean_wait(cases, name):
    """P(abandon) = θ·E[wait] holds for exponential patience whatever the service distribution (here also lognormal
    service, CV 1.5)."""
    check_abandonment_identity(cases[name], CONFIGS[name][3])
