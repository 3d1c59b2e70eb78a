"""Before staffing: every interval the plan covers must have demand, or the rota gets 0 agents there.

``contactsim staff`` refuses a scenario in which a reported interval inside a channel's opening hours has no forecast
contact (a zero or a gap in the volumes, a forecast dated for another day), unless the arrivals say
``missing = "zero"`` (zeros meant). Channels without opening hours are not checked: a zero at night is normal.
"""
from __future__ import annotations

from sim.errors import Problem, ScenarioError


def check_demand(scenario) -> None:
    """``ScenarioError`` naming each channel with open intervals of zero forecast (their clock times)."""
    from sim.staffing.grid import StaffingGrid
    from sim.staffing.heuristics import forecast_rates

    grid = StaffingGrid.of(scenario)
    rates = forecast_rates(scenario, grid)
    cal = scenario.calendar
    problems = []
    for ch in scenario.channels.values():
        raw_arrivals = scenario.raw.get("channels", {}).get(ch.name, {}).get("arrivals", {})
        if ch.open_hours is None or (isinstance(raw_arrivals, dict) and raw_arrivals.get("missing") == "zero"):
            continue
        cells = grid.report_cells
        mid = grid.starts_at_s[cells] + grid.interval_s / 2
        clock = cal.clock(mid)
        open_ = (clock >= ch.open_hours[0]) & (clock < ch.open_hours[1])
        empty = cells[open_ & (rates[ch.name][cells] <= 0)]
        if empty.size:
            shown = ", ".join(grid.labels[int(k)] for k in empty[:4]) + (
                f" (and {empty.size - 4} more)" if empty.size > 4 else "")
            problems.append(Problem(scenario.source, f"channels.{ch.name}.arrivals",
                                    "demand in every planned interval inside opening hours (or missing = \"zero\" "
                                    "in the arrivals when zeros are meant)",
                                    f"no forecast contact at {shown}"))
    if problems:
        raise ScenarioError(problems)



