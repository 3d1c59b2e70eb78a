"""The fewest agents per interval that meet every target, found by simulation with common random numbers.

1. Start: the ISA (``sim.staffing.isa``, Feldman, Mandelbaum, Massey & Whitt 2008) from effectively infinite staffing,
   or a formula from ``sim.staffing.heuristics`` (``start``).
2. Repair: simulate; every interval that misses a target (service level, abandonment, occupancy — ``targets.evaluate``)
   gets one more agent in the group that answers for it; repeat until every interval meets its targets.
3. Trim: take one agent out of every other interval at once (even cells, then odd cells, group by group); a target
   missed in interval j is charged to the latest trimmed interval at or before j (staffing cannot affect the past), and
   those removals are undone; the others stay. Repeat until no interval can lose an agent.

Every simulation uses the same seed and replications, so two staffings meet the same callers (common random numbers)
and a difference in a target is the staffing's doing, not noise. The result is minimal one agent-interval at a time:
each interval was seen to miss a target with one agent fewer (given the others at least as high as in the result).
The targets are judged on the pooled estimate over the replications (``TargetSpec``).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.runner import run
from sim.staffing import isa
from sim.staffing.grid import StaffingGrid, current_staffing, with_staffing
from sim.staffing.heuristics import METHODS, by_group, erlang_requirements
from sim.staffing.rules import StaffingSettings
from sim.staffing.targets import TargetSpec, evaluate, failing_cells, primary_groups


@dataclass
class Requirement:
    """What ``simulate_requirements`` found: staffing per group (full grid), the comparison table, the evaluation of
    the final staffing, the search history and the heuristics it started from."""

    grid: StaffingGrid
    staffing: dict[str, np.ndarray]
    table: pd.DataFrame
    evaluation: pd.DataFrame
    history: pd.DataFrame
    heuristics: pd.DataFrame
    converged: bool
    settings: dict = field(default_factory=dict)


class _Search:
    def __init__(self, scenario, grid, sized, fixed, replications, seed, spec, max_simulations, progress):
        self.scenario, self.grid, self.sized, self.fixed = scenario, grid, sized, fixed
        self.replications, self.seed, self.spec = replications, seed, spec
        self.max_simulations, self.progress = max_simulations, progress
        self.history: list[dict] = []
        self.sims = 0

    def evaluate(self, s: dict[str, np.ndarray], phase: str) -> pd.DataFrame:
        staffing = {**self.fixed, **{g: self.grid.full(v) for g, v in s.items()}}
        res = run(with_staffing(self.scenario, self.grid, staffing), replications=self.replications, seed=self.seed)
        ev = evaluate(res, self.scenario, self.grid, self.spec)
        self.sims += 1
        failing = int((~ev["met"]).sum())
        total = int(sum(v.sum() for v in s.values()))
        self.history.append({"phase": phase, "simulation": self.sims, "agent_intervals": total,
                             "targets_missed": failing})
        if self.progress:
            self.progress(f"simulation {self.sims} ({phase}): {total} agent-intervals, {failing} targets missed")
        return ev

    @property
    def exhausted(self) -> bool:
        return self.sims >= self.max_simulations


STALL = 4  # repairs in a row that leave the same targets missed: more agents do not help there


def _repair(search: _Search, s, lower, ev):
    """Add an agent wherever a target is missed until none is (or the simulation budget runs out). When the same
    targets stay missed through ``STALL`` repairs in a row, agents are not what they lack (e.g. a first-response target
    above the share of posts the triage answers at all): the search stops and records them as unreachable."""
    previous, same = None, 0
    while True:
        fails = {g: c for g, c in failing_cells(ev).items() if g in s}
        if not fails or search.exhausted:
            return s, ev, not fails
        key = {g: frozenset(c) for g, c in fails.items()}
        same = same + 1 if key == previous else 0
        previous = key
        if same >= STALL:
            search.unreachable = {g: sorted(c) for g, c in fails.items()}
            return s, ev, False
        for g, cells in fails.items():
            idx = np.array(sorted(cells)) - search.grid.first_report
            s[g][idx] += 1
        ev = search.evaluate(s, "repair")


def _trim(search: _Search, s, lower, ev):
    """One pass of batched removals (parity × group); returns the new staffing, its evaluation, whether it changed."""
    changed = False
    first = search.grid.first_report
    for g in list(s):
        for parity in (0, 1):
            if search.exhausted:
                return s, ev, changed
            idx = np.arange(len(s[g]))
            cand = idx[(idx % 2 == parity) & (s[g] > lower[g])]
            if len(cand) == 0:
                continue
            trial = {k: v.copy() for k, v in s.items()}
            trial[g][cand] -= 1
            tev = search.evaluate(trial, f"trim {g} {'even' if parity == 0 else 'odd'} intervals")
            fails = sorted(c - first for c in failing_cells(tev).get(g, set()))
            other = any(k != g and cells for k, cells in failing_cells(tev).items())
            rejected = set()
            for j in fails:
                before = cand[cand <= j]
                if len(before):
                    rejected.add(int(before[-1]))
            if other:  # a removal in this group broke another group's targets: keep this group as it was
                rejected = set(int(c) for c in cand)
            accepted = [int(c) for c in cand if int(c) not in rejected]
            for c in rejected:
                lower[g][c] = s[g][c]
            if not accepted:
                continue
            changed = True
            new = {k: v.copy() for k, v in s.items()}
            new[g][accepted] -= 1
            s = new
            if not fails and not other:
                ev = tev
            else:
                ev = search.evaluate(s, "verify")
                s, ev, _ = _repair(search, s, lower, ev)
    return s, ev, changed


def simulate_requirements(scenario, settings: StaffingSettings | None = None, *, replications: int | None = None,
                          seed: int | None = None, start: str | None = None, max_simulations: int = 80,
                          progress: Callable[[str], None] | None = None) -> Requirement:
    """Fewest seated agents per interval and group that meet the scenario's targets in simulation.

    ``settings`` default to the scenario's ``[staffing]`` table; ``replications``, ``seed`` and ``start`` override it.
    Only groups that answer for a channel (``targets.primary_groups``) are sized; others keep their scenario counts.
    """
    settings = settings or scenario.sections.get("staffing") or StaffingSettings()
    replications = int(replications or settings.replications)
    seed = scenario.run.seed if seed is None else int(seed)
    start = start or settings.start
    spec = TargetSpec(settings.sl_definition, settings.margin_z)
    grid = StaffingGrid.of(scenario)
    heur = erlang_requirements(scenario, grid, seed, settings.sl_definition)
    heur_g = by_group(heur)
    sized = sorted(set(primary_groups(scenario).values()), key=list(scenario.agents).index)
    current = current_staffing(scenario, grid)
    fixed = {g: v for g, v in current.items() if g not in sized}
    search = _Search(scenario, grid, sized, fixed, replications, seed, spec, max_simulations, progress)
    history: list[dict] = []
    isa_converged = None
    if start == "isa":
        alpha = isa.delay_alpha(heur, scenario)
        res = isa.iterate(scenario, grid, alpha, isa.infinite_start(heur_g, sized), fixed, replications, seed,
                          progress=progress)
        s = res.staffing
        history += res.history
        isa_converged = res.converged
    else:
        s = {g: heur_g[heur_g["group"] == g].sort_values("cell")[start].to_numpy(np.int64).copy() for g in sized}
    start_staffing = {g: v.copy() for g, v in s.items()}
    lower = {g: np.zeros(len(v), dtype=np.int64) for g, v in s.items()}
    ev = search.evaluate(s, "start")
    s, ev, feasible = _repair(search, s, lower, ev)
    while feasible and not search.exhausted:
        s, ev, changed = _trim(search, s, lower, ev)
        feasible = not failing_cells(ev)
        if not changed:
            break
    converged = feasible and not search.exhausted
    history += search.history
    staffing = {g: grid.full(v) for g, v in s.items()}
    table = requirement_table(grid, heur_g, s, start_staffing, ev, scenario)
    return Requirement(grid, staffing, table, ev, pd.DataFrame(history), heur, converged,
                       {"replications": replications, "seed": seed, "start": start,
                        "sl_definition": settings.sl_definition, "margin_z": settings.margin_z,
                        "simulations": search.sims, "isa_converged": isa_converged,
                        "unreachable": getattr(search, "unreachable", {})})


def requirement_table(grid: StaffingGrid, heur_g: pd.DataFrame, s: dict[str, np.ndarray],
                      start: dict[str, np.ndarray], ev: pd.DataFrame, scenario) -> pd.DataFrame:
    """One row per reported cell × sized group: forecast, loads, each formula's requirement, the simulated one,
    the differences (simulated − formula) and the simulated targets at the simulated staffing."""
    rows = []
    for g, v in s.items():
        h = heur_g[heur_g["group"] == g].sort_values("cell").reset_index(drop=True)
        h["start"] = start[g]
        h["simulated"] = v
        for m in METHODS:
            h[f"diff_{m}"] = h["simulated"] - h[m]
        chans = [c for c, pg in primary_groups(scenario).items() if pg == g]
        sub = ev[((ev["kind"] == "channel") & ev["name"].isin(chans)) | ((ev["kind"] == "group") & (ev["name"] == g))]
        if len(chans) == 1:
            wide = sub.pivot_table(index="cell", columns="metric", values="estimate", aggfunc="first")
            h = h.merge(wide.add_prefix("sim_"), left_on="cell", right_index=True, how="left")
        h["targets_met"] = h["cell"].map(sub.groupby("cell")["met"].all()).fillna(True).astype(bool)
        rows.append(h)
    return pd.concat(rows, ignore_index=True)
