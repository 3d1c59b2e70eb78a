"""Erlang X against the simulated funnel in its reducing case, with samples large enough to expose a 2% error.

`scenarios/erlang_x.toml` (9 trunk lines, 6 agents, 100 calls/h, AHT 240 s, patience 180 s, redial 50% after 5 min)
is simulated with many replications; every metric's mean is compared with the exact Markov chain
(`sim.analytic.erlang_x`, |estimate − exact| ≤ 4·SE) and with the fixed-point approximation beside it.

    .venv/bin/python experiments/erlang_x_check.py [--replications 144]
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import sim
from sim.analytic.erlang_x import erlang_x_metrics

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "erlang_x.toml"


def per_replication(res) -> dict[str, np.ndarray]:
    """The funnel's metrics per replication as ratios of totals (sim.funnel.tables definitions)."""
    iv = res.interval_view().groupby("replication").sum(numeric_only=True)
    return {
        "blocked_rate": (iv["blocked_count"] / iv["attempts_count"]).to_numpy(),
        "attempts_per_customer": (iv["attempts_count"] / iv["customers_count"]).to_numpy(),
        "sl_offered": (iv["answered_within_target"] / iv["offered"]).to_numpy(),
        "p_abandon": (iv["abandoned"] / iv["offered"]).to_numpy(),
        "asa_s": (iv["answered_wait_sum_s"] / iv["answered"]).to_numpy(),
        "occupancy": (iv["busy_agent_s"] / iv["staffed_agent_s"]).to_numpy(),
    }


def exact_for(scenario, method: str = "exact") -> dict[str, float]:
    ph = scenario.channels["phone"]
    fun = ph.extra
    return erlang_x_metrics(scenario.agents["phone"].count.constant, ph.arrivals.profile.constant,
                            ph.handle_time.mean, ph.targets.answer_within_s, fun["lines"], ph.patience.mean,
                            fun["redials"].probability, fun["redials"].delay.mean, method=method)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replications", type=int, default=144)
    args = ap.parse_args()
    sc = sim.load_scenario(SCENARIO, overrides={"run.replications": args.replications})
    res = sim.run(sc)
    exact, approx = exact_for(sc), exact_for(sc, "fixed_point")
    print(f"{args.replications} replications of {SCENARIO.name}")
    print(f"{'metric':<22} {'simulated':>10} {'± SE':>8} {'exact':>9} {'z':>6} {'fixed point':>11} {'z':>6}")
    for name, v in per_replication(res).items():
        m, se = float(v.mean()), float(v.std(ddof=1) / np.sqrt(len(v)))
        print(f"{name:<22} {m:10.4f} {se:8.4f} {exact[name]:9.4f} {(m - exact[name]) / se:6.2f} "
              f"{approx[name]:11.4f} {(m - approx[name]) / se:6.2f}   SE {100 * se / exact[name]:.2f}% of exact")


if __name__ == "__main__":
    main()
