"""Build the teaching app's precomputed grids (sim/app/grids/*.json, sim.app.grid): lessons 2, 3 and 4 at every setting
one control away from the defaults (and, for lesson 3, every combination of the pairs of controls in
``social.PLANES``), with more replications than a live run affords.

    .venv/bin/python experiments/app_grids.py [--lesson funnel|social|reputation] [--replications N]
    .venv/bin/python experiments/app_grids.py --lesson social --part 0/2 &   # two parts side by side, then
    .venv/bin/python experiments/app_grids.py --lesson social --part 1/2; wait
    .venv/bin/python experiments/app_grids.py --lesson social --merge 2

Lesson 3 (two designs, four simulated days each) takes about 0.3 s a replication and design, lesson 4 about 0.45 s a
replication; the defaults (6 and 10 replications) take a few minutes of CPU each.
"""
from __future__ import annotations

import argparse
import json
import time

from sim.app import delay, funnel, grid, social

LESSONS = {"funnel": (funnel.FunnelInputs(), funnel.CHOICES, 10),
           "social": (social.SocialInputs(), social.CHOICES, 6),
           "reputation": (delay.DelayInputs(), delay.CHOICES, 10)}


def settings_of(name: str) -> list:
    defaults, choices, _ = LESSONS[name]
    return grid.planes(defaults, choices, social.PLANES) if name == "social" else grid.star(defaults, choices)


def part_of(name: str, settings: list, part: tuple[int, int]) -> list:
    """Part ``k`` of ``n`` of the settings; lesson 3's are grouped by their phone design, so each runs once."""
    k, n = part
    if name != "social":
        return settings[k::n]
    groups: dict[str, list] = {}
    for p in settings:
        groups.setdefault(grid.key(social.phone_inputs(p)), []).append(p)
    order = sorted(groups.values(), key=len, reverse=True)
    return [p for i, g in enumerate(order) if i % n == k for p in g]


def build(name: str, replications: int | None = None, part: tuple[int, int] = (0, 1)) -> None:
    """Build grid ``name``, or part ``k`` of ``n`` of it (``grid.write`` to ``name.partK``; ``merge`` joins them)."""
    defaults, choices, reps = LESSONS[name]
    reps = replications or reps
    points, phones, t = {}, {}, time.perf_counter()
    for p in part_of(name, settings_of(name), part):
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
    file = name if part[1] == 1 else f"{name}.part{part[0]}"
    path = grid.write(file, {"replications": reps, "seed": seed, "defaults": grid.key(defaults),
                             "built_by": "experiments/app_grids.py"}, points)
    print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB, {len(points)} points)")


def merge(name: str, n: int) -> None:
    """Join the parts ``name.part0`` … ``name.part{n-1}`` into the grid ``name`` (and remove them)."""
    paths = [grid.GRIDS / f"{name}.part{k}.json" for k in range(n)]
    parts = [json.loads(p.read_text()) for p in paths]
    points = {k: v for part in parts for k, v in part["points"].items()}
    missing = [grid.key(p) for p in settings_of(name) if grid.key(p) not in points]
    assert not missing, f"{name}: parts lack {len(missing)} settings"
    path = grid.GRIDS / f"{name}.json"
    path.write_text(json.dumps({"meta": parts[0]["meta"], "points": points}, separators=(",", ":")) + "\n")
    for p in paths:
        p.unlink()
    print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB, {len(points)} points)")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lesson", choices=list(LESSONS), action="append")
    ap.add_argument("--replications", type=int)
    ap.add_argument("--part", help="K/N: build part K of N (run the N parts side by side, then --merge N)")
    ap.add_argument("--merge", type=int, metavar="N", help="join the N parts of each lesson's grid")
    args = ap.parse_args(argv)
    for name in args.lesson or list(LESSONS):
        if args.merge:
            merge(name, args.merge)
            continue
        k, n = (int(x) for x in args.part.split("/")) if args.part else (0, 1)
        build(name, args.replications, (k, n))


if __name__ == "__main__":
    main()


