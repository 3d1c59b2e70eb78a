"""The M/M/n(+M) cases the engine is checked against (tests/test_erlang_validation*.py), their long runs, and the
control-variate estimate every check uses.

Each case runs ``REPS`` independent replications, each one long run after a warm-up. Per replication two quantities
with exactly known means are recorded beside the metrics:

- the contacts offered after the warm-up, ``N``: Poisson with mean λ·(horizon − warm-up);
- the mean handle time of the contacts answered more than a day before the horizon: the mean of the handle-time law.
  A contact's handle time is drawn when it arrives and read only once it is answered, so whether and when it is
  answered does not depend on it; a day before the horizon, every such contact has finished (checked), so none is
  left out for being long.

A metric's estimate is the replications' mean corrected by its regression on the two controls' deviations from their
exact means (control variates, Lavenberg & Welch 1981): the intercept of an ordinary least-squares fit of the metric
on (N/E[N] − 1, mean handle/E[S] − 1), with its usual standard error on n − 3 degrees of freedom. When the metric does
not move with the controls this is the plain mean and its standard error; when it does (occupancy, service level and
waits in overload), the same customers give a much smaller standard error, so each case needs fewer customers than
plain replication means for the same power.
"""
from __future__ import annotations

import math
import os
from concurrent.futures import ProcessPoolExecutor

import pandas as pd

import sim
from sim import analytic
from tests.conftest import erlang_raw, scenario
from tests.control_variates import controlled_mean

REPS = 20
POWER = 0.02  # the relative error each powered check must be able to expose
ALL = ("sl_offered", "sl_answered", "sl_excl_short_abandons", "asa_s", "mean_wait_s", "abandon_rate", "occupancy",
       "mean_queue")
EXACT_KEY = {"abandon_rate": "p_abandon"}
AHT = 240.0
CUTOFF_S = 86_400.0  # the handle-time control counts contacts answered before horizon − 1 day

# name: (agents, calls per hour, AHT s, mean patience s or None, customers in all, warm-up h, powered measures)
CONFIGS = {
    # Erlang C, ρ = 0.5 on one agent: every measure powered.
    "C_rho50": (1, 7.5, AHT, None, 1_800_000, 4, ALL),
    # Erlang C, ρ = 0.9 on ten agents: waits are too variable to power at this size (they are checked at 4·SE);
    # occupancy is powered.
    "C_rho90": (10, 135, AHT, None, 600_000, 12, ("occupancy",)),
    # Erlang A, ρ = 0.83: every measure powered but the time-average queue, which also carries the run-to-run
    # fluctuation of arrivals (it equals arrivals × mean wait / time exactly: see the Little's law test).
    "A_rho83": (8, 100, AHT, 300, 2_200_000, 2, ALL[:-1]),
    # Erlang A in overload (ρ = 1.08): every measure powered.
    "A_rho108": (8, 130, AHT, 300, 500_000, 2, ALL),
    # Erlang A in heavy overload (ρ = 1.67): SL is ~5% there, so only the large measures are powered.
    "A_rho167": (8, 200, AHT, 300, 550_000, 2, ("asa_s", "mean_wait_s", "abandon_rate", "occupancy", "mean_queue")),
    # Erlang A's arrivals and patience with lognormal handle times (CV 1.5): only P(abandon) = θ·E[wait] is exact.
    "lognormal_A": (8, 110, AHT, 300, 800_000, 2, ()),
}


def config_raw(name: str) -> dict:
    n, per_h, aht, patience, customers, warm_h, _ = CONFIGS[name]
    hours = customers / REPS / per_h + warm_h
    raw = erlang_raw(n=n, rate=f"{per_h}/h", aht=f"{aht}s", patience=None if patience is None else f"{patience}s",
                     horizon=f"{math.ceil(hours)}h", warmup=f"{warm_h}h", reps=REPS, seed=20240611)
    if name == "lognormal_A":
        raw["channels"]["phone"]["handle_time"] = {"dist": "lognormal", "mean": f"{aht}s", "cv": 1.5}
    return raw


def _one(args) -> pd.DataFrame:
    name, rep = args
    sc = scenario(config_raw(name))
    res = sim.run(sc, replications=[rep])
    per = res.replications.pivot_table(index="replication", columns="metric", values="value")
    c = res.contacts
    early = c[c["answer_at_s"] < sc.run.horizon_s - CUTOFF_S]
    assert (early["outcome"] == "served").all(), f"{name}: a contact answered a day before the horizon is unfinished"
    per_h = CONFIGS[name][1]
    expected = per_h / 3600 * (sc.run.horizon_s - sc.run.warmup_s)
    return per.assign(offered_n=len(c), n_control=len(c) / expected - 1, s_control=early["handle_s"].mean() / AHT - 1)


def runs(names) -> dict[str, pd.DataFrame]:
    """Per-replication metrics and controls of each named case (one row per replication). Inside a pytest-xdist
    worker the replications run one after another (the other worker has the other core); alone they use a pool."""
    jobs = [(name, r) for name in names for r in range(REPS)]
    if os.environ.get("PYTEST_XDIST_WORKER"):
        out = [_one(j) for j in jobs]
    else:
        with ProcessPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
            out = list(pool.map(_one, jobs, chunksize=1))
    return {name: pd.concat(out[i * REPS:(i + 1) * REPS]) for i, name in enumerate(names)}


def exact(name: str) -> dict:
    n, per_h, aht, patience, *_ = CONFIGS[name]
    if patience is None:
        return analytic.erlang_c_metrics(n, per_h / 3600, aht, 20.0)
    return analytic.erlang_a_metrics(n, per_h / 3600, aht, patience, 20.0)


def estimate(per: pd.DataFrame, values) -> tuple[float, float]:
    """``values`` (one per replication of ``per``) estimated with the case's two controls."""
    return controlled_mean(values, per[["n_control", "s_control"]].to_numpy())


def check_case(per: pd.DataFrame, name: str) -> None:
    """Every metric of ``ALL`` within 4·SE of its exact value; each powered one also with 4·SE ≤ 2% of it."""
    truth = exact(name)
    powered = CONFIGS[name][6]
    report = []
    for metric in ALL:
        ex = truth[EXACT_KEY.get(metric, metric)]
        if ex == 0:
            assert (per[metric] == 0).all(), metric
            continue
        est, se = estimate(per, per[metric])
        report.append(f"{metric}: sim {est:.5g} ± {se:.2g} (SE/exact {se / abs(ex):.4f}) vs exact {ex:.5g}")
        assert abs(est - ex) <= 4 * se, f"{name} {metric}: |{est:.6g} − {ex:.6g}| > 4·SE = {4 * se:.3g}"
        if metric in powered:
            assert 4 * se <= POWER * abs(ex), f"{name} {metric}: SE {se:.3g} too large to expose a 2% error"
    print(name, "; ".join(report))


def check_abandonment_identity(per: pd.DataFrame, patience_s: float) -> None:
    """P(abandon) = θ·E[wait] for exponential patience (θ = 1/mean patience), whatever the service law: the
    replications' mean difference within 4·SE of 0, with 4·SE ≤ 2% of P(abandon). (The controls do not move the
    difference, so it is the plain mean.)"""
    d = per["abandon_rate"] - per["mean_wait_s"] / patience_s
    se = d.std(ddof=1) / math.sqrt(len(d))
    print(f"abandon − θ·wait: {d.mean():.3g} ± {se:.2g} (SE / P(abandon) {se / per['abandon_rate'].mean():.4f})")
    assert abs(d.mean()) <= 4 * se
    assert 4 * se <= POWER * per["abandon_rate"].mean()
