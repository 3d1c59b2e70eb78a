"""From a scenario to a checked roster: requirement by simulation, shrinkage, shifts, the staffed scenario, the check.

``staff(scenario)`` is what ``contactsim staff`` runs:

1. the seated requirement per interval and group by simulation (``sim.staffing.requirements``), beside Erlang C,
   Erlang A, square-root and modified-offered-load staffing;
2. rostered heads = ⌈seated/(1 − shrinkage)⌉ (shrinkage: what the simulation does not model);
3. least-cost shifts covering the rostered heads (``sim.staffing.shifts``) when the scenario has ``[staffing.shifts]``;
4. the staffed scenario: ``count`` = heads at work per interval (shift coverage, breaks taken out), ``availability``
   = the scenario's availability × (1 − shrinkage), so shrinkage is simulated, not assumed away;
5. a check on fresh replications (replication indices after the design ones, so independent of the search): per
   interval and target, H0 "the target is met" against a shortfall, Holm-corrected over all intervals and targets.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.runner import run
from sim.staffing.cost import run_cost, staffing_cost
from sim.staffing.grid import StaffingGrid, staffed_raw, with_staffing
from sim.staffing.heuristics import forecast_rates
from sim.staffing.requirements import Requirement, simulate_requirements
from sim.staffing.rules import StaffingSettings
from sim.staffing.shifts import ShiftPlan, check_coverable, plan_shifts, rostered
from sim.staffing.targets import TargetSpec, evaluate, holm_check, primary_groups
from sim.staffing.toml_out import write_scenario


@dataclass
class StaffingReport:
    requirement: Requirement
    roster: pd.DataFrame  # cell × group: seated requirement, rostered heads, heads at work in the plan
    plans: dict[str, ShiftPlan]
    staffed_raw: dict
    check: pd.DataFrame | None
    check_summary: pd.DataFrame | None
    costs: pd.DataFrame
    run_costs: dict = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    comparison: pd.DataFrame | None = None

    @property
    def violations(self) -> pd.DataFrame:
        return self.check[self.check["violated"]] if self.check is not None else pd.DataFrame()


def staff(scenario, out_dir: str | Path | None = None, *, replications: int | None = None, seed: int | None = None,
          start: str | None = None, shrinkage: float | None = None, check_replications: int | None = None,
          shifts: bool = True, figures: bool = True, max_simulations: int = 80,
          progress: Callable[[str], None] | None = None) -> StaffingReport:
    """Requirement, roster, shift plan and check for ``scenario``; files into ``out_dir`` when given."""
    settings: StaffingSettings = scenario.sections.get("staffing") or StaffingSettings()
    shrink = settings.shrinkage if shrinkage is None else float(shrinkage)
    if shifts and settings.shifts is not None:
        _precheck_shifts(scenario, settings)
    req = simulate_requirements(scenario, settings, replications=replications, seed=seed, start=start,
                                max_simulations=max_simulations, progress=progress)
    grid = req.grid
    plans: dict[str, ShiftPlan] = {}
    heads, rows = {}, []
    for g, seated in req.staffing.items():
        need = rostered(seated, shrink)
        if shifts and settings.shifts is not None:
            plans[g] = plan_shifts(grid, need, settings.shifts, scenario.agents[g].cost_per_hour, g, scenario.source)
            at_work = plans[g].coverage["covered"].to_numpy(np.int64)
        else:
            at_work = need
        heads[g] = at_work
        rows.append(pd.DataFrame({"cell": np.arange(grid.n_cells), "interval_start_at_s": grid.starts_at_s,
                                  "clock": list(grid.labels), "group": g, "seated": seated, "rostered": need,
                                  "at_work": at_work}))
    roster = pd.concat(rows, ignore_index=True)
    availability = {g: scenario.agents[g].availability * (1.0 - shrink) for g in heads}
    raw = staffed_raw(scenario, grid, heads, availability)
    costs = pd.concat([staffing_cost(scenario, grid, req.staffing, "seated requirement"),
                       staffing_cost(scenario, grid, {g: rostered(v, shrink) for g, v in req.staffing.items()},
                                     "rostered (shrinkage)")], ignore_index=True)
    for g, p in plans.items():
        costs.loc[len(costs)] = {"what": "shift plan (paid hours)", "group": g, "agent_hours": p.paid_hours,
                                 "cost_per_hour": scenario.agents[g].cost_per_hour, "cost": p.cost}
    check = check_summary = None
    run_costs = {}
    n_check = int(settings.check_replications if check_replications is None else check_replications)
    if n_check > 0:
        staffed = with_staffing(scenario, grid, heads, availability)
        first = req.settings["replications"]
        res = run(staffed, replications=list(range(first, first + n_check)), seed=req.settings["seed"])
        check = holm_check(evaluate(res, scenario, grid, TargetSpec(settings.sl_definition, 0.0)))
        check_summary = res.summary
        run_costs = run_cost(res.summary)
        if progress:
            progress(f"check on {n_check} fresh replications: {int(check['violated'].sum())} of {len(check)} "
                     f"interval targets violated (Holm, family-wise 5%)")
    comparison = compare_methods(scenario, req, n_check) if n_check > 0 else None
    report = StaffingReport(req, roster, plans, raw, check, check_summary, costs, run_costs, comparison=comparison)
    if out_dir is not None:
        report.files = write_report(report, scenario, Path(out_dir), figures, shrink)
    return report


COMPARED = ("simulated", "erlang_c", "erlang_a", "mol_erlang_a", "sqrt_hw")


def compare_methods(scenario, req: Requirement, n_check: int, methods=COMPARED) -> pd.DataFrame:
    """Each method's seated staffing (requirement table columns) simulated on the same fresh replications as the
    check: agent-hours, Holm violations, point estimates below target, worst interval service level, and the day's
    service level, abandonment and occupancy. Reported, not judged: it shows what interval-by-interval Erlang C or
    Erlang A staffing would have delivered in this scenario."""
    grid, t = req.grid, req.table
    first = req.settings["replications"]
    reps = list(range(first, first + n_check))
    rows = []
    for m in methods:
        staffing = {g: grid.full(sub.sort_values("cell")[m].to_numpy(np.int64)) for g, sub in t.groupby("group")}
        res = run(with_staffing(scenario, grid, staffing), replications=reps, seed=req.settings["seed"])
        c = holm_check(evaluate(res, scenario, grid, TargetSpec(req.settings["sl_definition"], 0.0)))
        sl = c[c["metric"].str.startswith("sl_")].dropna(subset=["estimate"])
        summ = res.summary
        day = {(r.channel, r.metric): r.mean for r in summ.itertuples()}
        row = {"staffing": m, "agent_hours": float(sum(v[grid.report_cells].sum() for v in staffing.values())
                                                   * grid.interval_s / 3600.0),
               "targets_violated_holm": int(c["violated"].sum()), "point_estimates_below_target": int((~c["met"]).sum()),
               "worst_interval_sl": float(sl["estimate"].min()) if len(sl) else float("nan")}
        for ch in scenario.channels:
            for metric in (req.settings["sl_definition"], "abandon_rate", "occupancy"):
                row[f"{ch}_{metric}"] = day.get((ch, metric), float("nan"))
        rows.append(row)
    return pd.DataFrame(rows)


def _precheck_shifts(scenario, settings: StaffingSettings) -> None:
    """Fail before simulating when the shift rules cannot cover an interval in which contacts are forecast."""
    grid = StaffingGrid.of(scenario)
    rates = forecast_rates(scenario, grid)
    primary = primary_groups(scenario)
    for g in dict.fromkeys(primary.values()):
        need = sum(rates[c] * 3600.0 for c, pg in primary.items() if pg == g)  # calls per hour forecast
        need = np.where(np.arange(grid.n_cells) >= grid.first_report, need, 0.0)
        check_coverable(grid, settings.shifts, None, np.round(need, 1), f"calls per hour forecast for {g}",
                        scenario.source)


def write_report(report: StaffingReport, scenario, out: Path, figures: bool, shrinkage: float) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    req = report.requirement
    files = []

    def csv(df: pd.DataFrame, name: str) -> None:  # interval rows dated, shifts with their start date (sim.dated)
        from sim.dated import with_dates

        files.append(out / name)
        for col in ("interval_start_at_s", "start_at_s"):
            if col in df:
                df = with_dates(df.drop(columns=["clock"], errors="ignore"), scenario.calendar.start, col)
                break
        df.to_csv(files[-1], index=False)

    csv(req.table, "requirements.csv")
    csv(req.heuristics, "heuristics_by_channel.csv")
    csv(req.evaluation, "search_evaluation.csv")
    csv(req.history, "search_history.csv")
    csv(report.roster, "roster.csv")
    csv(report.costs, "costs.csv")
    if report.plans:
        csv(pd.concat([p.plan for p in report.plans.values()], ignore_index=True), "shift_plan.csv")
        csv(pd.concat([p.coverage for p in report.plans.values()], ignore_index=True), "coverage.csv")
    if report.comparison is not None:
        csv(report.comparison, "comparison.csv")
    if report.check is not None:
        csv(report.check, "check.csv")
        csv(report.check_summary, "check_summary.csv")
    name = f"{scenario.name}_staffed.toml"
    header = (f"{scenario.name} with staffing from `contactsim staff {scenario.source}`: count = heads at work per "
              f"{req.grid.interval_s / 60:g}-minute interval\n(shift coverage, breaks taken out); availability includes "
              f"shrinkage {shrinkage:g}. Search: {req.settings['replications']} replications, seed "
              f"{req.settings['seed']}, start {req.settings['start']}.")
    files.append(write_scenario(report.staffed_raw, out / name, scenario.base_dir, header))
    summary = {
        "scenario": scenario.source, "scenario_hash": scenario.hash, "search": req.settings,
        "converged": req.converged, "shrinkage": shrinkage,
        "costs": report.costs.to_dict(orient="records"),
        "check": None if report.check is None else {
            "replications": int(report.check["n_reps"].max()), "targets": int(len(report.check)),
            "violated": int(report.check["violated"].sum()),
            "below_target_point_estimates": int((~report.check["met"]).sum()), **report.run_costs},
    }
    files.append(out / "staffing_summary.json")
    files[-1].write_text(json.dumps(summary, indent=2, default=str))
    if figures:
        from sim.plots.staffing import plot_requirements
        files.append(plot_requirements(req.table, report.roster, out / "staffing_requirements.png",
                                       evaluation=report.check))
    return files
