"""What a staffing costs: agent-hours × each group's ``cost_per_hour``, and the cost per resolved contact.

Seated agent-hours are the requirement as the simulation needs it; rostered hours add shrinkage (⌈seated/(1 − s)⌉ heads
per interval); a shift plan pays whole shifts (breaks unpaid unless the rule pays them), so it costs at least the
rostered hours. A simulated run's summary carries ``cost`` and ``cost_per_resolved`` (``sim.metrics``); resolved is
served until a model adds its own ``resolved`` count.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from sim.staffing.grid import StaffingGrid


def staffing_cost(scenario, grid: StaffingGrid, staffing: Mapping[str, np.ndarray], what: str) -> pd.DataFrame:
    """Agent-hours and cost per group of per-cell ``staffing`` over the reported cells: ``what, group, agent_hours,
    cost_per_hour, cost``."""
    rows = []
    cells = grid.report_cells
    widths = np.minimum(grid.starts_at_s[cells] + grid.interval_s, grid.horizon_s) - grid.starts_at_s[cells]
    for g, v in staffing.items():
        hours = float((np.asarray(v, float)[cells] * widths).sum() / 3600.0)
        rate = scenario.agents[g].cost_per_hour
        rows.append({"what": what, "group": g, "agent_hours": hours, "cost_per_hour": rate, "cost": hours * rate})
    return pd.DataFrame(rows, columns=["what", "group", "agent_hours", "cost_per_hour", "cost"])


def run_cost(summary: pd.DataFrame) -> dict[str, float]:
    """Total cost and cost per resolved contact of a simulated run (mean and 95% CI half-width over replications)."""
    out = {}
    rows = summary[(summary["channel"].astype(str) == "all") & summary["metric"].isin(["cost", "cost_per_resolved"])]
    for r in rows.itertuples():
        out[r.metric] = float(r.mean)
        out[f"{r.metric}_half_width"] = float(r.half_width)
    return out
