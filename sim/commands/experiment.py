"""``contactsim sweep`` (run a sweep file into a resumable store), ``contactsim compare`` (paired comparison of two
scenarios with common random numbers) and ``contactsim report`` (HTML report of a store)."""
from __future__ import annotations

import sys
from pathlib import Path

from sim.commands.overrides import add_set_option
from sim.errors import InputError


def register(sub) -> None:
    s = sub.add_parser("sweep", help="run every design point of a sweep file, replications in parallel, into a "
                                     "resumable results folder")
    s.add_argument("sweep", help="sweep TOML file (base scenario, parameters, replications, seed)")
    s.add_argument("--out", required=True, help="results folder (Parquet run files + manifest.json)")
    s.add_argument("--workers", type=int, help="local worker processes (default: all cores; 1 runs in-process)")
    s.add_argument("--dask", metavar="ADDRESS", help="run on the Dask scheduler at ADDRESS, e.g. tcp://host:8786")
    s.add_argument("--resume", action="store_true", help="continue the sweep stored in --out, skipping finished runs")
    s.add_argument("--quiet", action="store_true", help="no progress output")
    s.add_argument("--force", action="store_true", help="run design points above the size limits (sim.size_guard)")
    s.set_defaults(func=sweep_command)

    c = sub.add_parser("compare", help="paired comparison of two scenarios (same customers: common random numbers)")
    c.add_argument("a", help="scenario A (the reference)")
    c.add_argument("b", help="scenario B; differences are B − A")
    c.add_argument("--replications", type=int, help="paired replications (default: A's [run] replications)")
    c.add_argument("--seed", type=int, help="seed for both (default: A's [run] seed)")
    c.add_argument("--metrics", help="comma-separated metrics to show (default: all)")
    c.add_argument("--out", help="also write the comparison table to this CSV file")
    add_set_option(c)  # applied to both scenarios (sim.commands.overrides)
    c.set_defaults(func=compare_command)

    r = sub.add_parser("report", help="write a self-contained HTML report of a sweep's results folder")
    r.add_argument("dir", help="results folder written by `contactsim sweep` (or by `contactsim sensitivity`)")
    r.add_argument("--out", help="HTML file (default: DIR/report.html)")
    r.add_argument("--metrics", help="comma-separated metrics to plot (default: the headline metrics)")
    r.add_argument("--base", help="the design point differences are taken against: an id or KEY=VALUE[,KEY=VALUE] "
                                  "(default: point 0)")
    r.add_argument("--sensitivity", help="folder or CSV written by `contactsim sensitivity` to show (default: "
                                         "DIR/sensitivity when present)")
    r.add_argument("--interactive", action="store_true",
                   help="Plotly figures (zoom, hover for each point's CI) instead of images; needs contactsim[app]")
    r.set_defaults(func=report_command)


def _metrics(text: str | None) -> list[str] | None:
    return [m.strip() for m in text.split(",") if m.strip()] if text else None


def sweep_command(args) -> int:
    from sim.experiment import run_sweep

    if args.workers is not None and args.workers < 1:
        raise InputError(f"--workers: expected an integer ≥ 1, got {args.workers}")
    outcome = run_sweep(args.sweep, args.out, workers=args.workers, dask=args.dask, resume=args.resume,
                        quiet=args.quiet, force=args.force)
    print(f"{args.out}: {outcome.stored_before + outcome.finished} of {outcome.total_runs} runs stored "
          f"({outcome.points} design points × {outcome.replications} replications); this call: "
          f"{outcome.finished} finished, {outcome.failed} failed, {outcome.stored_before} already there, "
          f"{outcome.seconds:.1f}s on {outcome.backend}")
    if outcome.failed:
        for rec in outcome.failures[:5]:
            print(f"failed: point {rec['point']} replication {rec['replication']}: {rec['error']}", file=sys.stderr)
        print(f"{outcome.failed} runs failed; records in {Path(args.out) / 'failures'}; `--resume` retries them",
              file=sys.stderr)
        return 1
    return 0


def compare_command(args) -> int:
    from sim.experiment import compare

    if args.replications is not None and args.replications < 2:
        raise InputError(f"--replications: expected at least 2 for a paired CI, got {args.replications}")
    from sim.commands.overrides import load

    result = compare(load(args.a, args), load(args.b, args), replications=args.replications, seed=args.seed, metrics=_metrics(args.metrics))
    print(result.text(), end="")
    if args.out:
        result.table.to_csv(args.out, index=False)
        print(f"wrote {args.out}")
    return 0


def report_command(args) -> int:
    from sim.experiment.report import write_report

    store, sensitivity, out = args.dir, args.sensitivity, args.out
    folder = Path(args.dir)
    if not (folder / "manifest.json").exists() and (folder / "runs" / "morris" / "manifest.json").is_file():
        # the folder of `contactsim sensitivity`: its Morris store, with the sensitivity table and figure
        store, sensitivity = folder / "runs" / "morris", sensitivity or folder
        out = out or folder / "report.html"
    path = write_report(store, out, metrics=_metrics(args.metrics), base=args.base, sensitivity=sensitivity,
                        interactive=args.interactive)
    print(f"wrote {path}")
    return 0
