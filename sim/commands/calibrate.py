"""``contactsim calibrate`` (fit a scenario from call logs) and ``contactsim backtest`` (judge it on held-out days)."""
from __future__ import annotations

from sim.calibrate.durations import HANDLE_MODELS
from sim.calibrate.logs import FORMATS
from sim.errors import InputError


def _common(p) -> None:
    p.add_argument("logs", nargs="+", metavar="LOG", help="call-log files (plain or .gz)")
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
    c.add_argument("--no-figures", action="store_true", help="write tables only")
    c.set_defaults(func=calibrate_command)
    b = sub.add_parser("backtest", help="fit on training days, simulate test days with their own volumes and agents, "
                                        "compare with the records and with Erlang A")
    _common(b)
    b.add_argument("--train", required=True, help="training dates (YYYY-MM-DD, commas, ranges A..B)")
    b.add_argument("--test", required=True, help="test dates (YYYY-MM-DD, commas, ranges A..B)")
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
                    fit_availability=args.fit_availability, availability_replications=args.search_replications)
    print(summary_text(cal.fit, cal.log))
    if cal.availability is not None:
        print(cal.availability.note())
    print(f"\nwrote {cal.scenario_path} and the fit report {cal.report_dir}/")
    return 0


def backtest_command(args) -> int:
    from sim.calibrate.backtest import backtest

    if args.replications < 2:
        raise InputError("--replications: expected a whole number >= 2 (confidence intervals need two)")
    result = backtest(args.logs, format=args.format, train=args.train, test=args.test, out=args.out,
                      strict=args.strict, working_days=args.working_days, interval=args.interval, handle=args.handle,
                      replications=args.replications, search_replications=args.search_replications,
                      min_offered=args.min_offered, seed=args.seed, figure=args.figure,
                      all_day_types=args.all_day_types)
    print(result.text())
    return 0
