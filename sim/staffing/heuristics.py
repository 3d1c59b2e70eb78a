"""Planners' staffing formulas, interval by interval: Erlang C, Erlang A, square-root and the modified offered load.

Inputs come from the scenario as a planner's calculator sees them: the forecast arrival rate averaged over each
interval (opening hours applied, busyness factor 1), the mean handle time plus the serving group's mean wrap-up, the
mean patience (Erlang A; exponential patience assumed by the formula whatever the scenario draws), and the channel's
targets. Each interval is treated as if it were in steady state (SIPP, "stationary independent period by period"),
except for the modified offered load, which carries work over from earlier intervals:
m(t) = E[λ(t − S_e)]·E[S] = ∫ λ(t − u)·P(S > u) du (Jennings, Mandelbaum, Massey & Whitt 1996; Green, Kolesar &
Whitt 2007, "Coping with time-varying demand when setting staffing requirements"; domain notes §1).

The formulas see only the forecast: what a funnel, blending or concurrency does to the load reaching agents is left to
the simulation (``sim.staffing.requirements``), which starts from these numbers and corrects them.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import special

from sim.analytic import required_agents, sqrt_staffing
from sim.calendar import n_days
from sim.staffing.grid import StaffingGrid
from sim.staffing.messaging import replies_per_contact
from sim.staffing.targets import primary_groups
from sim.streams import Streams

#: Heuristic columns of ``erlang_requirements``, in the order they are reported.
METHODS = ("erlang_c", "erlang_a", "sqrt_hw", "mol_erlang_a")
METHOD_LABELS = {
    "erlang_c": "Erlang C (SIPP)",
    "erlang_a": "Erlang A (SIPP)",
    "sqrt_hw": "square-root, Halfin–Whitt β",
    "mol_erlang_a": "Erlang A at the modified offered load",
    "simulated": "simulation (ISA + search)",
}


def forecast_rates(scenario, grid: StaffingGrid) -> dict[str, np.ndarray]:
    """Mean arrival rate (per second) of each channel in each cell, from its forecast (opening hours applied)."""
    run, cal = scenario.run, scenario.calendar
    ones = np.ones(n_days(run.horizon_s, cal))
    edges = np.append(grid.starts_at_s, run.horizon_s)
    out = {}
    for ch in scenario.channels.values():
        starts, rates = ch.arrivals.rate_pieces(run.horizon_s, cal, ch.open_hours, ones)
        out[ch.name] = _average(starts, rates, run.horizon_s, edges)
    return out


def _average(starts: np.ndarray, values: np.ndarray, horizon: float, edges: np.ndarray) -> np.ndarray:
    """Time-average of a piecewise-constant function over each [edges[k], edges[k+1]) (edges inside [0, horizon])."""
    knots = np.append(starts, horizon)
    cum = np.concatenate([[0.0], np.cumsum(np.asarray(values, float) * np.diff(knots))])
    integral = np.interp(edges, knots, cum)
    width = np.diff(edges)
    return np.where(width > 0, np.diff(integral) / np.where(width > 0, width, 1.0), 0.0)


def service_samples(scenario, channel, seed: int, size: int = 20_000) -> np.ndarray:
    """Draws of agent time per contact (handle time + the primary group's wrap-up) for the offered-load integral."""
    streams = Streams(seed, 0)
    s = channel.handle_time.sample(streams.generator(f"staffing.mol.{channel.name}"), size)
    s = s * replies_per_contact(channel)  # messaging: a thread's replies (sim.staffing.messaging)
    group = scenario.agents.get(primary_groups(scenario).get(channel.name, ""))
    if group is not None and group.wrap_up is not None:
        s = s + group.wrap_up.sample(streams.generator(f"staffing.mol.{channel.name}.wrap"), size)
    return s


def modified_offered_load(starts: np.ndarray, rates: np.ndarray, horizon_s: float, service: np.ndarray,
                          edges: np.ndarray, step_s: float = 30.0) -> np.ndarray:
    """Mean over each cell of m(t) = ∫ λ(t − u)·P(S > u) du (Erlangs), P(S > u) from ``service`` draws.

    λ is integrated exactly over steps of ``step_s`` seconds; the survival function at the step midpoints."""
    n = int(math.ceil(horizon_s / step_s))
    fine = np.minimum(np.arange(n + 1) * step_s, horizon_s)
    lam = _average(starts, rates, horizon_s, fine)  # arrivals per second on each step
    s = np.sort(service)
    u = (np.arange(min(n, int(math.ceil(s[-1] / step_s)) + 1)) + 0.5) * step_s
    surv = 1.0 - np.searchsorted(s, u, side="right") / len(s)
    m = np.convolve(lam, surv)[:n] * step_s  # m at the end of each step
    cell = np.searchsorted(edges, fine[1:] - 1e-9, side="right") - 1
    out = np.zeros(len(edges) - 1)
    counts = np.bincount(cell, minlength=len(out))[:len(out)]
    sums = np.bincount(cell, weights=m, minlength=len(out))[:len(out)]
    np.divide(sums, counts, out=out, where=counts > 0)
    return out


def halfin_whitt_beta(load: float, mean_service_s: float, answer_within_s: float, service_level: float) -> float:
    """Smallest β with Halfin–Whitt P(wait > T) ≈ α(β)·exp(−β√R·T/E[S]) ≤ 1 − SL, where
    α(β) = [1 + β·Φ(β)/φ(β)]^{−1} (Halfin & Whitt 1981), for square-root staffing n = R + β√R."""
    def late(beta: float) -> float:
        ratio = math.exp(float(special.log_ndtr(beta)) + 0.5 * beta * beta + 0.5 * math.log(2 * math.pi))
        return math.exp(-beta * math.sqrt(load) * answer_within_s / mean_service_s) / (1.0 + beta * ratio)
    lo, hi = 0.0, 1.0
    while late(hi) > 1.0 - service_level and hi < 64:
        hi *= 2
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if late(mid) > 1.0 - service_level else (lo, mid)
    return hi


def _required(rate, service, targets, patience, sl_definition, erlang_c=False) -> int:
    if rate * service <= 1e-9:
        return 0
    return required_agents(rate, service, targets.answer_within_s, targets.service_level,
                           None if erlang_c else patience,
                           None if erlang_c else targets.max_abandon, targets.max_occupancy, sl_definition)


def erlang_requirements(scenario, grid: StaffingGrid, seed: int | None = None,
                        sl_definition: str = "sl_offered") -> pd.DataFrame:
    """Heuristic requirement per reported cell and channel (columns ``cell, interval_start_at_s, clock, channel,
    group, rate_per_h, mean_service_s, load_erlangs, mol_erlangs`` and one per ``METHODS``), agents on the phones
    before shrinkage. ``group`` is the group the channel's requirement is charged to (``primary_groups``)."""
    seed = scenario.run.seed if seed is None else seed
    rates = forecast_rates(scenario, grid)
    primary = primary_groups(scenario)
    run, cal = scenario.run, scenario.calendar
    ones = np.ones(n_days(run.horizon_s, cal))
    edges = np.append(grid.starts_at_s, run.horizon_s)
    rows = []
    for ch in scenario.channels.values():
        group = scenario.agents.get(primary.get(ch.name, ""))
        wrap = group.wrap_up.mean if group is not None and group.wrap_up is not None else 0.0
        service = ch.handle_time.mean * replies_per_contact(ch) + wrap  # messaging: all replies of a thread
        patience = ch.patience.mean if ch.patience is not None else None
        starts, pieces = ch.arrivals.rate_pieces(run.horizon_s, cal, ch.open_hours, ones)
        mol = modified_offered_load(starts, pieces, run.horizon_s, service_samples(scenario, ch, seed), edges)
        t = ch.targets
        for cell in grid.report_cells:
            lam = float(rates[ch.name][cell])
            load = lam * service
            beta = halfin_whitt_beta(load, service, t.answer_within_s, t.service_level) if load > 0 else 0.0
            sqrt_n = sqrt_staffing(load, beta) if load > 0 else 0
            if t.max_occupancy is not None and load > 0:
                sqrt_n = max(sqrt_n, math.ceil(load / t.max_occupancy - 1e-9))
            rows.append({
                "cell": int(cell), "interval_start_at_s": float(grid.starts_at_s[cell]), "clock": grid.label(int(cell)),
                "channel": ch.name, "group": group.name if group is not None else None,
                "rate_per_h": lam * 3600.0, "mean_service_s": service, "load_erlangs": load,
                "mol_erlangs": float(mol[cell]),
                "erlang_c": _required(lam, service, t, patience, sl_definition, erlang_c=True),
                "erlang_a": _required(lam, service, t, patience, sl_definition),
                "sqrt_hw": int(sqrt_n),
                "mol_erlang_a": _required(float(mol[cell]) / service, service, t, patience, sl_definition),
            })
    return pd.DataFrame(rows)


def by_group(table: pd.DataFrame, columns=METHODS) -> pd.DataFrame:
    """Heuristic requirements summed over the channels charged to each group: one row per cell × group."""
    keys = ["cell", "interval_start_at_s", "clock", "group"]
    agg = {c: "sum" for c in ("rate_per_h", "load_erlangs", "mol_erlangs", *columns)}
    return table.groupby(keys, sort=True, dropna=True).agg(agg).reset_index()
