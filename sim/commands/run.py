"""``contactsim run`` (simulate a scenario, write tables and figures) and ``contactsim check`` (validate only)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from sim.errors import InputError


def register(sub) -> None:
    p = sub.add_parser("run", help="simulate a scenario and write its result tables and figures")
    p.add_argument("scenario", help="scenario TOML file")
    p.add_argument("--replications", type=int, help="number of replications (default: the scenario's)")
    p.add_argument("--seed", type=int, help="random seed (default: the scenario's)")
    p.add_argument("--out", help="folder for contacts.parquet, intervals.parquet/.csv, summary.json and figures")
    p.add_argument("--json", action="store_true", help="print the summary as JSON instead of a table")
    p.add_argument("--no-figures", action="store_true", help="write tables only")
    p.set_defaults(func=run_command)
    c = sub.add_parser("check", help="validate a scenario file and report every problem")
    c.add_argument("scenario", nargs="+")
    c.set_defaults(func=check_command)


def format_summary(summary, provenance: dict) -> str:
    """A readable summary table: one row per channel and metric, mean with its 95% CI."""
    lines = [f"scenario {provenance.get('scenario')} ({provenance.get('source')}), seed {provenance.get('seed')}, "
             f"{len(provenance.get('replications', []))} replications, contactsim {provenance.get('contactsim_version')}",
             f"{'channel':<10} {'metric':<24} {'mean':>12}   {'95% CI':<27}"]
    for row in summary.itertuples():
        if row.n > 1 and row.half_width == row.half_width:
            ci = f"[{row.ci_low:.4g}, {row.ci_high:.4g}]"
        else:
            ci = "-"
        lines.append(f"{row.channel:<10} {row.metric:<24} {row.mean:>12.4g}   {ci:<27}")
    return "\n".join(lines)


def run_command(args) -> int:
    import sim

    if args.replications is not None and args.replications < 1:
        raise InputError("--replications: expected a whole number ≥ 1")
    scenario = sim.load_scenario(args.scenario)
    results = sim.run(scenario, replications=args.replications, seed=args.seed)
    written = results.write(Path(args.out), figures=not args.no_figures) if args.out else []
    if args.json:
        json.dump({"provenance": results.provenance,
                   "summary": json.loads(results.summary.to_json(orient="records"))}, sys.stdout, indent=2)
        print()
    else:
        print(format_summary(results.summary, results.provenance))
        if written:
            print(f"\nwrote {len(written)} files to {args.out}/")
    return 0


def check_command(args) -> int:
    import sim

    bad = 0
    for path in args.scenario:
        try:
            sc = sim.load_scenario(path)
        except InputError as exc:
            bad += 1
            for line in str(exc).splitlines():
                print(f"error: {line}", file=sys.stderr)
            continue
        print(f"{path}: ok ({len(sc.channels)} channels, {len(sc.agents)} agent groups, "
              f"horizon {sc.run.horizon_s / 3600:g} h, {sc.run.replications} replications)")
    return 2 if bad else 0
