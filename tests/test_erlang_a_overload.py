"""Simulated vs exact: the engine against Erlang A (M/M/n+M) in overload (ρ = 1.08 and 1.67), and P(abandon) =
θ·E[wait] there. Checks as in tests/test_erlang_validation.py (cases in tests/erlang_cases.py)."""
from __future__ import annotations

import pytest

from tests.erlang_cases import CONFIGS, check_abandonment_identity, check_case, runs

CASES = ("A_rho108", "A_rho167")


@pytest.fixture(scope="module")
def cases():
    return runs(CASES)


@pytest.mark.parametrize("name", CASES)
def test_simulation_matches_exact_erlang_a(cases, name):
    check_case(cases[name], name)


def test_abandonment_equals_theta_times_mean_wait_in_overload(cases):
    check_abandonment_identity(cases["A_rho108"], CONFIGS["A_rho108"][3])
