"""``contactsim staff SCENARIO``: agents needed per interval by simulation, beside Erlang C/A; shrinkage, shifts, cost."""
from __future__ import annotations

import sys
from pathlib import Path

from sim.errors import InputError
from sim.staffing.rules import STARTS


def register(sub) -> None:
    p = sub.add_parser("staff", help="fewest agents per interval that meet the targets (by simulation), beside "
                                     "Erlang C and Erlang A; rostered shifts at least cost, checked by simulation")
    p.add_argument("scenario", help="scenario file (TOML) with targets per channel and optional [staffing]")
    p.add_argument("--out", help="folder for the tables, the staffed scenario and the figure "
                                 "(default out/staff/<scenario name>)")
    p.add_argument("--replications", type=int, help="replications per simulation in the search "
                                                    "(default: [staffing] replications, else 40)")
    p.add_argument("--check-replications", type=int,
                   help="fresh replications for the final check (0: no check; default [staffing] check_replications)")
    p.add_argument("--seed", type=int, help="seed of the search (default: the scenario's [run] seed)")
    p.add_argument("--start", choices=STARTS, help="starting staffing (default: [staffing] start, else isa)")
    p.add_argument("--shrinkage", type=float, help="share of rostered time lost to what the simulation does not "
                                                   "model (default: [staffing] shrinkage, else 0.30)")
    p.add_argument("--no-shifts", action="store_true", help="roster heads per interval without shift rules")
    p.add_argument("--max-simulations", type=int, default=80, help="simulation budget of the search (default 80)")
    p.add_argument("--no-figures", action="store_true", help="write tables only")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    p.add_argument("--force", action="store_true", help="run even when the size guard estimates a replication above "
                                                        "its limits (sim.size_guard)")
    p.set_defaults(func=staff_command)


def staff_command(args) -> int:
    import sim
    from sim.staffing.plan import staff

    for name in ("replications", "check_replications", "max_simulations"):
        v = getattr(args, name)
        low = 0 if name == "check_replications" else 2 if name == "replications" else 1
        if v is not None and v < low:
            raise InputError(f"--{name.replace('_', '-')}: expected a whole number >= {low}, got {v}")
    if args.shrinkage is not None and not 0 <= args.shrinkage < 1:
        raise InputError(f"--shrinkage: expected a fraction from 0 to below 1 (0.3 for 30%), got {args.shrinkage}")
    scenario = sim.load_scenario(args.scenario)
    from sim.size_guard import guard
    from sim.staffing.demand import check_demand

    guard(scenario, force=args.force)
    check_demand(scenario)
    out = Path(args.out) if args.out else Path("out") / "staff" / scenario.name
    progress = None if args.quiet else (lambda msg: print(msg, file=sys.stderr, flush=True))
    report = staff(scenario, out, replications=args.replications, seed=args.seed, start=args.start,
                   shrinkage=args.shrinkage, check_replications=args.check_replications, shifts=not args.no_shifts,
                   figures=not args.no_figures, max_simulations=args.max_simulations, progress=progress)
    print(summary_text(report))
    print(f"wrote {len(report.files)} files to {out}/")
    return 0


def summary_text(report) -> str:
    from sim.staffing.requirements import STALL

    req = report.requirement
    t = req.table
    lines = [f"requirement by simulation ({req.settings['replications']} replications, seed {req.settings['seed']}, "
             f"start {req.settings['start']}, {req.settings['simulations']} simulations"
             f"{'' if req.converged else ', NOT converged'})"]
    unreachable = req.settings.get("unreachable") or {}
    for g, cells in unreachable.items():
        lines.append(f"  {g}: targets in {len(cells)} intervals stayed missed through {STALL} added agents each — "
                     "more agents do not reach them; check those targets (e.g. a service level above the share "
                     "of contacts the triage answers at all)")
    if not req.converged and not unreachable:
        lines.append("  the simulation budget ran out: raise --max-simulations")
    for g, sub in t.groupby("group", sort=False):
        lines.append(f"  {g}: {int(sub['simulated'].sum())} agent-intervals (Erlang C {int(sub['erlang_c'].sum())}, "
                     f"Erlang A {int(sub['erlang_a'].sum())}, MOL Erlang A {int(sub['mol_erlang_a'].sum())}); "
                     f"simulated − Erlang C per interval from {int(sub['diff_erlang_c'].min()):+d} to "
                     f"{int(sub['diff_erlang_c'].max()):+d}, − Erlang A from {int(sub['diff_erlang_a'].min()):+d} to "
                     f"{int(sub['diff_erlang_a'].max()):+d}")
    for r in report.costs.itertuples():
        lines.append(f"  {r.what} ({r.group}): {r.agent_hours:.1f} agent-hours, cost {r.cost:,.2f}")
    for g, p in report.plans.items():
        lines.append(f"  shifts ({g}): {int(p.plan['agents'].sum())} agents on {len(p.plan)} shift patterns, "
                     f"{p.status}; every interval covered: {bool((p.coverage['surplus'] >= 0).all())}")
    if report.check is not None:
        c = report.check
        lines.append(f"check on {int(c['n_reps'].max())} fresh replications: {int(c['violated'].sum())} of {len(c)} "
                     f"interval targets violated (Holm, family-wise 5%); {int((~c['met']).sum())} point estimates "
                     f"below target")
        if report.comparison is not None:
            lines.append("  each method's seated staffing on the same fresh replications:")
            for r in report.comparison.itertuples():
                lines.append(f"    {r.staffing:>13}: {r.agent_hours:7.1f} agent-hours, {r.targets_violated_holm} "
                             f"targets violated (Holm), {r.point_estimates_below_target} point estimates below target, "
                             f"worst interval service level {r.worst_interval_sl:.3f}")
        rc = report.run_costs
        if "cost" in rc:
            lines.append(f"  simulated cost {rc['cost']:,.2f} ± {rc['cost_half_width']:,.2f}, per resolved contact "
                         f"{rc['cost_per_resolved']:.3f} ± {rc['cost_per_resolved_half_width']:.3f}")
    return "\n".join(lines)
