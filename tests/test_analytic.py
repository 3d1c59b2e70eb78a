"""Exact queueing baselines (sim.analytic) against independent brute-force computations, and the `erlang` command."""
from __future__ import annotations

import json
import math
import time
from fractions import Fraction

import numpy as np
import pytest
import scipy.linalg
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import sim.analytic as A
from sim.analytic.erlang_a import erlang_a_metrics
from sim.cli import main

KEYS = A.METRIC_KEYS


# ---------------------------------------------------------------- brute force

def chain_stationary(n, lam, mu, theta, extra):
    """Stationary law of the birth–death chain truncated at n + extra, from the generator as a linear system."""
    size = n + extra + 1
    q = np.zeros((size, size))
    for j in range(size):
        if j + 1 < size:
            q[j, j + 1] = lam
        if j > 0:
            q[j, j - 1] = min(j, n) * mu + max(j - n, 0) * theta
        q[j, j] = -q[j].sum()
    system = q.T.copy()
    system[-1, :] = 1.0
    rhs = np.zeros(size)
    rhs[-1] = 1.0
    pi = np.linalg.solve(system, rhs)
    assert pi[-1] < 1e-15  # truncation is harmless
    return pi


def brute_erlang_a(n, lam, service, patience, target, extra=200):
    """Every metric from the truncated chain and, per queue position seen on arrival (PASTA), the tagged caller's
    own absorbing CTMC: P(answered/abandoned by T) from expm, E[wait·1{answered}] from the fundamental matrix."""
    mu, theta = 1.0 / service, 1.0 / patience
    pi = chain_stationary(n, lam, mu, theta, extra)
    j = np.arange(len(pi))
    queue = np.maximum(j - n, 0)
    p_wait = pi[n:].sum()
    p_abandon = float(np.dot(pi, queue)) * theta / lam  # abandonment flux / arrival rate
    answered_by_t = pi[:n].sum()
    abandoned_by_t = answered_wait = 0.0
    for k in range(len(pi) - n):
        if pi[n + k] < 1e-17:
            continue
        # states 0..k: k − i callers ahead; k+1: answered; k+2: abandoned
        g = np.zeros((k + 3, k + 3))
        for i in range(k + 1):
            ahead = k - i
            if ahead > 0:
                g[i, i + 1] = n * mu + ahead * theta
            else:
                g[i, k + 1] = n * mu
            g[i, k + 2] = theta
            g[i, i] = -g[i].sum()
        p = scipy.linalg.expm(g * target)
        answered_by_t += pi[n + k] * p[0, k + 1]
        abandoned_by_t += pi[n + k] * p[0, k + 2]
        fundamental = np.linalg.inv(-g[: k + 1, : k + 1])
        answered_wait += pi[n + k] * (fundamental @ fundamental @ g[: k + 1, k + 1])[0]
    p_served = 1.0 - p_abandon
    mean_queue = float(np.dot(pi, queue))
    return {
        "p_wait": p_wait,
        "sl_offered": answered_by_t,
        "sl_answered": answered_by_t / p_served,
        "sl_excl_short_abandons": answered_by_t / (1.0 - abandoned_by_t),
        "asa_s": answered_wait / p_served,
        "mean_wait_s": mean_queue / lam,
        "p_abandon": p_abandon,
        "occupancy": float(np.dot(pi, np.minimum(j, n))) / n,
        "mean_queue": mean_queue,
    }


def assert_close(got, want, rel, abs_=0.0, keys=KEYS):
    for k in keys:
        assert got[k] == pytest.approx(want[k], rel=rel, abs=abs_), k


# ---------------------------------------------------------------- Erlang B and C

@pytest.mark.parametrize("load", [Fraction(1, 10), Fraction(1), Fraction(5), Fraction(25, 2), Fraction(40)])
def test_erlang_b_recursion_matches_factorial_formula(load):
    for n in range(0, 31):
        terms = [load**k / math.factorial(k) for k in range(n + 1)]
        exact = terms[-1] / sum(terms)
        assert A.erlang_b(n, float(load)) == pytest.approx(float(exact), rel=1e-12)


def test_erlang_c_matches_direct_formula():
    for n, load in [(1, 0.5), (3, 2.2), (10, 6.667), (25, 24.0)]:
        top = load**n / math.factorial(n) * n / (n - load)
        exact = top / (sum(load**k / math.factorial(k) for k in range(n)) + top)
        assert A.erlang_c(n, load) == pytest.approx(exact, rel=1e-12)
    assert A.erlang_c(5, 5.0) == 1.0 and A.erlang_c(5, 7.5) == 1.0


@pytest.mark.parametrize("n, rate, service, target", [(1, 0.002, 240, 20), (4, 0.0125, 240, 20), (12, 0.04, 240, 30)])
def test_erlang_c_metrics_match_birth_death_chain(n, rate, service, target):
    mu = 1.0 / service
    pi = chain_stationary(n, rate, mu, 0.0, extra=900)
    j = np.arange(len(pi))
    mean_queue = float(np.dot(pi, np.maximum(j - n, 0)))
    # a caller finding n + k in the system waits for k + 1 service completions at rate nμ (PASTA)
    k = np.arange(len(pi) - n)
    sl = pi[:n].sum() + float(np.dot(pi[n:], stats.gamma.cdf(target, a=k + 1, scale=1.0 / (n * mu))))
    m = A.erlang_c_metrics(n, rate, service, target)
    want = {"p_wait": pi[n:].sum(), "sl_offered": sl, "sl_answered": sl, "sl_excl_short_abandons": sl,
            "asa_s": mean_queue / rate, "mean_wait_s": mean_queue / rate, "p_abandon": 0.0,
            "occupancy": rate * service / n, "mean_queue": mean_queue}
    assert_close(m, want, rel=1e-9, abs_=1e-15)


def test_erlang_c_unstable_load_is_consistent():
    for n in (5, 6):  # R = 6
        m = A.erlang_c_metrics(n, 6 / 240, 240, 20)
        assert m["p_wait"] == 1.0 and m["occupancy"] == 1.0 and m["p_abandon"] == 0.0
        assert m["sl_offered"] == m["sl_answered"] == m["sl_excl_short_abandons"] == 0.0
        assert math.isinf(m["asa_s"]) and math.isinf(m["mean_wait_s"]) and math.isinf(m["mean_queue"])


# ---------------------------------------------------------------- Erlang A: exactness

@pytest.mark.parametrize("n, rate, service, patience, target", [
    (3, 0.02, 120, 200, 20),   # moderate load
    (5, 0.05, 120, 60, 30),    # impatient callers, R > n
    (2, 0.05, 180, 300, 10),   # heavily overloaded (R = 9 on 2 agents)
    (1, 0.004, 240, 600, 0),   # single agent, T = 0
    (8, 0.02, 240, 120, 45),
])
def test_erlang_a_matches_brute_force(n, rate, service, patience, target):
    assert_close(erlang_a_metrics(n, rate, service, patience, target),
                 brute_erlang_a(n, rate, service, patience, target), rel=1e-8, abs_=1e-14)


@pytest.mark.parametrize("n, rate, service, target", [
    (1, 0.002, 240, 20), (10, 0.0278, 240, 20), (50, 0.18, 240, 20), (10_000, 41.0, 240, 20), (300, 1.2, 240, 0)])
def test_erlang_a_with_endless_patience_is_erlang_c(n, rate, service, target):
    c = A.erlang_c_metrics(n, rate, service, target)
    assert A.erlang_a_metrics(n, rate, service, math.inf, target) == c
    a = A.erlang_a_metrics(n, rate, service, 1e12, target)
    assert_close(a, c, rel=1e-6, abs_=1e-9)


@pytest.mark.parametrize("n, rate, growth", [(5, 6 / 240, 50), (100, 0.5, 50), (6, 6 / 240, 5)])
def test_erlang_a_with_endless_patience_overloaded_tends_to_unstable_erlang_c(n, rate, growth):
    """R ≥ n: Erlang A stays stable, but as patience grows its waits grow without bound and SL falls to 0
    (Erlang C reports infinite waits and SL 0 there)."""
    previous = None
    for patience in (1e4, 1e6, 1e8, 1e10):
        m = A.erlang_a_metrics(n, rate, 240, patience, 20)
        assert all(math.isfinite(v) for v in m.values())
        if previous is not None:
            assert m["mean_wait_s"] > growth * previous["mean_wait_s"]
            assert m["asa_s"] > growth * previous["asa_s"]
            assert m["sl_offered"] <= previous["sl_offered"] and m["p_wait"] >= previous["p_wait"]
        assert m["p_abandon"] >= 1.0 - n / (rate * 240) - 1e-12  # throughput cannot exceed nμ ...
        if patience >= 1e8:
            assert m["sl_offered"] < 1e-2 and m["p_wait"] > 0.99
            assert m["p_abandon"] == pytest.approx(1.0 - n / (rate * 240), abs=0.01)  # ... and tends to it
        previous = m


@settings(deadline=None, max_examples=60)
@given(n=st.integers(1, 200), load_per_agent=st.floats(0.05, 3.0), service=st.floats(30, 900),
       patience=st.floats(5, 5000), target=st.floats(0, 120))
def test_erlang_a_abandonment_equals_theta_times_mean_wait(n, load_per_agent, service, patience, target):
    """P(abandon) (from each queue position's P(hang up)) = θ·E[wait] (from the mean queue by Little's law)."""
    rate = load_per_agent * n / service
    m = A.erlang_a_metrics(n, rate, service, patience, target)
    assert m["p_abandon"] == pytest.approx(m["mean_wait_s"] / patience, rel=1e-9, abs=1e-300)
    for k in ("p_wait", "sl_offered", "sl_answered", "sl_excl_short_abandons", "p_abandon", "occupancy"):
        assert -1e-12 <= m[k] <= 1.0 + 1e-12, k
    assert m["sl_offered"] <= m["sl_answered"] + 1e-12 and m["sl_offered"] <= m["sl_excl_short_abandons"] + 1e-12


@pytest.mark.parametrize("n, rate, service, patience, target", [
    (50, 0.25, 240, 600, 20), (50, 0.3, 240, 3000, 20), (100, 0.5, 240, 1e5, 20),
    (10, 0.05, 240, 1e4, 30), (40, 0.16, 240, 300, 15)])
def test_incomplete_gamma_closed_forms_agree_with_the_series(n, rate, service, patience, target):
    """Overloaded cases with very long patience use the Mandelbaum–Zeltyn closed forms: same values."""
    series = erlang_a_metrics(n, rate, service, patience, target)
    closed = erlang_a_metrics(n, rate, service, patience, target, max_series_terms=5)
    assert_close(closed, series, rel=1e-8, abs_=1e-12)


def test_ten_thousand_agents_are_finite_and_sane():
    start = time.perf_counter()
    for load in (9_800.0, 10_000.0, 10_300.0):
        rate = load / 240
        a = A.erlang_a_metrics(10_000, rate, 240, 300, 20)
        assert all(math.isfinite(v) for v in a.values())
        assert 0.0 < a["p_abandon"] < 1.0 and a["p_abandon"] >= 1.0 - 10_000 / load - 1e-12
        assert 0.0 < a["occupancy"] <= 1.0 and 0.0 <= a["sl_offered"] <= 1.0
        assert a["p_wait"] == pytest.approx(A.garnett_p_wait(10_000, load, 240, 300), rel=0.03)
    c = A.erlang_c_metrics(10_000, 9_900 / 240, 240, 20)
    assert all(math.isfinite(v) for v in c.values()) and 0.0 < c["p_wait"] < 1.0
    assert c["p_wait"] == pytest.approx(A.garnett_p_wait(10_000, 9_900, 240, math.inf), rel=0.03)
    assert time.perf_counter() - start < 5.0


@settings(deadline=None, max_examples=40)
@given(n=st.integers(1, 80), load_per_agent=st.floats(0.1, 2.5), service=st.floats(30, 900),
       patience=st.floats(10, 3000), target=st.floats(0, 120))
def test_more_agents_raise_service_level_and_cut_abandonment(n, load_per_agent, service, patience, target):
    rate = load_per_agent * n / service
    fewer = A.erlang_a_metrics(n, rate, service, patience, target)
    more = A.erlang_a_metrics(n + 1, rate, service, patience, target)
    for k in ("sl_offered", "sl_answered", "sl_excl_short_abandons"):
        assert more[k] >= fewer[k] - 1e-12, k
    for k in ("p_abandon", "p_wait", "mean_wait_s", "asa_s"):
        assert more[k] <= fewer[k] * (1 + 1e-12) + 1e-15, k
    c_fewer = A.erlang_c_metrics(n, rate, service, target)
    c_more = A.erlang_c_metrics(n + 1, rate, service, target)
    assert c_more["sl_offered"] >= c_fewer["sl_offered"] - 1e-12
    assert c_more["mean_wait_s"] <= c_fewer["mean_wait_s"]


# ---------------------------------------------------------------- approximations and staffing

@pytest.mark.parametrize("beta", [-0.5, 0.0, 0.5, 1.0])
def test_garnett_approximation_is_close_for_a_large_system(beta):
    load = 2000.0
    n = round(load + beta * math.sqrt(load))
    exact = A.erlang_a_metrics(n, load / 240, 240, 300, 20)["p_wait"]
    assert A.garnett_p_wait(n, load, 240, 300) == pytest.approx(exact, rel=0.03)
    if beta > 0:  # Halfin–Whitt limit of Erlang C
        assert A.garnett_p_wait(n, load, 240, math.inf) == pytest.approx(A.erlang_c(n, load), rel=0.05)


def test_sqrt_staffing():
    assert A.sqrt_staffing(100, 1.0) == 110
    assert A.sqrt_staffing(100, 0.5) == 105
    assert A.sqrt_staffing(4, 0.5) == 5
    assert A.sqrt_staffing(10.2, 0.0) == 11
    assert A.sqrt_staffing(0, 1.0) == 0


def brute_required(rate, service, target, level, patience=None, max_abandon=None, max_occupancy=None,
                   sl_definition="sl_offered"):
    for n in range(1, 100_000):
        m = A.queue_metrics(n, rate, service, target, patience)
        if patience is None and rate * service >= n:
            continue
        if ((level is None or m[sl_definition] >= level) and (max_abandon is None or m["p_abandon"] <= max_abandon)
                and (max_occupancy is None or m["occupancy"] <= max_occupancy)):
            return n
    raise AssertionError("no staffing found")


@pytest.mark.parametrize("kwargs", [
    dict(rate=100 / 3600, service=240, target=20, level=0.8),
    dict(rate=100 / 3600, service=240, target=20, level=0.8, patience=300),
    dict(rate=0.001, service=240, target=20, level=0.5),
    dict(rate=2.0, service=300, target=15, level=0.9),
    dict(rate=2.0, service=300, target=15, level=0.9, patience=120),
    dict(rate=2.0, service=300, target=15, level=0.9, patience=120, sl_definition="sl_answered"),
    dict(rate=2.0, service=300, target=15, level=0.5, patience=600, sl_definition="sl_excl_short_abandons"),
    dict(rate=0.5, service=240, target=20, level=0.8, patience=300, max_abandon=0.01),
    dict(rate=0.5, service=240, target=20, level=0.2, max_occupancy=0.8),
    dict(rate=0.5, service=240, target=20, level=None, patience=60, max_abandon=0.2),
])
def test_required_agents_equals_brute_force_scan(kwargs):
    args = (kwargs.pop("rate"), kwargs.pop("service"), kwargs.pop("target"), kwargs.pop("level"))
    patience = kwargs.pop("patience", None)
    want = brute_required(*args, patience, **kwargs)
    assert A.required_agents(*args, mean_patience_s=patience, **kwargs) == want


def test_required_agents_for_a_large_centre_is_quick():
    start = time.perf_counter()
    n = A.required_agents(41.0, 240, 20, 0.8, mean_patience_s=300)
    assert A.queue_metrics(n, 41.0, 240, 20, 300)["sl_offered"] >= 0.8
    assert A.queue_metrics(n - 1, 41.0, 240, 20, 300)["sl_offered"] < 0.8
    assert time.perf_counter() - start < 2.0


def test_required_agents_refuses_impossible_targets():
    with pytest.raises(ValueError, match="service_level"):
        A.required_agents(0.1, 240, 20, 1.0)
    with pytest.raises(ValueError, match="sl_definition"):
        A.required_agents(0.1, 240, 20, 0.8, sl_definition="asa")
    with pytest.raises(ValueError, match="mean_service_s"):
        A.required_agents(0.1, 0, 20, 0.8)


def test_staffing_table():
    t = A.staffing_table(100 / 3600, 240, 20, 0.8, mean_patience_s=300, shrinkage=0.3, rows_around=3)
    best = A.required_agents(100 / 3600, 240, 20, 0.8, mean_patience_s=300)
    assert list(t["agents"]) == list(range(best - 3, best + 4))
    assert t.loc[t["recommended"], "agents"].tolist() == [best]
    assert list(t["meets_target"]) == [n >= best for n in t["agents"]]
    assert list(t["rostered"]) == [math.ceil(round(n / 0.7, 9)) for n in t["agents"]]
    assert A.rostered_agents(7, 0.3) == 10  # 7/0.7 is 10.000000000000002 in floating point
    for k in KEYS:
        assert k in t.columns
    row = t.loc[t["agents"] == best].iloc[0]
    assert row["sl_offered"] == A.erlang_a_metrics(best, 100 / 3600, 240, 300, 20)["sl_offered"]


def test_invalid_arguments_name_the_parameter():
    with pytest.raises(ValueError, match="rate"):
        A.erlang_a_metrics(3, -1.0, 240, 300, 20)
    with pytest.raises(ValueError, match="whole number"):
        A.erlang_c_metrics(2.5, 0.01, 240, 20)
    with pytest.raises(ValueError, match="mean_patience_s"):
        A.erlang_a_metrics(3, 0.01, 240, 0, 20)


# ---------------------------------------------------------------- the command line

def test_erlang_command_prints_the_table(capsys):
    assert main(["erlang", "--rate", "100/h", "--aht", "240s", "--target", "80/20s", "--shrinkage", "30%"]) == 0
    out = capsys.readouterr().out
    best = A.required_agents(100 / 3600, 240, 20, 0.8)
    marked = [line for line in out.splitlines() if line.endswith("<- recommended")]
    assert len(marked) == 1 and marked[0].split()[:2] == [str(best), str(A.rostered_agents(best, 0.3))]
    assert "Erlang C" in out and "6.667 Erlangs" in out


def test_erlang_command_json_with_patience(capsys):
    argv = ["erlang", "--rate", "6/min", "--aht", "4min", "--target", "80/20s", "--patience", "5min", "--json",
            "--max-abandon", "5%"]
    assert main(argv) == 0
    doc = json.loads(capsys.readouterr().out)
    best = A.required_agents(0.1, 240, 20, 0.8, mean_patience_s=300, max_abandon=0.05)
    assert doc["model"] == "erlang_a" and doc["recommended_agents"] == best
    row = next(r for r in doc["rows"] if r["recommended"])
    assert row["agents"] == best and row["p_abandon"] <= 0.05
    assert row["sl_offered"] == pytest.approx(A.erlang_a_metrics(best, 0.1, 240, 300, 20)["sl_offered"], rel=1e-12)


def test_erlang_command_json_unstable_rows_are_null(capsys):
    assert main(["erlang", "--rate", "100/h", "--aht", "240s", "--target", "80/20s", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert rows[0]["agents"] == 5 and rows[0]["asa_s"] is None and rows[0]["sl_offered"] == 0.0


@pytest.mark.parametrize("argv, flag", [
    (["--rate", "100", "--aht", "240s", "--target", "80/20s"], "--rate"),
    (["--rate", "lots/h", "--aht", "240s", "--target", "80/20s"], "--rate"),
    (["--rate", "100/h", "--aht", "0s", "--target", "80/20s"], "--aht"),
    (["--rate", "100/h", "--aht", "240s", "--target", "120/20s"], "--target"),
    (["--rate", "100/h", "--aht", "240s", "--target", "80/20s", "--shrinkage", "100%"], "--shrinkage"),
    (["--rate", "100/h", "--aht", "240s", "--target", "80/20s", "--patience", "soon"], "--patience"),
    (["--rate", "100/h", "--aht", "240s", "--target", "80/20s", "--sl-definition", "asa"], "--sl-definition"),
])
def test_erlang_command_bad_input_exits_2(capsys, argv, flag):
    assert main(["erlang", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"error: {flag}: expected") and "Traceback" not in captured.err
