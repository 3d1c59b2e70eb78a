"""Speed benchmark: contacts simulated per second by contactsim's engine and by a bare simpy model of the same system.

The load is `scenarios/erlang_a.toml` (M/M/8+M, 100 calls/h, AHT 240 s, patience 300 s, 10 days per replication).
The bare model is the textbook simpy way: one process per customer, a `simpy.Resource` for the agents and
`yield request | env.timeout(patience)` for abandonment. Both run in this process, one after the other, best of
three. contactsim is timed twice: the engine alone (`Model.run`) and end to end (`sim.run`, building every table).

    .venv/bin/python experiments/bench.py [--replications 3]
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import simpy

import sim
from sim.engine import Model

ROOT = Path(__file__).resolve().parents[1]


def bare_simpy(rate: float, aht: float, patience: float, agents: int, horizon: float, seed: int) -> int:
    """One process per customer; returns the number of customers created."""
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    staff = simpy.Resource(env, capacity=agents)
    served = abandoned = 0

    def customer(handle: float, wait_limit: float):
        nonlocal served, abandoned
        with staff.request() as req:
            got = yield req | env.timeout(wait_limit)
            if req in got:
                yield env.timeout(handle)
                served += 1
            else:
                abandoned += 1

    def source():
        n = 0
        while True:
            yield env.timeout(rng.exponential(1 / rate))
            env.process(customer(rng.exponential(aht), rng.exponential(patience)))
            n += 1
            counter[0] = n

    counter = [0]
    env.process(source())
    env.run(until=horizon)
    return counter[0]


def best_of(fn, repeat=3):
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--replications", type=int, default=3)
    args = ap.parse_args()
    sc = sim.load_scenario(ROOT / "scenarios" / "erlang_a.toml")
    ch, grp = sc.channels["phone"], sc.agents["phone"]
    rate = ch.arrivals.profile.constant
    reps = range(args.replications)

    def engine_only():
        return sum(len(Model(sc, r, sc.run.seed).run()["contacts"]["contact_id"]) for r in reps)

    def end_to_end():
        return len(sim.run(sc, replications=args.replications).contacts)

    def bare():
        return sum(bare_simpy(rate, ch.handle_time.mean, ch.patience.mean, int(grp.count.constant), sc.run.horizon_s,
                              r) for r in reps)

    t_bare, n_bare = best_of(bare)
    t_eng, n_eng = best_of(engine_only)
    t_e2e, n_e2e = best_of(end_to_end)
    rows = [("bare simpy (process per customer)", n_bare, t_bare), ("contactsim engine", n_eng, t_eng),
            ("contactsim sim.run (with tables)", n_e2e, t_e2e)]
    print(f"load: {sc.source}, {args.replications} replications of {sc.run.horizon_s / 86400:g} days")
    for label, n, t in rows:
        print(f"{label:<36} {n:>9,d} contacts {t:7.2f} s {n / t:>12,.0f} contacts/s")
    print(f"speed-up, engine vs bare simpy:      {(n_eng / t_eng) / (n_bare / t_bare):.2f}x")
    print(f"speed-up, sim.run vs bare simpy:     {(n_e2e / t_e2e) / (n_bare / t_bare):.2f}x")


if __name__ == "__main__":
    main()
