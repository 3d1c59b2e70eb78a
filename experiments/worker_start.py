"""How long a sweep worker takes to start: a fresh Python process importing what a worker needs
(``sim.experiment.backends`` → ``sim``), and a local worker pool's time to its first result less the run itself.

    .venv/bin/python experiments/worker_start.py [--repeat 5]

Prints medians; the target is ≤ 0.5 s (issue "researcher's tools"). Measured on a shared machine, so the load average
is printed beside the figures. Not a test: timings belong in measurements, not in assertions.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TINY = """
schema = 1
[run]
horizon = "30min"
[channels.phone]
arrivals = { rate = "60/h" }
handle_time = { dist = "exponential", mean = "200s" }
[agents.phone]
serves = ["phone"]
count = 2
"""


def fresh_import(module: str) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    return float(out.stdout)


def pool_first_result() -> float:
    import sim
    from sim.experiment.backends import LocalProcesses, RunTask, ScenarioRef

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "tiny.toml"
        path.write_text(TINY)
        ref = ScenarioRef.of(sim.load_scenario(path))
    backend = LocalProcesses(1)
    start = time.perf_counter()
    outcome = next(iter(backend.map_unordered([RunTask(0, 0, 1, ref)])))
    elapsed = time.perf_counter() - start - outcome.seconds
    backend.close()
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    for module in ("sim.experiment.backends", "sim"):
        times = [fresh_import(module) for _ in range(args.repeat)]
        print(f"fresh process, import {module}: median {statistics.median(times):.2f} s "
              f"(min {min(times):.2f}, max {max(times):.2f})")
    times = [pool_first_result() for _ in range(args.repeat)]
    print(f"local worker pool, start to first result less the run: median {statistics.median(times):.2f} s "
          f"(min {min(times):.2f}, max {max(times):.2f})")


if __name__ == "__main__":
    main()
