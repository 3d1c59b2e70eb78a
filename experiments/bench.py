"""Speed benchmark: each goal of the performance issue (#21) measured side by side in one process, PASS/FAIL beside it.

CPU time (``time.process_time``) and ratios: the machine is shared, so the ratio of two figures measured in the same
process is the figure that means something; the load average is printed so a busy machine is visible. Timings are
the best of several calls (5; 7 in sections 2-3, 3 in section 4), the contenders of a ratio called in turn in each
round so that a busy spell slows a round rather than one contender; beside each, how far the median and the slowest
call lay above the best (the spread).

1. Erlang-A load (scenarios/erlang_a.toml: M/M/8+M, 100 calls/h, AHT 240 s, patience 300 s; 2 replications of 10
   days = 20 days): ``sim.run`` against a minimal heapq event loop of the same model, a bare simpy model (one process
   per customer) and Ciw (``pip install -e '.[bench]'``). Goals: ≥ 3× Ciw, ≥ 2.2× simpy, ≥ 0.8× the heapq loop.
2. The shipped multi-channel scenarios as they were at commit 8d65b5f (fixed copies in experiments/bench_scenarios/;
   their social/email channels say ``mode = "session"``, the slot-holding model that was the default then, because
   today's default is messaging). One replication each, contacts per CPU-second, on this code and on the code of
   8d65b5f (``git archive`` into a temporary folder, run in a process of its own — both codes are the package
   ``sim`` — called in turn with this code's runs, round by round, so both meet the same load; its bare-simpy figure
   beside this process's shows how fast that process ran). Goals: ≥ 3× the 8d65b5f figure; ``retail_reputation``
   ≥ 0.4× the bare simpy figure of the same process (section 1's, and one measured in the same rounds).
3. Tables and summaries' share of a run (``sim.run`` less ``Model.run``, the engine alone; the summary with CIs
   separately, as ``Results.summary`` computes it on demand). Goal ≤ 20%.
4. A 24-hour day of a 1,000-agent centre (~250k contacts): CPU per replication; KiB per contact by tracemalloc (peak
   traced memory of ``sim.run`` / contacts). Goals ≤ 1.5 s, ≤ 0.5 KiB.
5. Long queues: contacts per CPU-second at a mean queue of ~700 (200 calls/h on 120/h of capacity, patience 8.75 h)
   against the short-queue Erlang-A load. Goal ≥ 70%.
6. Sweeps: a fresh worker's start (import of ``sim.experiment.backends`` in a new process; and a local pool's time from
   start to its first result less the run, experiments/worker_start.py) and the wall-clock speed-up of 2 local workers
   over 1 on 24 runs of one retail_phone day (fixed copy; best of 2 rounds, 1 and 2 workers in turn), split into the
   pool's share (how much of the wall the workers spent in runs) and the cores' (a run's own time alone and two at
   once). Goals ≤ 0.5 s, ≥ 1.8× (on an idle machine: 2 cores).

    .venv/bin/python experiments/bench.py [--quick]        # make bench; about 2-3 min CPU in all
"""
from __future__ import annotations

import argparse
import heapq
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import simpy

import sim
from sim.engine import Model

ROOT = Path(__file__).resolve().parents[1]
FIXED = ROOT / "experiments" / "bench_scenarios"
SCENARIOS = ("retail_phone", "retail_social", "retail_reputation", "study_funnel_vs_social")
BASE_COMMIT = "8d65b5f"
ADAPTED = "# bench adaptation"  # lines added to the fixed copies so today's reader parses them (dropped for 8d65b5f)

BIG_DAY = """
schema = 1
[run]
horizon = "24h"
warmup = "0s"
replications = 1
seed = 3
[channels.phone]
arrivals = { rate = "10500/h" }
handle_time = { dist = "exponential", mean = "325s" }
patience = { dist = "exponential", mean = "300s" }
targets = { answer_within = "20s", service_level = 0.80 }
[agents.phone]
serves = ["phone"]
count = 1000
"""

LONG_QUEUE = """
schema = 1
[run]
horizon = "10d"
warmup = "2d"
replications = 1
seed = 5
[channels.phone]
arrivals = { rate = "200/h" }
handle_time = { dist = "exponential", mean = "240s" }
patience = { dist = "exponential", mean = "31500s" }
targets = { answer_within = "20s", service_level = 0.80 }
[agents.phone]
serves = ["phone"]
count = 8
"""


# The peers -----------------------------------------------------------------------------------------------------------
def bare_simpy(rate: float, aht: float, patience: float, agents: int, horizon: float, seed: int) -> int:
    """The textbook simpy way: one process per customer, a Resource for the agents, ``request | timeout(patience)``
    for abandonment. Returns the number of customers created."""
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    staff = simpy.Resource(env, capacity=agents)
    counter = [0]

    def customer(handle: float, wait_limit: float):
        with staff.request() as req:
            got = yield req | env.timeout(wait_limit)
            if req in got:
                yield env.timeout(handle)

    def source():
        while True:
            yield env.timeout(rng.exponential(1 / rate))
            env.process(customer(rng.exponential(aht), rng.exponential(patience)))
            counter[0] += 1

    env.process(source())
    env.run(until=horizon)
    return counter[0]


ERLANG_A = (100 / 3600, 240.0, 300.0, 8, 864000.0)  # scenarios/erlang_a.toml: rate /s, AHT, patience, agents, horizon


def bare_simpy_erlang_a() -> int:
    """``bare_simpy`` on section 1's load, 2 replications of 10 days: the figure the multi-channel rows are set beside,
    in either process."""
    return sum(bare_simpy(*ERLANG_A, r) for r in range(2))


def heapq_loop(rate: float, aht: float, patience: float, agents: int, horizon: float, seed: int) -> int:
    """A minimal pure-Python event loop of the same M/M/c+M queue: a heap of (time, sequence, kind, customer),
    attributes drawn in blocks, FCFS queue with lazy removal of abandoners. Returns the number of customers."""
    rng = np.random.default_rng(seed)
    n = int(rate * horizon * 1.2) + 100
    gaps = rng.exponential(1 / rate, n).tolist()
    handles = rng.exponential(aht, n).tolist()
    pats = rng.exponential(patience, n).tolist()
    waiting = [False] * n
    heap: list = [(gaps[0], 0, 0, 0)]
    push, pop = heapq.heappush, heapq.heappop
    queue: list[int] = []
    head = 0
    free = agents
    seq = 1
    created = 0
    while heap:
        t, _, kind, i = pop(heap)
        if t > horizon:
            break
        if kind == 0:  # arrival
            created += 1
            j = i + 1
            push(heap, (t + gaps[j], seq, 0, j))
            seq += 1
            if free:
                free -= 1
                push(heap, (t + handles[i], seq, 1, i))
            else:
                waiting[i] = True
                queue.append(i)
                push(heap, (t + pats[i], seq, 2, i))
            seq += 1
        elif kind == 1:  # service end
            while head < len(queue) and not waiting[queue[head]]:
                head += 1
            if head < len(queue):
                k = queue[head]
                head += 1
                waiting[k] = False
                push(heap, (t + handles[k], seq, 1, k))
                seq += 1
            else:
                free += 1
        else:  # patience
            waiting[i] = False
    return created


def ciw_model(rate: float, aht: float, patience: float, agents: int, horizon: float, seed: int) -> int | None:
    try:
        import ciw
    except ImportError:
        return None
    net = ciw.create_network(arrival_distributions=[ciw.dists.Exponential(rate)],
                             service_distributions=[ciw.dists.Exponential(1 / aht)],
                             number_of_servers=[agents],
                             reneging_time_distributions=[ciw.dists.Exponential(1 / patience)])
    ciw.seed(seed)
    q = ciw.Simulation(net)
    q.simulate_until_max_time(horizon)
    return len({r.id_number for r in q.get_all_records()}) + sum(len(nd.all_individuals) for nd in q.nodes[1:-1])


# Measuring -----------------------------------------------------------------------------------------------------------
def cpu(fn, repeat: int = 3):
    """(best CPU seconds of ``repeat`` calls, the last result)."""
    times, out = rounds({"": fn}, repeat)[""]
    return min(times), out


def rounds(fns: dict, repeat: int) -> dict:
    """label -> (CPU seconds of each call, the last result): ``repeat`` rounds, each calling every function once, so
    the contenders of a ratio meet the same load (a busy spell slows a round, not one contender)."""
    out: dict = {k: ([], None) for k in fns}
    for _ in range(repeat):
        for k, fn in fns.items():
            t = time.process_time()
            res = fn()
            out[k] = (out[k][0] + [time.process_time() - t], res)
    return out


def spread(times: list[float]) -> str:
    """How far the repeats of a timing lie above the best: median and slowest, in % of the best."""
    best = min(times)
    return f"+{statistics.median(times) / best - 1:.0%}/+{max(times) / best - 1:.0%}"


def goal(label: str, figure: str, ok: bool | None, target: str) -> None:
    mark = "n/a " if ok is None else ("PASS" if ok else "FAIL")
    print(f"  [{mark}] {label:<58} {figure:>16}   goal {target}")


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg()) + f" on {os.cpu_count()} cores"


def from_text(text: str):
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "bench.toml"
        p.write_text(text)
        return sim.load_scenario(p)


def erlang_a(repeat: int) -> float:
    sc = sim.load_scenario(ROOT / "scenarios" / "erlang_a.toml")
    ch, grp = sc.channels["phone"], sc.agents["phone"]
    args = (ch.arrivals.profile.constant, ch.handle_time.mean, ch.patience.mean, int(grp.count.constant), sc.run.horizon_s)
    assert args == ERLANG_A, f"scenarios/erlang_a.toml changed: {args}; update ERLANG_A"
    reps = range(2)
    fns = {"heapq loop (same model)": lambda: sum(heapq_loop(*args, r) for r in reps),
           "bare simpy (process per customer)": lambda: sum(bare_simpy(*args, r) for r in reps)}
    if ciw_model(*args[:4], 3600.0, 0) is not None:
        fns["Ciw " + __import__("ciw").__version__] = lambda: sum(ciw_model(*args, r) for r in reps)
    fns["contactsim engine (Model.run)"] = lambda: sum(
        len(Model(sc, r, sc.run.seed).run()["contacts"]["contact_id"]) for r in reps)
    fns["contactsim sim.run (tables)"] = lambda: len(sim.run(sc, replications=2).contacts)
    rows = rounds(fns, repeat)
    print(f"\n1. Erlang-A load ({Path(sc.source).name}: 2 replications of {sc.run.horizon_s / 86400:g} days), best of "
          f"{repeat} interleaved rounds (spread: median/slowest above the best)")
    rate = {}
    for label, (times, n) in rows.items():
        t = min(times)
        rate[label] = n / t
        print(f"  {label:<40} {n:>9,d} contacts {t:6.3f} s CPU {n / t:>10,.0f} contacts/CPU-s  {spread(times):>9}")
    simrun = rate["contactsim sim.run (tables)"]
    simpy_rate = rate["bare simpy (process per customer)"]
    ciw_rate = next((v for k, v in rate.items() if k.startswith("Ciw")), None)
    goal("sim.run vs Ciw", "n/a" if ciw_rate is None else f"{simrun / ciw_rate:.2f}x",
         None if ciw_rate is None else simrun / ciw_rate >= 3, ">= 3x" if ciw_rate else ">= 3x (Ciw missing: pip install -e '.[bench]')")
    goal("sim.run vs bare simpy", f"{simrun / simpy_rate:.2f}x", simrun / simpy_rate >= 2.2, ">= 2.2x")
    heap = rate["heapq loop (same model)"]
    goal("sim.run vs heapq loop", f"{simrun / heap:.2f}x", simrun / heap >= 0.8, ">= 0.8x")
    print(f"  (engine alone vs bare simpy {rate['contactsim engine (Model.run)'] / simpy_rate:.2f}x, "
          f"vs heapq loop {rate['contactsim engine (Model.run)'] / heap:.2f}x)")
    return simpy_rate


PEER = r"""
import json, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import sim
from experiments_bench_peer import bare_simpy_erlang_a
scenarios = {}
for name, text in json.loads(sys.argv[2]).items():
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / (name + ".toml"); p.write_text(text); scenarios[name] = sim.load_scenario(p)
for sc in scenarios.values():
    sim.run(sc, replications=1)  # warm: imports and first-call costs outside the timings
print("ready", flush=True)
for line in sys.stdin:  # one timing per request: "bare simpy" or a scenario's name
    name = line.strip()
    t = time.process_time()
    if name == "bare simpy":
        n = bare_simpy_erlang_a()
    else:
        n = len(sim.run(scenarios[name], replications=1).contacts)
    print(json.dumps([n, time.process_time() - t]), flush=True)
"""


class Peer:
    """The fixed scenarios (and bare simpy) on the code of BASE_COMMIT, in a process of its own (both codes are the
    package ``sim``): ``time(name)`` runs one and returns (contacts, CPU seconds), so its runs can be taken in turn
    with this code's and both meet the same load. ``None`` from ``start`` when that code cannot be had or run."""

    def __init__(self, proc: subprocess.Popen, folder: tempfile.TemporaryDirectory):
        self.proc, self.folder = proc, folder

    @classmethod
    def start(cls, texts: dict[str, str]) -> Peer | None:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", BASE_COMMIT, "sim"], capture_output=True)
        if archive.returncode:
            return None
        folder = tempfile.TemporaryDirectory()
        d = folder.name
        subprocess.run(["tar", "-x", "-C", d], input=archive.stdout, check=True)
        src = Path(__file__).read_text()
        Path(d, "experiments_bench_peer.py").write_text(
            "import numpy as np\nimport simpy\n\n\n" + src[src.index("def bare_simpy"):src.index("def heapq_loop")])
        proc = subprocess.Popen([sys.executable, "-c", PEER, d, json.dumps(texts)], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=d,
                                env={**os.environ, "PYTHONPATH": d})
        if proc.stdout is None or proc.stdout.readline().strip() != "ready":
            print(proc.communicate()[1][-2000:])
            folder.cleanup()
            return None
        return cls(proc, folder)

    def time(self, name: str) -> tuple[int, float]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(name + "\n")
        self.proc.stdin.flush()
        n, seconds = json.loads(self.proc.stdout.readline())
        return n, seconds

    def close(self) -> None:
        self.proc.communicate("")
        self.folder.cleanup()


def scenarios(simpy_rate: float, repeat: int) -> None:
    print(f"\n2-3. Shipped multi-channel scenarios as at {BASE_COMMIT} (experiments/bench_scenarios/), "
          f"1 replication, best of {repeat} (spread of sim.run: median/slowest above the best)")
    texts = {n: (FIXED / f"{n}.toml").read_text() for n in SCENARIOS}
    peer = Peer.start({n: "\n".join(ln for ln in t.splitlines() if ADAPTED not in ln) for n, t in texts.items()})
    print(f"  {'scenario':<24} {'contacts':>8} {'CPU s':>6} {'contacts/CPU-s':>14} {'at ' + BASE_COMMIT:>12} "
          f"{'vs simpy':>8} {'tables':>7} {'summary':>8} {'spread':>9}")
    peer_simpy = None
    if peer is not None:  # the peer process's own speed: bare simpy there, beside this process's figure
        peer_simpy = max(n / t for n, t in (peer.time("bare simpy") for _ in range(3)))
    for name in SCENARIOS:
        sc = sim.load_scenario(FIXED / f"{name}.toml")
        sim.run(sc, replications=1)  # warm, as the peer is
        fns = {"run": lambda sc=sc: sim.run(sc, replications=1), "engine": lambda sc=sc: Model(sc, 0, sc.run.seed).run()}
        peer_runs: list[tuple[int, float]] = []  # (contacts, the peer's CPU seconds) of each of its runs
        if peer is not None:  # the same scenario on the code of BASE_COMMIT, in turn with these runs
            fns["peer"] = lambda name=name, out=peer_runs: out.append(peer.time(name))
        if name == "retail_reputation":  # its goal is against bare simpy: measured in turn with it, too
            fns["simpy"] = bare_simpy_erlang_a
        timed = rounds(fns, repeat)
        (runs, res), t_eng = timed["run"], min(timed["engine"][0])
        t_run = min(runs)
        t_sum, _ = cpu(lambda res=res: res.from_tables(
            res.contacts, res.intervals, res.agents, res.provenance, res.legs, res.reputation,
            funnel_calls=res.funnel_calls, social_threads=res.social_threads, messages=res.messages,
            funnel_intervals=res.funnel_intervals, social_intervals=res.social_intervals,
            deflections=res.deflections).summary, 1)
        n = len(res.contacts)
        rate = n / t_run
        base = peer_runs[0][0] / min(t for _, t in peer_runs) if peer_runs else None
        share = (t_run - t_eng) / t_run
        total_share = (t_run - t_eng + t_sum) / (t_run + t_sum)
        print(f"  {name:<24} {n:>8,d} {t_run:6.2f} {rate:>14,.0f} {base or float('nan'):>12,.0f} "
              f"{rate / simpy_rate:>7.2f}x {share:>6.0%} {t_sum:>7.3f}s {spread(runs):>9}")
        if base:
            goal(f"{name}: vs {BASE_COMMIT}", f"{rate / base:.2f}x", rate / base >= 3, ">= 3x")
        else:
            goal(f"{name}: vs {BASE_COMMIT}", "n/a", None, ">= 3x (8d65b5f code could not run)")
        if name == "retail_reputation":
            own = timed["simpy"][1] / min(timed["simpy"][0])  # bare simpy in the same rounds
            print(f"  (bare simpy in turn with these runs: {own:,.0f} contacts/CPU-s, this run "
                  f"{rate / own:.2f}x of it)")
            goal(f"{name}: vs bare simpy", f"{rate / simpy_rate:.2f}x", rate / simpy_rate >= 0.4, ">= 0.4x")
            goal(f"{name}: vs bare simpy in the same rounds", f"{rate / own:.2f}x", rate / own >= 0.4, ">= 0.4x")
        # the engine is part of the run: its best above the run's best means the timings are noise, not a share
        goal(f"{name}: tables + summary share of a run", f"{total_share:.0%}", total_share <= 0.2 if share >= 0 else None,
             "<= 20%" if share >= 0 else "<= 20% (engine timed slower than the run: too noisy to judge)")
    if peer is not None:
        peer.close()
        print(f"  (the {BASE_COMMIT} process: bare simpy {peer_simpy:,.0f} contacts/CPU-s; this process "
              f"{simpy_rate:,.0f})")


def big_day(repeat: int) -> None:
    sc = from_text(BIG_DAY)
    times, res = rounds({"": lambda: len(sim.run(sc, replications=1).contacts)}, repeat)[""]
    t, n = min(times), res
    tracemalloc.start()
    res = sim.run(sc, replications=1)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del res
    print(f"\n4. A 24-hour day of a 1,000-agent centre: {n:,d} contacts, peak traced memory {peak / 2**20:.0f} MiB; "
          f"CPU best of {repeat}, spread {spread(times)}")
    goal("CPU per replication", f"{t:.2f} s", t <= 1.5, "<= 1.5 s")
    goal("memory per contact (tracemalloc peak / contacts)", f"{peak / n / 1024:.2f} KiB", peak / n / 1024 <= 0.5,
         "<= 0.5 KiB")


def long_queue(repeat: int) -> None:
    short = sim.load_scenario(ROOT / "scenarios" / "erlang_a.toml")
    long_ = from_text(LONG_QUEUE)
    timed = rounds({"short": lambda: sim.run(short, replications=1), "long": lambda: sim.run(long_, replications=1)},
                   repeat)
    (ts, r_s), (tl, r_l) = timed["short"], timed["long"]
    t_s, t_l = min(ts), min(tl)
    q = lambda r: float(r.replications.query("channel == 'phone' and metric == 'mean_queue'")["value"].mean())
    a, b = len(r_s.contacts) / t_s, len(r_l.contacts) / t_l
    print(f"\n5. Long queues: mean queue {q(r_s):.1f} -> {a:,.0f} contacts/CPU-s; mean queue {q(r_l):.0f} -> "
          f"{b:,.0f} contacts/CPU-s (best of {repeat}; spread {spread(ts)} and {spread(tl)})")
    goal("throughput at the long queue vs the short one", f"{b / a:.0%}", b / a >= 0.7, ">= 70%")


def sweeps(repeat: int, sweep_rounds: int) -> None:
    code = "import time; t = time.perf_counter(); import sim.experiment.backends; print(time.perf_counter() - t)"
    starts = []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
        starts.append(float(out.stdout))
    from worker_start import pool_first_result  # experiments/worker_start.py: a pool's start to its first result

    from sim.experiment.backends import LocalProcesses, RunTask, ScenarioRef

    pools = [pool_first_result() for _ in range(repeat)]

    ref = ScenarioRef.of(sim.load_scenario(FIXED / "retail_phone.toml"))
    tasks = [RunTask(0, r, 1, ref) for r in range(24)]
    wall: dict[int, list[float]] = {1: [], 2: []}
    own: dict[int, list[float]] = {1: [], 2: []}  # the runs' own seconds (in the worker), summed
    for _ in range(sweep_rounds):  # 1 and 2 workers in turn, so both meet the same load
        for workers in (1, 2):
            backend = LocalProcesses(workers)
            t = time.perf_counter()
            outcomes = list(backend.map_unordered(tasks))
            wall[workers].append(time.perf_counter() - t)
            backend.close()
            assert all(o.error is None for o in outcomes), [o.error for o in outcomes if o.error]
            own[workers].append(sum(o.seconds for o in outcomes))
    b1, b2 = wall[1].index(min(wall[1])), wall[2].index(min(wall[2]))  # the best round of each
    w1, w2 = wall[1][b1], wall[2][b2]
    busy1, busy2 = own[1][b1] / w1, own[2][b2] / (2 * w2)
    runs = lambda w: ", ".join(f"{x:.1f}" for x in wall[w])
    print(f"\n6. Sweeps (load average now {load()}): fresh worker import median {statistics.median(starts):.2f} s; "
          f"24 retail_phone days, wall s of {sweep_rounds} rounds: 1 worker {runs(1)}, 2 workers {runs(2)}")
    # speed-up = 2 x (share of the wall the workers spent in runs, 2 vs 1) x (a run's own time, 1 vs 2 at once): the
    # first factor is the pool's overhead (start, dispatch, results, the last run alone), the second the cores'
    print(f"  speed-up {w1 / w2:.2f}x = 2 x busy {busy2:.0%}/{busy1:.0%} x a run's own time {own[1][b1] / 24:.3f} s "
          f"alone / {own[2][b2] / 24:.3f} s two at once")
    goal("worker start (fresh import of sim.experiment.backends)", f"{statistics.median(starts):.2f} s",
         statistics.median(starts) <= 0.5, "<= 0.5 s")
    goal("worker pool: start to first result, less the run (wall)", f"{statistics.median(pools):.2f} s",
         statistics.median(pools) <= 0.5, "<= 0.5 s")
    goal("2-worker speed-up, 24 runs of one retail_phone day (best)", f"{w1 / w2:.2f}x", w1 / w2 >= 1.8,
         ">= 1.8x on an idle 2-core machine")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="one timing each instead of best of 5 (noisier)")
    args = ap.parse_args()
    repeat = 1 if args.quick else 5
    import platform

    print(f"contactsim bench, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, Python {platform.python_version()}"
          f", {platform.processor() or platform.machine()}; load average {load()}")
    simpy_rate = erlang_a(repeat)
    scenarios(simpy_rate, 1 if args.quick else 7)
    big_day(1 if args.quick else 3)
    long_queue(repeat)
    sweeps(repeat, 1 if args.quick else 2)
    print(f"\nload average at the end: {load()}")


if __name__ == "__main__":
    main()
