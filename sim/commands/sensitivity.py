"""``contactsim sensitivity SPEC.toml --out DIR``: tornado, Morris screening and Sobol indices on the top drivers
over dotted scenario keys with ranges, on the sweep machinery (docs/sensitivity.md)."""
from __future__ import annotations

from sim.errors import InputError


def register(sub) -> None:
    s = sub.add_parser("sensitivity", help="global sensitivity analysis (tornado, Morris, Sobol with bootstrap CIs) "
                                           "of a metric over scenario keys with ranges")
    s.add_argument("spec", help="sensitivity TOML file ([sensitivity] scenario, metric, …; [parameters] ranges)")
    s.add_argument("--out", required=True, help="output folder: sensitivity.csv, sensitivity.png, budget.json, "
                                                "runs/<stage> sweep stores")
    s.add_argument("--workers", type=int, help="local worker processes (default: all cores; 1 runs in-process)")
    s.add_argument("--dask", metavar="ADDRESS", help="run on the Dask scheduler at ADDRESS, e.g. tcp://host:8786")
    s.add_argument("--resume", action="store_true", help="continue the analysis in --out, skipping finished runs")
    s.add_argument("--budget", action="store_true", help="only print the run budget of each stage")
    s.add_argument("--quiet", action="store_true", help="no progress output")
    s.set_defaults(func=sensitivity_command)


def _budget_text(spec) -> str:
    b = spec.budget()
    p, r = b["points"], b["replications"]
    return (f"{b['drivers']} drivers, {r} replications per design point (the same seeds at every point): "
            f"tornado {p['tornado']} points (2D + 1), Morris {p['morris']} ({spec.trajectories} trajectories × "
            f"(D + 1)), Sobol {p['sobol']} (N(2k + 2), N = {spec.sobol_n}, k = {b['sobol_drivers']}); "
            f"{b['total_runs']} runs in all")


def sensitivity_command(args) -> int:
    from sim.experiment.sensitivity import CSV, FIGURE, load_spec, run_sensitivity

    if args.workers is not None and args.workers < 1:
        raise InputError(f"--workers: expected an integer ≥ 1, got {args.workers}")
    spec = load_spec(args.spec)
    print(_budget_text(spec))
    if args.budget:
        return 0
    table = run_sensitivity(spec, args.out, workers=args.workers, dask=args.dask, resume=args.resume,
                            quiet=args.quiet)
    top = table.iloc[0]
    print(f"top driver by Morris μ*: {top['driver']} (μ* {top['mu_star']:.4g} "
          f"[{top['mu_star_ci_low']:.4g}, {top['mu_star_ci_high']:.4g}])")
    print(f"wrote {args.out}/{CSV}, {args.out}/{FIGURE}; `contactsim report {args.out}` shows them")
    return 0
