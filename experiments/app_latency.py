"""How long a student waits after moving a control in the teaching app (docs/app.md), lesson by lesson.

For each lesson at its default settings: the first computation (simulation, exact values, figure), then the same
after one control moves (a new setting, so nothing is cached), repeated ``--repeats`` times; the median is reported.
Lessons 2, 3 and 4 read a precomputed grid point (``sim.app.grid``) at every setting one control from the defaults;
their live runs (settings off the grid, 2 replications) are timed too. A setting seen before is cached by the app and
comes back at once (not timed here). Reports wall-clock and CPU
time (one process, one thread: on an idle machine the wall time is about the CPU time) and the machine's load.

    .venv/bin/python experiments/app_latency.py [--repeats 3]
"""
from __future__ import annotations

import argparse
import os
import statistics
import time
from dataclasses import replace

from sim.app import delay, figures, follow, funnel, grid, queues, social
from sim.app.scenarios import DEPARTMENTS, menu_tree, split_agents


def lesson1(i):
    r = queues.compute(i, 4)
    figures.queue_figure(r, i.agents)
    figures.wait_figure(r["waits"], i.answer_within_s)


def lesson2(i):
    grid.load.cache_clear()
    figures.funnel_flow_figure(grid.lookup("funnel", i)["flow"])


def lesson2_live(i):
    r = funnel.compute(i, 2)
    figures.funnel_flow_figure(r["flow"])


def lesson3(i):
    grid.load.cache_clear()
    r = grid.lookup("social", i)
    social.compare(r["phone"], r["design"])


PHONES: dict = {}


def lesson3_live(i):
    """A social control moved off the grid: the app keeps the phone design (it is cached per budget, menu and next
    try), so only the other design runs."""
    k = grid.key(social.phone_inputs(i))
    if k not in PHONES:
        PHONES[k] = social.phone_rows(i, 2)
    social.compare(PHONES[k], social.design_rows(i.scenario(None, 2)))


def lesson3_live_both(i):
    """The next try moved off the grid: both designs run."""
    social.compare(social.phone_rows(i, 2), social.design_rows(i.scenario(None, 2)))


def lesson4(i):
    grid.load.cache_clear()
    grid.lookup("reputation", i)


def lesson4_live(i):
    delay.compute(i, 2)


def lesson5(i):
    r = follow.compute(i)
    seats = dict(zip(DEPARTMENTS, split_agents(i.agents, menu_tree(3, 4, i.misroute)[2])))
    figures.follow_figure(r["positions"], seats)


LESSONS = (
    ("1 why queues form", lesson1, queues.QueueInputs(), "agents", 9),
    ("2 inside the funnel (grid)", lesson2, funnel.FunnelInputs(), "depth", 4),
    ("2 live, off the grid", lesson2_live, funnel.FunnelInputs(agents=16), "depth", 4),
    ("3 funnel or social (grid)", lesson3, social.SocialInputs(), "concurrency", 4),
    ("3 live, a social control off the grid", lesson3_live, social.SocialInputs(share_social=0.5), "concurrency", 4),
    ("3 live, next try off the grid", lesson3_live_both, social.SocialInputs(share_social=0.5), "next_try", 0.8),
    ("4 delay and reputation (grid)", lesson4, delay.DelayInputs(), "agents", 4),
    ("4 live, off the grid", lesson4_live, delay.DelayInputs(agents=4), "concurrency", 4),
    ("5 follow the customers", lesson5, follow.FollowInputs(), "agents", 13),
)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    for _, fn, inputs, _, _ in LESSONS:  # imports and first use (a server pays this once)
        fn(inputs)
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'lesson':<40}{'default: wall (s)':>18}{'CPU (s)':>9}{'after a change: wall (s)':>26}{'CPU (s)':>9}")
    for name, fn, inputs, field, value in LESSONS:
        times = {"default": [], "changed": []}
        for _ in range(args.repeats):
            for label, i in (("default", inputs), ("changed", replace(inputs, **{field: value}))):
                t, c = time.perf_counter(), time.process_time()
                fn(i)
                times[label].append((time.perf_counter() - t, time.process_time() - c))
        med = {k: [statistics.median(x[j] for x in v) for j in (0, 1)] for k, v in times.items()}
        print(f"{name:<40}{med['default'][0]:>18.2f}{med['default'][1]:>9.2f}{med['changed'][0]:>26.2f}"
              f"{med['changed'][1]:>9.2f}")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
