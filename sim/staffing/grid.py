"""The staffing grid: one cell per reporting interval over the replication, and staffing written back as `count` lists.

A planner's staffing is a whole number of seated agents per group per interval (30 min by default, ``[run] interval``).
Cells run from t = 0 to the horizon; the cells inside the warm-up are staffed like the first reported cell, so a
stationary run warms up with the staffing it is judged on. ``with_staffing`` turns per-cell numbers into the scenario's
``[agents.NAME] count = [...]`` lists (laid from midnight of the start day, as the scenario reader expects) and
re-validates the scenario, so every model the scenario describes is simulated as it is.
"""
from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

import numpy as np

from sim.calendar import DAY
from sim.errors import InputError
from sim.scenario import Scenario, parse_scenario
from sim.units import format_duration


@dataclass(frozen=True)
class StaffingGrid:
    """Cells of ``interval_s`` from t = 0; ``first_report`` is the first cell the ``intervals`` table reports."""

    interval_s: float
    starts_at_s: np.ndarray
    first_report: int
    horizon_s: float
    start_clock_s: float
    labels: tuple[str, ...]

    @classmethod
    def of(cls, scenario: Scenario) -> StaffingGrid:
        run, cal = scenario.run, scenario.calendar
        interval = run.interval_s
        if cal.start_clock_s % interval > 1e-6 and interval < DAY:
            raise InputError(f"{scenario.source}: run.start: expected a start on a {format_duration(interval)} boundary "
                             f"for staffing by interval, got {cal.start:%H:%M}")
        starts = np.arange(0.0, run.horizon_s - 1e-9, interval)
        first = int(math.floor(run.warmup_s / interval))
        multi_day = cal.start_clock_s + run.horizon_s > DAY
        fmt = "%a %H:%M" if multi_day else "%H:%M"
        labels = tuple((cal.start + timedelta(seconds=float(t))).strftime(fmt) for t in starts)
        return cls(interval, starts, first, run.horizon_s, cal.start_clock_s, labels)

    @property
    def n_cells(self) -> int:
        return len(self.starts_at_s)

    @property
    def report_cells(self) -> np.ndarray:
        return np.arange(self.first_report, self.n_cells)

    def cell_of(self, t_at_s: np.ndarray) -> np.ndarray:
        return np.floor(np.asarray(t_at_s, float) / self.interval_s).astype(int)

    def label(self, cell: int, end: bool = False) -> str:
        """Clock time of a cell's start (or its end)."""
        if end:
            return self.label(cell + 1) if cell + 1 < self.n_cells else self._clock(self.horizon_s)
        return self.labels[cell]

    def span(self, first: int, last: int) -> str:
        """"08:00–09:30" for cells first..last."""
        return f"{self.label(first)}–{self.label(last, end=True)}"

    def _clock(self, t: float) -> str:
        return f"{int((t + self.start_clock_s) % DAY // 3600):02d}:{int((t + self.start_clock_s) % 3600 // 60):02d}"

    def full(self, report_values: np.ndarray) -> np.ndarray:
        """Per-cell values from values for the reported cells (warm-up cells copy the first reported one)."""
        v = np.asarray(report_values)
        return np.concatenate([np.full(self.first_report, v[0] if len(v) else 0, dtype=v.dtype), v])

    def count_list(self, cells: np.ndarray) -> list[int]:
        """A ``count`` list laid from midnight of the start day covering whole days (zeros outside the run)."""
        cells = np.asarray(cells, dtype=np.int64)
        lead = int(round(self.start_clock_s / self.interval_s)) if self.interval_s < DAY else 0
        per_day = DAY / self.interval_s
        total = lead + len(cells)
        if per_day.is_integer():
            total = int(math.ceil(total / per_day) * per_day)
        out = np.zeros(total, dtype=np.int64)
        out[lead:lead + len(cells)] = cells
        return [int(x) for x in out]


def current_staffing(scenario: Scenario, grid: StaffingGrid) -> dict[str, np.ndarray]:
    """Each group's seated count per cell as the scenario has it (the largest value inside the cell)."""
    out = {}
    for name, g in scenario.agents.items():
        vals = np.zeros(grid.n_cells)
        for k in range(8):  # a count profile may change inside a cell: take its largest value
            t = grid.starts_at_s + grid.interval_s * k / 8
            vals = np.maximum(vals, g.count.value_at(t, scenario.calendar))
        out[name] = vals.round().astype(np.int64)
    return out


def staffed_raw(scenario: Scenario, grid: StaffingGrid, staffing: Mapping[str, np.ndarray],
                availability: Mapping[str, float] | None = None) -> dict:
    """The scenario's dict with each named group's count replaced by per-cell ``staffing`` (full grid length)."""
    raw = copy.deepcopy(dict(scenario.raw))
    raw = json_safe(raw)
    for name, cells in staffing.items():
        cells = np.asarray(cells)
        if len(cells) != grid.n_cells:
            raise ValueError(f"staffing of {name}: expected {grid.n_cells} cells, got {len(cells)}")
        table = raw["agents"][name]
        for key in ("schedule", "by_weekday"):
            table.pop(key, None)
        table["count"] = grid.count_list(cells)
        table["interval"] = format_duration(grid.interval_s)
        if availability and name in availability:
            table["availability"] = float(availability[name])
    return raw


def json_safe(raw):
    """Deep copy of a scenario dict with tables as plain dicts (``Scenario.raw`` holds read-only mappings)."""
    if isinstance(raw, Mapping):
        return {k: json_safe(v) for k, v in raw.items()}
    if isinstance(raw, list):
        return [json_safe(v) for v in raw]
    return copy.deepcopy(raw)


def with_staffing(scenario: Scenario, grid: StaffingGrid, staffing: Mapping[str, np.ndarray],
                  availability: Mapping[str, float] | None = None) -> Scenario:
    """The scenario with new per-cell counts for the named groups, re-validated (files resolve as before)."""
    raw = staffed_raw(scenario, grid, staffing, availability)
    return parse_scenario(raw, source=scenario.source, base_dir=scenario.base_dir)
