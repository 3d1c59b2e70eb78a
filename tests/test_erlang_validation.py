"""Simulated vs exact: the engine against Erlang C (M/M/n) and Erlang A (M/M/n+M), Little's law on the sample path,
and P(abandon) = θ·E[wait].

Each check is |estimate − exact| ≤ 4·SE, where SE is the standard error across independent replications (each a long
run after a warm-up, so the empty-start bias is negligible). Where the test says so it also requires 4·SE ≤ 2% of the
exact value, i.e. a 2% error in the simulator would fail it. Runs are shared between tests and spread over the cores.
"""
from __future__ import annotations

import math
import os
from concurrent.futures import ProcessPoolExecutor

import pandas as pd
import pytest

import sim
from sim import analytic
from tests.conftest import erlang_raw, scenario

REPS = 20
POWER = 0.02  # the relative error each powered check must be able to expose
ALL = ("sl_offered", "sl_answered", "sl_excl_short_abandons", "asa_s", "mean_wait_s", "abandon_rate", "occupancy",
       "mean_queue")

# name: (agents, calls per hour, AHT s, mean patience s or None, customers in all, warm-up h, powered measures)
CONFIGS = {
    # Erlang C, ρ = 0.5 on one agent: every measure powered.
    "C_rho50": (1, 7.5, 240, None, 2_500_000, 4, ALL),
    # Erlang C, ρ = 0.9 on ten agents: waits are too variable to power at this size (they are checked at 4·SE);
    # occupancy is powered.
    "C_rho90": (10, 135, 240, None, 600_000, 12, ("occupancy",)),
    # Erlang A, ρ = 0.83: every measure powered but the time-average queue, which also carries the run-to-run
    # fluctuation of arrivals (it equals arrivals × mean wait / time exactly: see the Little's law test).
    "A_rho83": (8, 100, 240, 300, 3_000_000, 2, ALL[:-1]),
    # Erlang A in overload (ρ = 1.08): every measure powered.
    "A_rho108": (8, 130, 240, 300, 2_500_000, 2, ALL),
    # Erlang A in heavy overload (ρ = 1.67): SL is ~5% there, so only the large measures are powered.
    "A_rho167": (8, 200, 240, 300, 1_000_000, 2, ("asa_s", "mean_wait_s", "abandon_rate", "occupancy", "mean_queue")),
}


def config_raw(n, per_h, aht, patience, customers, warm_h):
    hours = customers / REPS / per_h + warm_h
    return erlang_raw(n=n, rate=f"{per_h}/h", aht=f"{aht}s", patience=None if patience is None else f"{patience}s",
                      horizon=f"{math.ceil(hours)}h", warmup=f"{warm_h}h", reps=REPS, seed=20240611)


def _one(args):
    name, raw, rep = args
    res = sim.run(scenario(raw), replications=[rep])
    per = res.replications.pivot_table(index="replication", columns="metric", values="value")
    return name, per.assign(wait_sum=res.contacts["wait_s"].sum(), offered_n=len(res.contacts))


@pytest.fixture(scope="module")
def runs() -> dict[str, pd.DataFrame]:
    jobs = [(name, config_raw(*cfg[:6]), r) for name, cfg in CONFIGS.items() for r in range(REPS)]
    jobs.append(("lognormal_A", _lognormal_raw(), 0))
    jobs += [("lognormal_A", _lognormal_raw(), r) for r in range(1, REPS)]
    with ProcessPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        out = list(pool.map(_one, jobs, chunksize=1))
    frames: dict[str, list] = {}
    for name, df in out:
        frames.setdefault(name, []).append(df)
    return {k: pd.concat(v) for k, v in frames.items()}


def exact(name: str) -> dict:
    n, per_h, aht, patience, *_ = CONFIGS[name]
    if patience is None:
        return analytic.erlang_c_metrics(n, per_h / 3600, aht, 20.0)
    return analytic.erlang_a_metrics(n, per_h / 3600, aht, patience, 20.0)


EXACT_KEY = {"abandon_rate": "p_abandon"}


@pytest.mark.parametrize("name", list(CONFIGS))
def test_simulation_matches_exact_erlang(runs, name):
    per = runs[name]
    truth = exact(name)
    powered = CONFIGS[name][6]
    report = []
    for metric in ALL:
        x = per[metric].to_numpy(float)
        est, se = x.mean(), x.std(ddof=1) / math.sqrt(len(x))
        ex = truth[EXACT_KEY.get(metric, metric)]
        if ex == 0:
            assert est == 0, metric
            continue
        report.append(f"{metric}: sim {est:.5g} ± {se:.2g} vs exact {ex:.5g}")
        assert abs(est - ex) <= 4 * se, f"{name} {metric}: |{est:.6g} − {ex:.6g}| > 4·SE = {4 * se:.3g}"
        if metric in powered:
            assert 4 * se <= POWER * abs(ex), f"{name} {metric}: SE {se:.3g} too large to expose a 2% error"
    print(name, "; ".join(report))


def _lognormal_raw():
    raw = config_raw(8, 110, 240, 300, 1_000_000, 2)
    raw["channels"]["phone"]["handle_time"] = {"dist": "lognormal", "mean": "240s", "cv": 1.5}
    return raw


@pytest.mark.parametrize("name", ["A_rho83", "A_rho108", "lognormal_A"])
def test_abandonment_equals_theta_times_mean_wait(runs, name):
    """P(abandon) = θ·E[wait] holds for exponential patience whatever the service distribution (here also lognormal
    service, beyond Erlang A)."""
    per = runs[name]
    theta = 1 / 300
    d = per["abandon_rate"] - theta * per["mean_wait_s"]
    se = d.std(ddof=1) / math.sqrt(len(d))
    assert abs(d.mean()) <= 4 * se
    assert 4 * se <= POWER * per["abandon_rate"].mean()


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
