"""Staffing building blocks that need no long simulation: shift programme, coverage errors, the staffing grid, the
modified offered load, the multiple-comparison check, the TOML writer, the [staffing] table and the command line."""
from __future__ import annotations

import itertools
import math
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim.cli import main
from sim.errors import InputError
from sim.staffing.grid import StaffingGrid, with_staffing
from sim.staffing.heuristics import erlang_requirements, modified_offered_load
from sim.staffing.rules import BreakRule, ShiftRules
from sim.staffing.shifts import patterns, plan_shifts, rostered
from sim.staffing.targets import holm_check
from sim.staffing.toml_out import dumps

ROOT = Path(__file__).resolve().parents[1]


def small_grid(cells=8, interval=3600.0, start_clock=8 * 3600.0) -> StaffingGrid:
    starts = np.arange(cells) * interval
    labels = tuple(f"{int((start_clock + t) // 3600):02d}:{int((start_clock + t) % 3600 // 60):02d}" for t in starts)
    return StaffingGrid(interval, starts, 0, cells * interval, start_clock, labels)


def brute_force_cost(grid, rules, required, rate):
    pats = patterns(grid, rules)
    best = math.inf
    for x in itertools.product(range(max(required) + 1), repeat=len(pats)):
        cover = np.zeros(grid.n_cells)
        for j, n in enumerate(x):
            cover[list(pats["cells"].iloc[j])] += n
        if (cover >= required).all():
            best = min(best, float((np.array(x) * pats["paid_s"].to_numpy()).sum() / 3600 * rate))
    return best


@settings(max_examples=20, deadline=None)
@given(st.lists(st.integers(0, 2), min_size=6, max_size=6))
def test_shift_programme_is_optimal_and_covers(required):
    """Against exhaustive enumeration on a 6-hour day with 4-hour and 6-hour shifts."""
    grid = small_grid(cells=6)
    rules = ShiftRules(starts_clock_s=(8 * 3600.0, 9 * 3600.0, 10 * 3600.0), lengths_s=(4 * 3600.0, 6 * 3600.0))
    req = np.array(required)
    plan = plan_shifts(grid, req, rules, cost_per_hour=20.0, group="phone")
    assert (plan.coverage["covered"].to_numpy() >= req).all()
    assert plan.cost == pytest.approx(brute_force_cost(grid, rules, req, 20.0))


def test_breaks_are_not_coverage_and_unpaid():
    grid = small_grid(cells=16, interval=1800.0)
    rules = ShiftRules((8 * 3600.0,), (8 * 3600.0,), BreakRule(5 * 3600.0, 1800.0, 2 * 3600.0, 5 * 3600.0))
    pats = patterns(grid, rules)
    assert len(pats) == 7  # break at 2h, 2.5h, …, 5h
    assert (pats["paid_s"] == 7.5 * 3600).all()
    assert all(len(c) == 15 for c in pats["cells"])
    # one agent needed all day: with one 8-hour shift a break leaves a gap, so two shifts are needed
    plan = plan_shifts(grid, np.ones(16, dtype=int), rules, 10.0, "phone")
    assert int(plan.plan["agents"].sum()) == 2
    assert (plan.coverage["surplus"] >= 0).all()


def test_uncoverable_interval_names_the_clock_time():
    grid = small_grid(cells=8)  # 08:00–16:00
    rules = ShiftRules((8 * 3600.0,), (4 * 3600.0,))
    req = np.array([1, 1, 1, 1, 0, 2, 3, 0])
    with pytest.raises(InputError) as err:
        plan_shifts(grid, req, rules, 10.0, "phone", source="day.toml")
    msg = str(err.value)
    assert "day.toml: staffing.shifts" in msg and "13:00–15:00" in msg and "up to 3" in msg


def test_misaligned_shift_rules_are_input_errors():
    grid = small_grid(cells=8)
    with pytest.raises(InputError, match="staffing.shifts.lengths"):
        patterns(grid, ShiftRules((8 * 3600.0,), (4.25 * 3600.0,)))


def test_rostered_heads_after_shrinkage():
    assert rostered(np.array([0, 7, 10, 14]), 0.3).tolist() == [0, 10, 15, 20]
    assert rostered(np.array([7]), 0.0).tolist() == [7]


def test_staffing_written_as_count_lists_round_trips():
    sc = sim.load_scenario(ROOT / "scenarios" / "staffing_day.toml")
    grid = StaffingGrid.of(sc)
    assert grid.n_cells == 26 and grid.labels[0] == "08:00" and grid.span(24, 25) == "20:00–21:00"
    cells = np.arange(grid.n_cells) % 7
    staffed = with_staffing(sc, grid, {"phone": cells}, availability={"phone": 0.8})
    got = staffed.agents["phone"].count.value_at(grid.starts_at_s + 1.0, staffed.calendar)
    assert got.tolist() == cells.tolist()
    assert staffed.agents["phone"].availability == 0.8
    assert sc.agents["phone"].count.constant == 20  # the original is untouched


def test_modified_offered_load_matches_the_exact_ramp():
    """Constant λ from an empty start, exponential service: m(t) = λ·E[S]·(1 − e^{−t/E[S]}) (infinite-server mean).
    The survival function comes from 20,000 draws, so the integral has a relative SE ≈ 1/√20000 ≈ 0.7%; 3% is > 4 SE."""
    lam, es = 0.05, 240.0
    rng = np.random.default_rng(3)
    service = rng.exponential(es, 20_000)
    edges = np.arange(0, 4 * 3600 + 1, 1800.0)
    got = modified_offered_load(np.array([0.0]), np.array([lam]), 4 * 3600.0, service, edges)
    a, b = edges[:-1], edges[1:]
    exact = lam * es * (1 - es * (np.exp(-a / es) - np.exp(-b / es)) / (b - a))
    assert np.allclose(got, exact, rtol=0.03)


def test_erlang_columns_of_the_day():
    sc = sim.load_scenario(ROOT / "scenarios" / "staffing_day.toml")
    tab = erlang_requirements(sc, StaffingGrid.of(sc))
    peak = tab.loc[tab["clock"] == "10:30"].iloc[0]
    assert peak["rate_per_h"] == pytest.approx(380.0)
    assert peak["load_erlangs"] == pytest.approx(380 * 240 / 3600)
    # Erlang C ignores abandonment, so it never asks for fewer agents than Erlang A with the same targets
    assert (tab["erlang_c"] >= tab["erlang_a"]).all()
    closed = tab[tab["rate_per_h"] == 0]
    assert (closed[["erlang_c", "erlang_a", "sqrt_hw"]] == 0).all().all()


def test_holm_check_rejects_only_clear_shortfalls():
    ev = pd.DataFrame({
        "metric": ["sl_offered", "sl_offered", "abandon_rate", "occupancy", "sl_offered"],
        "target": [0.8, 0.8, 0.05, 0.9, 0.8],
        "estimate": [0.70, 0.79, 0.05, 0.99, np.nan],
        "se": [0.01, 0.01, 0.002, 0.005, np.nan],
    })
    out = holm_check(ev)
    assert out["violated"].tolist() == [True, False, False, True, False]


@settings(max_examples=30, deadline=None)
@given(st.recursive(
    st.one_of(st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False, width=32),
              st.text(max_size=8), st.booleans()),
    lambda inner: st.dictionaries(st.text("abc_-. ", min_size=1, max_size=5), inner, max_size=6) |
    st.lists(st.integers(0, 9), max_size=12), max_leaves=20))
def test_toml_writer_round_trips(value):
    raw = {"schema": 1, "x": value, "t": {"a": {"b": value, "n": [1, 2, 3]}, "k": "v"}}
    assert tomllib.loads(dumps(raw)) == raw


def test_staffing_table_problems_are_reported():
    raw = tomllib.loads((ROOT / "scenarios" / "staffing_day.toml").read_text())
    raw["staffing"]["shrinkage"] = 1.5
    raw["staffing"]["shifts"]["lengths"] = ["8 hours?"]
    raw["staffing"]["start"] = "guess"
    with pytest.raises(sim.ScenarioError) as err:
        sim.parse_scenario(raw, "day.toml", ROOT / "scenarios")
    keys = {p.key for p in err.value.problems}
    assert {"staffing.shrinkage", "staffing.shifts.lengths[0]", "staffing.start"} <= keys
    raw["staffing"]["shifts"]["lengths"] = ["8h", "1e9d"]       # a typo that would plan one endless shift
    with pytest.raises(sim.ScenarioError, match=r"staffing.shifts.lengths\[1\]: expected a shift length above 0 and "
                                                r"at most 24h"):
        sim.parse_scenario(raw, "day.toml", ROOT / "scenarios")


def test_command_reports_uncoverable_rules_before_simulating(tmp_path, capsys):
    text = (ROOT / "scenarios" / "staffing_day.toml").read_text()
    text = text.replace('to = "17:00"', 'to = "12:00"').replace('lengths = ["4h", "6h", "8h"]', 'lengths = ["4h"]')
    path = tmp_path / "day.toml"
    path.write_text(text)
    assert main(["staff", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "staffing.shifts" in err and "16:00–20:00" in err and "Traceback" not in err
    assert main(["staff", str(tmp_path / "missing.toml")]) == 2


def test_command_end_to_end_on_a_small_scenario(tmp_path, capsys):
    """A stationary hour-long scenario with 4 replications: exercises the files the command writes."""
    path = tmp_path / "tiny.toml"
    path.write_text('''schema = 1
name = "tiny"
[run]
horizon = "3h"
warmup = "1h"
interval = "1h"
seed = 3
[channels.phone]
arrivals = { rate = "60/h" }
handle_time = { dist = "exponential", mean = "4min" }
patience = { dist = "exponential", mean = "5min" }
[agents.phone]
serves = ["phone"]
count = 3
cost_per_hour = 25.0
[staffing]
shrinkage = 0.2
replications = 4
check_replications = 4
''')
    out = tmp_path / "out"
    assert main(["staff", str(path), "--out", str(out), "--quiet", "--no-figures"]) == 0
    stdout = capsys.readouterr().out
    assert "requirement by simulation" in stdout
    for name in ("requirements.csv", "roster.csv", "costs.csv", "check.csv", "tiny_staffed.toml",
                 "staffing_summary.json"):
        assert (out / name).is_file(), name
    staffed = sim.load_scenario(out / "tiny_staffed.toml")
    assert staffed.agents["phone"].availability == pytest.approx(0.8)
    req = pd.read_csv(out / "requirements.csv")
    assert len(req) == 2 and (req["simulated"] > 0).all()
    # a formula as the starting point, and no check
    out2 = tmp_path / "out2"
    assert main(["staff", str(path), "--out", str(out2), "--quiet", "--no-figures", "--start", "erlang_a",
                 "--check-replications", "0"]) == 0
    assert (out2 / "requirements.csv").is_file() and not (out2 / "check.csv").exists()


def test_a_target_agents_cannot_reach_stops_the_search_and_says_so(tmp_path, capsys):
    """The brand answers half the posts at all, so no team reaches 90% answered within the hour: the search stops after
    a few repairs that change nothing, instead of adding agents until the budget runs out."""
    path = tmp_path / "unreachable.toml"
    path.write_text('''schema = 1
[run]
horizon = "4h"
warmup = "1h"
interval = "1h"
seed = 5
[channels.social]
arrivals = { rate = "30/h" }
message_time = { dist = "exponential", mean = "3min" }
triage = { answer = 0.5 }
targets = { answer_within = "60min", service_level = 0.9 }
[agents.desk]
serves = ["social"]
count = 2
[staffing]
replications = 4
''')
    assert main(["staff", str(path), "--out", str(tmp_path / "out"), "--quiet", "--no-figures", "--no-shifts",
                 "--start", "erlang_a", "--check-replications", "0"]) == 0
    text = capsys.readouterr().out
    assert "NOT converged" in text and "more agents do not reach them" in text
