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
    p.add_argument("--precision", type=float, metavar="P",
                   help="add replications until every headline metric's 95%% CI half-width is within P of its mean "
                        "(e.g. 0.05; Hoad, Robinson & Davies 2010)")
    p.add_argument("--max-replications", type=int, default=200, help="cap for --precision (default 200)")
    p.add_argument("--warmup", metavar="auto|DURATION",
                   help='override the warm-up: a duration such as "2h", or "auto" for MSER-5 on a pilot run')
    p.add_argument("--json", action="store_true", help="print the summary as JSON instead of a table")
    p.add_argument("--no-figures", action="store_true", help="write tables only")
    p.add_argument("--force", action="store_true", help="run even when the size guard estimates a replication above "
                                                        "its limits (sim.size_guard)")
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
    from sim.size_guard import guard

    guard(scenario, force=args.force)
    notes = []
    warmup = None
    if args.warmup is not None:
        if args.warmup == "auto":
            warmup = "auto"
        else:
            from sim.units import parse_duration
            try:
                warmup = parse_duration(args.warmup)
            except ValueError as exc:
                raise InputError(f"--warmup: {exc}") from None
    if args.precision is not None:
        from sim.experiment import run_to_precision

        pr = run_to_precision(scenario, precision=args.precision, seed=args.seed, warmup=warmup,
                              max_reps=args.max_replications)
        results = pr.combined()
        notes.append(pr.report())
        if pr.warmup is not None:
            notes.append(pr.warmup.report())
    else:
        if warmup is not None:
            from sim.experiment.precision import auto_warmup, with_warmup

            if warmup == "auto":
                chosen = auto_warmup(scenario, seed=args.seed)
                notes.append(chosen.report())
                warmup = chosen.warmup_s
            scenario = with_warmup(scenario, warmup)
        results = sim.run(scenario, replications=args.replications, seed=args.seed)
    written = results.write(Path(args.out), figures=not args.no_figures) if args.out else []
    if args.json:
        json.dump({"provenance": results.provenance,
                   "summary": json.loads(results.summary.to_json(orient="records"))}, sys.stdout, indent=2)
        print()
    else:
        print(format_summary(results.summary, results.provenance))
        for note in notes:
            print(note)
        if written:
            print(f"\nwrote {len(written)} files to {args.out}/")
    return 0


def check_command(args) -> int:
    import sim

    bad = 0
    from sim.input_warnings import InputWarning
    from sim.size_guard import guard

    for path in args.scenario:
        try:
            sc = sim.load_scenario(path)
            est = guard(sc)
        except InputError as exc:
            bad += 1
            for line in exc.lines():
                print(f"error: {line}", file=sys.stderr)
            continue
        except InputWarning as exc:  # under --strict
            bad += 1
            print(f"error: {exc} (a warning; --strict makes it an error)", file=sys.stderr)
            continue
        print(f"{path}: ok ({len(sc.channels)} channels, {len(sc.agents)} agent groups, "
              f"horizon {sc.run.horizon_s / 3600:g} h, {sc.run.replications} replications; {est.describe()})")
    return 2 if bad else 0
