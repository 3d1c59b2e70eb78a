"""``contactsim calibrate`` (fit a scenario from call logs) and ``contactsim backtest`` (judge it on held-out days)."""
from __future__ import annotations

from sim.calibrate.durations import HANDLE_MODELS
from sim.calibrate.logs import FORMATS
from sim.errors import InputError


def _common(p, nargs: str = "+") -> None:
    p.add_argument("logs", nargs=nargs, metavar="LOG", help="call-log files (plain or .gz)")
    p.add_argument("--format", choices=FORMATS, default="technion",
                   help="technion: the Anonymous Bank tab-separated records; csv: the generic contact-log CSV "
                        "(docs/calibration.md)")
    p.add_argument("--strict", action="store_true", help="stop at malformed rows instead of skipping and reporting them")
    p.add_argument("--working-days", help="days of a working week, e.g. sun,mon,tue,wed,thu "
                                          "(default: sun-thu for technion, mon-fri for csv)")
    p.add_argument("--interval", default="30min", help="reporting and profile interval (default 30min)")
    p.add_argument("--handle", choices=HANDLE_MODELS, default="mixture",
                   help="handle-time model written to the scenario (default mixture: short calls + lognormal)")
    p.add_argument("--seed", type=int, default=1, help="seed of the scenario and of the bootstrap (default 1)")


def register(sub) -> None:
    c = sub.add_parser("calibrate", help="fit a scenario (volumes, handle time, patience, agents) from call logs")
    _common(c)
    c.add_argument("--days", default="weekday",
                   help="days to fit on: weekday (regular working days), all (regular days of every type), or dates "
                        "YYYY-MM-DD separated by commas, ranges as A..B")
    c.add_argument("--out", required=True, help="scenario file to write; the fit report goes to <name>_fit/ beside it")
    c.add_argument("--name", help="scenario name (default from the format and --days)")
    c.add_argument("--replications", type=int, default=20, help="replications written to the scenario (default 20)")
    c.add_argument("--fit-availability", action="store_true",
                   help="also fit the agents' effective availability by simulating the fitted days")
    c.add_argument("--search-replications", type=int, default=5,
                   help="replications per fitted day in the availability search (default 5)")
    c.add_argument("--hourly", action="store_true",
                   help="write handle time (aht) and availability by hour of day: values per interval that "
                        "contactsim run uses (availability implied by Erlang A per hour; docs/calibration.md)")
    c.add_argument("--no-figures", action="store_true", help="write tables only")
    c.set_defaults(func=calibrate_command)
    b = sub.add_parser("backtest", help="fit on training days, simulate test days with their own volumes and agents, "
                                        "compare with the records and with Erlang A")
    _common(b, nargs="*")
    b.add_argument("--train", help="training dates (YYYY-MM-DD, commas, ranges A..B)")
    b.add_argument("--test", help="test dates (YYYY-MM-DD, commas, ranges A..B)")
    b.add_argument("--rolling", action="store_true",
                   help="train on each month, test on the next: the LOG files (or --data DIR) are one month each, "
                        "in order (technion format); docs/calibration.md")
    b.add_argument("--data", help="with --rolling: a folder of month files (*.txt.gz, in name order)")
    b.add_argument("--forecast", action="store_true",
                   help="with --rolling: predict from the training month's weekday profile, not each day's volumes")
    b.add_argument("--out", required=True, help="folder for per-day scenarios, tables and the figure")
    b.add_argument("--replications", type=int, default=20, help="replications per test day (default 20)")
    b.add_argument("--search-replications", type=int, default=5,
                   help="replications per training day in the availability search (default 5)")
    b.add_argument("--min-offered", type=int, default=10,
                   help="compare only intervals with at least this many observed offered contacts (default 10)")
    b.add_argument("--figure", help="also save the figure here (e.g. plots/backtest_march1999.png)")
    b.add_argument("--all-day-types", action="store_true",
                   help="keep non-working days (e.g. Friday, Saturday) found in --train/--test ranges")
    b.set_defaults(func=backtest_command)


def calibrate_command(args) -> int:
    from sim.calibrate.pipeline import calibrate
    from sim.calibrate.report import summary_text

    if args.replications < 1:
        raise InputError("--replications: expected a whole number >= 1")
    cal = calibrate(args.logs, format=args.format, days=args.days, out=args.out, strict=args.strict,
                    working_days=args.working_days, interval=args.interval, handle=args.handle, name=args.name,
                    replications=args.replications, seed=args.seed, figures=not args.no_figures,
                    fit_availability=args.fit_availability, availability_replications=args.search_replications,
                    hourly=args.hourly)
    print(summary_text(cal.fit, cal.log))
    if cal.availability is not None:
        print(cal.availability.note())
    print(f"\nwrote {cal.scenario_path} and the fit report {cal.report_dir}/")
    return 0


def rolling_command(args) -> int:
    from pathlib import Path

    from sim.calibrate.rolling import goal_check, month_files, rolling_markdown, run_rolling
    from sim.calibrate.scenario_writer import ACKNOWLEDGEMENT

    files = [Path(f) for f in args.logs] + (month_files(args.data) if args.data else [])
    if args.data and not month_files(args.data):
        raise InputError(f"--data {args.data}: expected a folder with month files (*.txt.gz or *.txt)")
    if len(files) < 2:
        raise InputError("backtest --rolling: expected at least two month files (LOG ... or --data DIR)")
    if args.format != "technion":
        raise InputError("backtest --rolling: expected --format technion (month files of the Anonymous Bank layout)")
    mode = "forecast" if args.forecast else "actual"
    table = run_rolling(files, Path(args.out), args.replications, args.seed, mode)
    table.to_csv(Path(args.out) / f"rolling_{mode}.csv", index=False, float_format="%.6g")
    print(rolling_markdown(table))
    if mode == "actual":
        goal = goal_check(table)
        goal.to_csv(Path(args.out) / "goal.csv", index=False, float_format="%.4g")
        print(f"\ngoal (MAE <= 1.15 x noise floor, <= 0.9 x strong baseline, coverage >= 85%): met in "
              f"{int(goal['met'].sum())} of {len(goal)} month x measure cells")
    print(f"\n{ACKNOWLEDGEMENT}\nwrote {args.out}/")
    return 0


def backtest_command(args) -> int:
    from sim.calibrate.backtest import backtest

    if args.replications < 2:
        raise InputError("--replications: expected a whole number >= 2 (confidence intervals need two)")
    if args.rolling:
        return rolling_command(args)
    if not args.logs or not args.train or not args.test:
        raise InputError("backtest: expected LOG files, --train and --test (or --rolling)")
    result = backtest(args.logs, format=args.format, train=args.train, test=args.test, out=args.out,
                      strict=args.strict, working_days=args.working_days, interval=args.interval, handle=args.handle,
                      replications=args.replications, search_replications=args.search_replications,
                      min_offered=args.min_offered, seed=args.seed, figure=args.figure,
                      all_day_types=args.all_day_types)
    print(result.text())
    return 0
