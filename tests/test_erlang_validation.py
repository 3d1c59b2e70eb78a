"""Simulated vs exact: the engine against Erlang C (M/M/n), and Little's law on the sample path. Erlang A is checked
in tests/test_erlang_a_validation.py and tests/test_erlang_a_overload.py (three modules, so the long runs are spread
over the pytest-xdist workers).

Each check is |estimate − exact| ≤ 4·SE, where SE is the standard error across independent replications (each a long
run after a warm-up, so the empty-start bias is negligible), with the arrivals and handle times as control variates
(tests/erlang_cases.py). Where a case says so it also requires 4·SE ≤ 2% of the exact value, i.e. a 2% error in the
simulator would fail it.
"""
from __future__ import annotations

import pytest

import sim
from tests.conftest import erlang_raw, scenario
from tests.erlang_cases import check_case, runs

CASES = ("C_rho50", "C_rho90")


@pytest.fixture(scope="module")
def cases():
    return runs(CASES)


@pytest.mark.parametrize("name", CASES)
def test_simulation_matches_exact_erlang(cases, name):
    check_case(cases[name], name)


def test_littles_law_holds_exactly_on_the_sample_path():
    """With a day that opens, closes and empties, ∫ queue length dt = Σ waits and ∫ busy agents dt = Σ (handle +
    wrap-up), to rounding."""
    raw = erlang_raw(n=5, rate="80/h", aht="200s", patience="150s", horizon="1d", reps=3)
    raw["channels"]["phone"]["open"] = "08:00-18:00"
    raw["agents"]["phone"]["wrap_up"] = {"dist": "exponential", "mean": "15s"}
    res = sim.run(scenario(raw))
    assert (res.contacts["outcome"] != "open").all()
    for rep, iv in res.intervals.groupby("replication"):
        c = res.contacts[res.contacts.replication == rep]
        assert iv["queue_time_s"].sum() == pytest.approx(c["wait_s"].sum(), rel=1e-9)
        served = c[c.outcome == "served"]
        assert iv["busy_agent_s"].sum() == pytest.approx((served["handle_s"] + served["wrap_up_s"]).sum(), rel=1e-9)
        # L = λ W over the day: time-average queue × T = arrivals × mean wait
        T = iv["length_s"].sum()
        L = iv["queue_time_s"].sum() / T
        assert L * T == pytest.approx(len(c) * c["wait_s"].mean(), rel=1e-9)
