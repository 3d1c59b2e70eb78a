"""Lesson 2, inside the phone funnel: how menu depth, options per menu, misrouting and the kind of transfer change the
time to a human and the share of calls transferred.

``compute(inputs, replications)`` runs ``sim.app.scenarios.funnel_scenario`` and returns the funnel's metrics with
95% CIs (from the summary), the contacts and legs tables for the flow figure (``sim.plots.funnel.funnel_figure``)
and two back-of-envelope numbers from the tree itself: the expected time in the menus and the chance that a caller
who presses an option at every level never presses a wrong one.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

import sim
from sim.app import tables
from sim.app.scenarios import funnel_scenario

# (metric of the summary, label, scale, unit)
ROWS = (
    ("mean_ivr_s", "time in the IVR per call", 1.0, "s"),
    ("misrouted_share", "routed calls sent to a wrong department", 100.0, "%"),
    ("time_to_first_human_s", "time to a human (first agent, arrival to answer)", 1.0, "s"),
    ("time_to_right_human_s", "time to the right human (the issue's department)", 1.0, "s"),
    ("transferred_share", "calls answered that were transferred", 100.0, "%"),
    ("transfers_per_call", "transfers per call answered", 1.0, ""),
    ("fcr", "first-contact resolution of served calls", 100.0, "%"),
    ("abandon_rate", "callers in a queue who hung up", 100.0, "%"),
    ("sl_offered", "service level (answered within 20 s / offered)", 100.0, "%"),
)
# IVR timings of sim.app.scenarios.funnel_scenario (retail_phone.toml): greeting, prompt per option, mean decision.
GREETING_S, PER_OPTION_S, DECISION_S = 4.0, 3.0, 3.0


@dataclass(frozen=True)
class FunnelInputs:
    """The controls of lesson 2 (defaults: a 3-level menu of 4 options, the domain notes' ε = 0.07 per level)."""

    depth: int = 3
    options: int = 4
    misroute: float = 0.07
    transfer_mode: str = "cold"
    calls_per_hour: float = 120.0
    agents: int = 14
    hours: float = 2.0

    def scenario(self, replications: int, seed: int = 1) -> dict:
        return funnel_scenario(replications=replications, seed=seed, **asdict(self))


def menu_time_s(inputs: FunnelInputs) -> float:
    """Expected seconds in the menus of a caller who goes to a leaf: greeting + depth × (prompt + decision)."""
    return GREETING_S + inputs.depth * (inputs.options * PER_OPTION_S + DECISION_S)


def right_path_share(inputs: FunnelInputs) -> float:
    """P(no wrong press over all levels) = (1 − ε)^depth: a first look at why deeper trees misroute more (a wrong
    press that still lands in the right department, and zero-outs, make the simulated share differ)."""
    return (1.0 - inputs.misroute) ** inputs.depth


def flow(contacts: pd.DataFrame, legs: pd.DataFrame) -> dict:
    """What the flow figure draws, small enough for a precomputed grid: ``nodes`` (column, name, mean calls per
    replication), ``links`` between consecutive columns, ``times`` (mean minutes per stage visit)."""
    from sim.plots.funnel import COLOURS, call_paths, stage_times

    reps = max(contacts["replication"].nunique(), 1)
    paths = call_paths(contacts, legs).drop(columns=["calls", "trunk"])
    cols = list(paths.columns)
    nodes = []
    for col in cols:
        counts = paths[col].dropna().value_counts() / reps
        for name in [k for k in COLOURS if k in counts.index] + [k for k in counts.index if k not in COLOURS]:
            nodes.append({"column": col, "name": str(name), "calls": float(counts[name])})
    links = []
    for a, b in zip(cols[:-1], cols[1:]):
        for (x, y), v in (paths[[a, b]].dropna().groupby([a, b]).size() / reps).items():
            links.append({"from_column": a, "from": str(x), "to_column": b, "to": str(y), "calls": float(v)})
    times = stage_times(legs)
    return {"nodes": pd.DataFrame(nodes, columns=["column", "name", "calls"]),
            "links": pd.DataFrame(links, columns=["from_column", "from", "to_column", "to", "calls"]),
            "times": pd.DataFrame({"stage": [str(k) for k in times.index], "minutes": times.to_numpy(float)})}


def compute(inputs: FunnelInputs, replications: int = 3, seed: int = 1) -> dict:
    """Run the lesson: ``table`` (metric rows, simulated mean and CI half-width in display units), ``flow`` (for the
    flow figure), ``menu_time_s``, ``right_path_share``, ``agents`` (per department); small and plain, so a
    precomputed grid (``sim.app.grid``) can hold it."""
    raw = inputs.scenario(replications, seed)
    res = sim.run(sim.parse_scenario(raw, source="lesson 2"))
    s = res.summary[res.summary["channel"].astype(str) == "phone"].set_index("metric")
    rows = [{"metric": m, "label": label, "unit": unit, "simulated": s.at[m, "mean"] * scale,
             "half_width": s.at[m, "half_width"] * scale} for m, label, scale, unit in ROWS if m in s.index]
    agents = {g.removesuffix("_team"): spec["count"] for g, spec in raw["agents"].items()}
    return {"table": pd.DataFrame(rows), "flow": flow(tables.contacts(res), tables.legs(res)),
            "replications": replications,
            "menu_time_s": menu_time_s(inputs), "right_path_share": right_path_share(inputs), "agents": agents}


# The values each control of the page offers: the grid holds every setting one control away from the defaults.
CHOICES = {"depth": [1, 2, 3, 4], "options": [3, 4, 5, 6], "misroute": [0.0, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.3],
           "transfer_mode": ["cold", "warm"], "calls_per_hour": list(range(40, 241, 20)), "agents": list(range(4, 31, 2))}
