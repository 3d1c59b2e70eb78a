"""The iterative staffing algorithm (ISA) of Feldman, Mandelbaum, Massey & Whitt (2008), "Staffing of time-varying
queues to achieve time-stable performance", Management Science 54(2).

Simulate with staffing s_n; estimate the distribution of N_n(t), the number of contacts that need an agent at time t
(waiting, in service or in wrap-up); set s_{n+1}(t) = min{ s : P(N_n(t) ≥ s) ≤ α(t) }; repeat until the staffing stops
changing (or cycles between staffings that differ by at most one agent per interval, which counts as converged).
Started from (effectively) infinitely many agents, the first step is the infinite-server offered-load quantile;
the fixed point carries the effect of queues left over from earlier intervals. Here staffing is constant over each
interval, so P(N ≥ s) is the time average over the interval (every ``step_s`` seconds, pooled over replications), and
α is per interval: the delay probability the stationary Erlang A model has at its required staffing for that
interval's modified offered load — in a stationary system the ISA then returns exactly the Erlang A requirement, and in
a time-varying one it moves it to where the queue actually is. Every iteration uses the same seed and replications
(common random numbers).

N counts contacts. Where agents hold up to k conversations at once (social concurrency), s agents hold k·s of them
before a new one has to wait, so the step uses ⌊N/k⌋ in place of N; the search in ``sim.staffing.requirements`` then
corrects what this capacity view misses (the per-message slowdown, think times that free an agent's attention).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analytic import queue_metrics
from sim.runner import run
from sim.staffing.grid import StaffingGrid, with_staffing
from sim.staffing.messaging import messages_in_system, messaging_group
from sim.staffing.targets import primary_groups

AGENT_OUTCOMES = ("served", "abandoned", "open")


@dataclass
class IsaResult:
    staffing: dict[str, np.ndarray]  # per group, per reported cell
    history: list[dict]
    converged: bool


def delay_alpha(heur: pd.DataFrame, scenario) -> dict[str, np.ndarray]:
    """α per group and reported cell: Erlang A P(wait > 0) at the modified-offered-load requirement (strictest channel)."""
    out: dict[str, dict[int, float]] = {}
    for row in heur.itertuples():
        if row.group is None:
            continue
        ch = scenario.channels[row.channel]
        n = int(row.mol_erlang_a)
        if n <= 0 or row.mol_erlangs <= 0:
            a = 1.0
        else:
            patience = ch.patience.mean if ch.patience is not None else None
            a = queue_metrics(n, row.mol_erlangs / row.mean_service_s, row.mean_service_s, ch.targets.answer_within_s,
                              patience)["p_wait"]
        d = out.setdefault(row.group, {})
        d[row.cell] = min(d.get(row.cell, 1.0), a)
    return {g: np.array([d[c] for c in sorted(d)]) for g, d in out.items()}


def number_in_system(contacts: pd.DataFrame, horizon_s: float, times: np.ndarray) -> np.ndarray:
    """N(t) at ``times`` for each replication: contacts waiting for or held by an agent. Shape (replications, times)."""
    reps = np.sort(contacts["replication"].unique())
    out = np.zeros((len(reps), len(times)), dtype=np.int64)
    if len(contacts) == 0:
        return out
    outcome = contacts["outcome"].astype(str).to_numpy()
    keep = np.isin(outcome, AGENT_OUTCOMES)
    c = contacts.loc[keep]
    outcome = outcome[keep]
    ans, end = c["answer_at_s"].to_numpy(float), c["end_at_s"].to_numpy(float)
    wait, wrap = c["wait_s"].to_numpy(float), np.nan_to_num(c["wrap_up_s"].to_numpy(float))
    answered = ~np.isnan(ans)
    left = np.where(answered, ans, np.where(np.isnan(end), horizon_s, end))
    entry = left - wait
    leave = np.where(outcome == "served", end + wrap, np.where(outcome == "abandoned", end, horizon_s))
    leave = np.where(np.isnan(leave), horizon_s, leave)
    rep = c["replication"].to_numpy()
    for i, r in enumerate(reps):
        sel = rep == r
        e, lv = np.sort(entry[sel]), np.sort(leave[sel])
        out[i] = np.searchsorted(e, times, side="right") - np.searchsorted(lv, times, side="right")
    return out


def sample_times(grid: StaffingGrid, step_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Sampling times inside the reported cells and the cell of each."""
    k = max(1, int(round(grid.interval_s / step_s)))
    cells = grid.report_cells
    offsets = (np.arange(k) + 0.5) * grid.interval_s / k
    times = (grid.starts_at_s[cells][:, None] + offsets[None, :]).ravel()
    which = np.repeat(cells, k)
    ok = times < grid.horizon_s
    return times[ok], which[ok]


def isa_step(n: np.ndarray, which: np.ndarray, cells: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """s(cell) = min{ s : P(N ≥ s) ≤ α } with P the share of (replication, time) samples in the cell."""
    out = np.zeros(len(cells), dtype=np.int64)
    for j, cell in enumerate(cells):
        x = n[:, which == cell].ravel()
        if len(x) == 0:
            continue
        tail = 1.0 - np.cumsum(np.bincount(x, minlength=1)) / len(x)  # tail[s-1] = P(N ≥ s)
        tail = np.concatenate([[1.0], tail])  # tail[s] = P(N ≥ s)
        out[j] = int(np.argmax(tail <= alpha[j] + 1e-12))
    return out


def iterate(scenario, grid: StaffingGrid, alpha: Mapping[str, np.ndarray], start: Mapping[str, np.ndarray],
            fixed: Mapping[str, np.ndarray], replications: int, seed: int, max_iterations: int = 10,
            step_s: float = 60.0, progress: Callable[[str], None] | None = None) -> IsaResult:
    """Run the ISA for the groups in ``alpha`` (per reported cell), other groups held at ``fixed`` (full grid)."""
    primary = primary_groups(scenario)
    times, which = sample_times(grid, step_s)
    cells = grid.report_cells
    s = {g: np.asarray(v, dtype=np.int64).copy() for g, v in start.items()}
    history, seen = [], set()
    converged = False
    for it in range(1, max_iterations + 1):
        staffing = {**fixed, **{g: grid.full(v) for g, v in s.items()}}
        res = run(with_staffing(scenario, grid, staffing), replications=replications, seed=seed)
        new = {}
        for g in s:
            chans = [c for c, pg in primary.items() if pg == g]
            cts = res.contacts[res.contacts["channel"].astype(str).isin(chans)]
            if messaging_group(scenario, g, chans):  # messages awaiting or in reply work (sim.staffing.messaging)
                n = messages_in_system(res.messages, chans, res.contacts, grid.horizon_s, times)
            else:
                n = number_in_system(cts, grid.horizon_s, times) // concurrency(scenario, g)
            new[g] = isa_step(n, which, cells, alpha[g])
        change = max(int(np.abs(new[g] - s[g]).max()) if len(cells) else 0 for g in s)
        history.append({"phase": "isa", "iteration": it, "agent_intervals": int(sum(v.sum() for v in s.values())),
                        "max_change": change})
        if progress:
            progress(f"ISA iteration {it}: {sum(int(v.sum()) for v in s.values())} agent-intervals, "
                     f"largest change {change}")
        key = tuple(tuple(new[g]) for g in sorted(new))
        s = new
        if change == 0 or key in seen:  # a fixed point, or a cycle (of states one agent apart, in practice)
            converged = change <= 1
            break
        seen.add(key)
    return IsaResult(s, history, converged)


def concurrency(scenario, group: str) -> int:
    """Conversations one agent of ``group`` may hold at once (1 for phone-only groups)."""
    k = scenario.agents[group].extra.get("concurrency", 1)
    return 1 if k == np.inf else max(1, int(k))


def infinite_start(heur_group: pd.DataFrame, groups) -> dict[str, np.ndarray]:
    """Effectively infinite staffing to start the ISA from: the load plus five standard deviations plus five."""
    out = {}
    for g in groups:
        h = heur_group[heur_group["group"] == g].sort_values("cell")
        load = np.maximum(h["load_erlangs"].to_numpy(), h["mol_erlangs"].to_numpy())
        peak = np.maximum(load, np.concatenate([[0.0], load[:-1]]))
        out[g] = np.ceil(peak + 5 * np.sqrt(peak) + 5).astype(np.int64)
    return out
