"""Build the teaching app's precomputed grids (sim/app/grids/*.json, sim.app.grid): lessons 2, 3 and 4 at every setting
one control away from the defaults (and, for lesson 3, every combination of the pairs of controls in
``social.PLANES``), with more replications than a live run affords.

    .venv/bin/python experiments/app_grids.py [--lesson funnel|social|reputation] [--replications N]

Lesson 3 (two designs, four simulated days each) takes about 0.3 s a replication and design, lesson 4 about 0.45 s a
replication; the defaults (6 and 10 replications) take a few minutes of CPU each.
"""
from __future__ import annotations

import argparse
import time

from sim.app import delay, funnel, grid, social

LESSONS = {"funnel": (funnel.FunnelInputs(), funnel.CHOICES, 10),
           "social": (social.SocialInputs(), social.CHOICES, 6),
           "reputation": (delay.DelayInputs(), delay.CHOICES, 10)}


def build(name: str, replications: int | None = None) -> None:
    defaults, choices, reps = LESSONS[name]
    reps = replications or reps
    points, phones, t = {}, {}, time.perf_counter()
    settings = grid.planes(defaults, choices, social.PLANES) if name == "social" else grid.star(defaults, choices)
    for p in settings:
        if name == "social":  # the phone design depends on the budget, the menu and the next try: run it once each
            k = grid.key(social.phone_inputs(p))
            if k not in phones:
                phones[k] = social.phone_rows(p, reps)
            out = {"phone": phones[k], "design": social.design_rows(p.scenario(None, reps)), "replications": reps}
        elif name == "funnel":
            out = funnel.compute(p, reps)
        else:
            out = delay.compute(p, reps)
        points[grid.key(p)] = out
        print(f"{name}: {len(points)} points, {time.perf_counter() - t:.0f} s", flush=True)
    seed = defaults.scenario(replications=1)["run"]["seed"]
    path = grid.write(name, {"replications": reps, "seed": seed, "defaults": grid.key(defaults),
                             "built_by": "experiments/app_grids.py"}, points)
    print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB, {len(points)} points)")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lesson", choices=list(LESSONS), action="append")
    ap.add_argument("--replications", type=int)
    args = ap.parse_args(argv)
    for name in args.lesson or list(LESSONS):
        build(name, args.replications)


if __name__ == "__main__":
    main()


