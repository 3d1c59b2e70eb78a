"""A time-varying day (scenarios/staffing_day.toml): requirement by simulation, shrinkage, shift plan, staffed scenario
written back, and the check that the plan meets its targets in every interval on fresh replications.

Sample sizes: the search uses 20 replications (common random numbers make its comparisons paired, and it is only
required to produce a plan); the check uses 40 replications that the search never saw. Each interval's service level
then has a standard error of about 0.02–0.03 (≈ 150–190 calls per interval and replication), so the Holm-corrected
one-sided tests reject when an interval falls short by roughly 0.08 or more — the shortfall of taking two agents out
of every interval, which ``test_check_detects_understaffing`` shows the same check rejecting.
"""
from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.runner import run
from sim.staffing.grid import with_staffing
from sim.staffing.plan import staff
from sim.staffing.shifts import rostered
from sim.staffing.targets import evaluate, holm_check

ROOT = Path(__file__).resolve().parents[1]
SEARCH_REPS, CHECK_REPS = 20, 40


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    sc = sim.load_scenario(ROOT / "scenarios" / "staffing_day.toml",
                           overrides={"staffing.replications": SEARCH_REPS, "staffing.check_replications": CHECK_REPS})
    out = tmp_path_factory.mktemp("staff")
    rep = staff(sc, out, figures=True)
    return sc, rep, out


def test_every_interval_meets_targets_in_the_search(report):
    _, rep, _ = report
    assert rep.requirement.converged
    assert rep.requirement.evaluation["met"].all()


def test_plan_meets_targets_on_fresh_replications(report):
    _, rep, _ = report
    c = rep.check
    assert int(c["n_reps"].max()) == CHECK_REPS
    assert len(c) == 26 * 3  # 26 half-hours × (service level, abandonment, occupancy)
    bad = c[c["violated"]]
    assert bad.empty, bad[["clock", "metric", "estimate", "se", "target", "p_value"]].to_string()


def test_check_detects_understaffing(report):
    """The same check, on the requirement minus two agents in every open interval, finds violations."""
    sc, rep, _ = report
    grid = rep.requirement.grid
    seated = rep.requirement.staffing["phone"]
    fewer = np.maximum(seated - 2, 0)
    res = run(with_staffing(sc, grid, {"phone": fewer}), replications=list(range(100, 100 + CHECK_REPS)), seed=11)
    c = holm_check(evaluate(res, sc, grid))
    assert c["violated"].sum() >= 3


def test_shift_plan_covers_the_rostered_requirement(report):
    sc, rep, _ = report
    shrink = sc.sections["staffing"].shrinkage
    r = rep.roster
    assert (r["rostered"].to_numpy() == rostered(r["seated"].to_numpy(), shrink)).all()
    assert (r["at_work"] >= r["rostered"]).all()
    plan = rep.plans["phone"]
    assert plan.status == "optimal"
    # paid hours of the chosen shifts = the plan's cost basis, and at least the rostered agent-hours
    assert plan.paid_hours >= r["rostered"].sum() * 0.5 - 1e-9
    lengths = set(plan.plan["length_s"])
    assert lengths <= {4 * 3600.0, 6 * 3600.0, 8 * 3600.0}


def test_staffed_scenario_file_round_trips(report):
    sc, rep, out = report
    path = out / "staffing_day_staffed.toml"
    staffed = sim.load_scenario(path)
    grid = rep.requirement.grid
    counts = staffed.agents["phone"].count.value_at(grid.starts_at_s, staffed.calendar)
    assert (counts == rep.roster["at_work"].to_numpy()).all()
    assert staffed.agents["phone"].availability == pytest.approx(1 - sc.sections["staffing"].shrinkage)
    raw = tomllib.loads(path.read_text())
    assert raw["channels"] == tomllib.loads((ROOT / "scenarios" / "staffing_day.toml").read_text())["channels"]
    assert (out / "staffing_requirements.png").stat().st_size > 10_000


def test_cost_in_the_summary(report):
    sc, rep, _ = report
    s = rep.check_summary
    cost = s[(s["channel"] == "all") & (s["metric"] == "cost")]["mean"].iloc[0]
    hours = rep.roster["at_work"].sum() * 0.5
    assert cost == pytest.approx(hours * sc.agents["phone"].cost_per_hour)
    assert rep.run_costs["cost_per_resolved"] > 0


def test_report_comparison_with_erlang_c(report, capsys):
    """Reported, not asserted: how the simulated requirement compares with interval-by-interval Erlang C."""
    _, rep, _ = report
    t = rep.requirement.table
    with capsys.disabled():
        print(f"\nstaffing_day: simulated {int(t['simulated'].sum())} agent-intervals, Erlang C "
              f"{int(t['erlang_c'].sum())}, Erlang A {int(t['erlang_a'].sum())}; simulated − Erlang C per interval "
              f"{int(t['diff_erlang_c'].min())}..{int(t['diff_erlang_c'].max())}")


def test_staff_prints_intervals_and_its_check_names_every_missed_point_estimate(report):
    from sim.staffing.day_table import check_text, detectable_shortfall, interval_text

    sc, rep, out = report
    table = interval_text(rep, sc.run.interval_s)
    assert "Erlang C" in table and "simulated" in table and "rostered" in table
    assert all(f" {c} " in table for c in rep.roster["clock"])
    text = "\n".join(check_text(rep.check))
    assert text.count("✗") == int((~rep.check["met"]).sum())
    gap = detectable_shortfall(rep.check)
    assert 0 < gap < 0.5 and f"{100 * gap:.1f} points" in text
    roster = pd.read_csv(out / "roster.csv")
    assert roster["date_time"].str.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d").all()
    assert (roster["clock"] == [t[-5:] for t in roster["date_time"]]).all()
    assert "date_time" in pd.read_csv(out / "shift_plan.csv")
