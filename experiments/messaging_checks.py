"""Replication-based checks of asynchronous messaging against exact results, with 2 agents (the suite's
tests/test_social_messaging.py runs powered versions with one agent: one long replication, batch means and control
variates, SE ≤ 0.5% of the exact value; this script shows what independent replications of a 2-agent desk reach).

- Jackson-network reducing case (exponential reply work, mean 60 s; exponential think time; another customer message
  after each reply with probability p = 0.5; no cap, no affinity, no slowdown, no patience; FCFS; 2 agents): the
  messages queue as M/M/2 at rate λ/(1 − p). Mean wait and P(wait > 0) against Erlang C at ρ = 0.5 and 0.7.
- Silent abandonment alone (one message per thread, exponential reply patience 300 s, ρ = 0.7):
  P(silent) = C·θ/(cμ − λ + θ).

    .venv/bin/python experiments/messaging_checks.py [--days 40] [--reps 8]

Prints one row per check: simulated mean ± SE across replications, exact, |error| / SE, 4·SE / exact.
"""
from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sim  # noqa: E402
from sim.analytic.erlang_c import erlang_c  # noqa: E402
from tests.conftest import scenario  # noqa: E402
from tests.test_social_messaging import message_waits, messaging_raw  # noqa: E402


def row(name: str, values, exact: float) -> str:
    v = np.asarray(values, float)
    mean, se = v.mean(), v.std(ddof=1) / math.sqrt(len(v))
    return (f"{name:<28} {mean:10.5g} ± {se:8.3g}   exact {exact:10.5g}   |err|/SE {abs(mean - exact) / se:5.2f}   "
            f"4·SE/exact {4 * se / abs(exact):6.2%}")


def main(argv=None) -> list[str]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=40)
    ap.add_argument("--reps", type=int, default=8)
    a = ap.parse_args(argv)
    c, mu, p = 2, 1 / 60.0, 0.5
    lines = []
    for rho in (0.5, 0.7):
        lm = rho * c * mu
        res = sim.run(scenario(messaging_raw(agents=c, rate=f"{lm * (1 - p) * 3600:.10g}/h", p=p,
                                             horizon=f"{a.days}d", reps=a.reps, seed=21)))
        by = message_waits(res, 86400.0).groupby("replication")["wait_s"]
        cw = erlang_c(c, lm / mu)
        lines += [row(f"P(wait > 0), rho = {rho}", by.apply(lambda w: (w > 1e-9).mean()), cw),
                  row(f"mean wait (s), rho = {rho}", by.mean(), cw / (c * mu - lm))]
        print(lines[-2], lines[-1], sep="\n", flush=True)
    rho, patience = 0.7, 300.0
    lam = rho * c * mu
    res = sim.run(scenario(messaging_raw(agents=c, rate=f"{lam * 3600:.10g}/h", patience=f"{patience}s",
                                         horizon=f"{a.days}d", reps=a.reps, seed=22)))
    conv = res.contacts[(res.contacts["channel"] == "social") & (res.contacts["outcome"] != "open")]
    theta = 1 / patience
    exact = erlang_c(c, lam / mu) * theta / (c * mu - lam + theta)
    lines.append(row("P(silent), rho = 0.7", conv.groupby("replication")["outcome"].apply(
        lambda o: (o == "silent").mean()), exact))
    print(lines[-1], flush=True)
    return lines


if __name__ == "__main__":
    main()
