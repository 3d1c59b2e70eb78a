"""Shift scheduling: which shifts to roster so that every interval has its heads, at least cost.

A shift pattern is a start (one of the allowed clock times, on every day of the horizon), a length and — for shifts
longer than the break rule's threshold — a break placed at one allowed offset. Pattern j covers interval i when an
agent on it is at work and not on break. With x_j agents on pattern j the plan solves the set-covering integer
programme (Dantzig 1954, "A comment on Edie's 'Traffic delays at toll booths'")

    minimise Σ_j cost_j · x_j   subject to   Σ_j a_ij · x_j ≥ r_i  for every interval i,   x_j ∈ {0, 1, 2, …}

with ``scipy.optimize.milp`` (HiGHS). r_i is the rostered requirement: seated agents / (1 − shrinkage), rounded up.
cost_j is the paid hours (breaks unpaid unless the rule says otherwise) × the group's ``cost_per_hour`` (1 per hour
when the group has no cost, so that paid hours are minimised). Patterns must end by the horizon.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp

from sim.calendar import DAY
from sim.errors import InputError
from sim.staffing.grid import StaffingGrid
from sim.staffing.rules import ShiftRules
from sim.units import format_duration


@dataclass
class ShiftPlan:
    """The chosen shifts (``plan``), the coverage per interval (``coverage``) and the plan's cost."""

    group: str
    plan: pd.DataFrame
    coverage: pd.DataFrame
    cost: float
    paid_hours: float
    status: str


def rostered(seated: np.ndarray, shrinkage: float) -> np.ndarray:
    """Heads to roster so that ``seated`` remain after shrinkage: ⌈seated / (1 − shrinkage)⌉."""
    exact = np.asarray(seated, float) / (1.0 - shrinkage)
    return np.ceil(exact - 1e-9 * np.maximum(1.0, exact)).astype(np.int64)


def _aligned(value: float, step: float) -> bool:
    return abs(value / step - round(value / step)) < 1e-9


def patterns(grid: StaffingGrid, rules: ShiftRules, where: str = "staffing.shifts") -> pd.DataFrame:
    """Every allowed shift pattern inside the horizon: ``start_at_s, length_s, break_at_s`` (NaN: no break),
    ``paid_s``, ``first_cell`` and ``cells`` (tuple of covered cells)."""
    step = grid.interval_s
    for key, values in (("starts", [c - grid.start_clock_s for c in rules.starts_clock_s]), ("lengths", rules.lengths_s)):
        bad = [v for v in values if not _aligned(v, step)]
        if bad:
            raise InputError(f"{where}.{key}: expected values on {format_duration(step)} steps (the run's interval), "
                             f"got {', '.join(format_duration(abs(b)) for b in bad)}")
    brk = rules.break_rule
    if brk is not None and not (_aligned(brk.length_s, step) and _aligned(brk.earliest_s, step)):
        raise InputError(f"{where}.break: expected length and earliest on {format_duration(step)} steps")
    rows = []
    n_days = int(math.ceil((grid.start_clock_s + grid.horizon_s) / DAY)) + 1
    for day in range(n_days):
        for clock in rules.starts_clock_s:
            start = day * DAY + clock - grid.start_clock_s
            if start < -1e-9:
                continue
            for length in rules.lengths_s:
                if start + length > grid.horizon_s + 1e-9:
                    continue
                first = int(round(start / step))
                k = int(round(length / step))
                offsets = [None]
                if brk is not None and length > brk.longer_than_s:
                    lo = brk.earliest_s
                    hi = min(brk.latest_s, length - brk.length_s)
                    offsets = [lo + m * step for m in range(int((hi - lo) // step + 1e-9) + 1)] if hi >= lo else []
                for off in offsets:
                    cells = list(range(first, first + k))
                    paid = length
                    if off is not None:
                        b0 = first + int(round(off / step))
                        nb = int(round(brk.length_s / step))
                        cells = [c for c in cells if not b0 <= c < b0 + nb]
                        if not brk.paid:
                            paid -= brk.length_s
                    rows.append({"start_at_s": start, "length_s": length,
                                 "break_at_s": math.nan if off is None else start + off, "paid_s": paid,
                                 "first_cell": first, "cells": tuple(cells)})
    return pd.DataFrame(rows, columns=["start_at_s", "length_s", "break_at_s", "paid_s", "first_cell", "cells"])


def _runs(cells: list[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for c in cells:
        if out and c == out[-1][1] + 1:
            out[-1] = (out[-1][0], c)
        else:
            out.append((c, c))
    return out


def coverage_matrix(grid: StaffingGrid, pats: pd.DataFrame) -> np.ndarray:
    """a[i, j] = 1 when pattern j has an agent at work in cell i."""
    a = np.zeros((grid.n_cells, len(pats)))
    for j, cells in enumerate(pats["cells"]):
        a[list(cells), j] = 1.0
    return a


def check_coverable(grid: StaffingGrid, rules: ShiftRules, a: np.ndarray | None, required: np.ndarray, unit: str,
                    source: str = "") -> None:
    """``InputError`` naming, by clock time, every interval that needs agents (required > 0) but that no allowed
    shift covers."""
    if a is None:
        a = coverage_matrix(grid, patterns(grid, rules))
    uncovered = [i for i in range(grid.n_cells) if required[i] > 0 and a[i].sum() == 0]
    if uncovered:
        spans = "; ".join(f"{grid.span(lo, hi)} (up to {required[lo:hi + 1].max():g} {unit})"
                          for lo, hi in _runs(uncovered))
        starts = ", ".join(f"{int(c // 3600):02d}:{int(c % 3600 // 60):02d}" for c in rules.starts_clock_s)
        lengths = ", ".join(format_duration(x) for x in rules.lengths_s)
        where = f"{source}: " if source else ""
        raise InputError(f"{where}staffing.shifts: no allowed shift covers {spans}; shifts start at {starts}, last "
                         f"{lengths} and must end by the end of the run — allow other starts or lengths")


def plan_shifts(grid: StaffingGrid, required: np.ndarray, rules: ShiftRules, cost_per_hour: float, group: str,
                source: str = "", time_limit_s: float = 60.0) -> ShiftPlan:
    """Least-cost shifts whose coverage is at least ``required`` (rostered heads per cell, full grid) in every cell.

    An interval that needs agents but that no allowed shift covers is an ``InputError`` naming it by clock time."""
    required = np.asarray(required, dtype=np.int64)
    pats = patterns(grid, rules)
    a = coverage_matrix(grid, pats)
    check_coverable(grid, rules, a, required, f"rostered agents of {group} needed", source)
    rate = cost_per_hour if cost_per_hour > 0 else 1.0
    cost = pats["paid_s"].to_numpy() / 3600.0 * rate
    need = required > 0
    cons = LinearConstraint(a[need], lb=required[need].astype(float), ub=np.inf)
    res = milp(cost, constraints=[cons], integrality=np.ones(len(pats)), bounds=Bounds(0, np.inf),
               options={"time_limit": time_limit_s, "disp": False})
    if res.x is None:
        raise InputError(f"{source}: staffing.shifts: the shift programme found no plan ({res.message})")
    x = np.round(res.x).astype(np.int64)
    cover = a @ x
    chosen = pats.loc[x > 0].copy()
    chosen["agents"] = x[x > 0]
    chosen["group"] = group
    chosen["start"] = [grid.label(int(c)) for c in chosen["first_cell"]]
    chosen["end"] = [grid.label(int(c + round(length / grid.interval_s)) - 1, end=True)
                     for c, length in zip(chosen["first_cell"], chosen["length_s"])]
    chosen["break"] = [grid.label(int(round(b / grid.interval_s))) if not math.isnan(b) else ""
                       for b in chosen["break_at_s"]]
    chosen["paid_hours"] = chosen["paid_s"] / 3600.0 * chosen["agents"]
    chosen["cost"] = chosen["paid_hours"] * cost_per_hour
    plan = chosen[["group", "start", "end", "break", "length_s", "agents", "paid_hours", "cost", "start_at_s",
                   "break_at_s"]].reset_index(drop=True)
    coverage = pd.DataFrame({"cell": np.arange(grid.n_cells), "interval_start_at_s": grid.starts_at_s,
                             "clock": list(grid.labels), "group": group, "required": required,
                             "covered": cover.astype(np.int64), "surplus": (cover - required).astype(np.int64)})
    return ShiftPlan(group, plan, coverage, float(plan["cost"].sum()), float(plan["paid_hours"].sum()),
                     "optimal" if res.status == 0 else str(res.message))
