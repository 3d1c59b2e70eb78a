"""How many replications, and how much warm-up.

``run_to_precision`` adds replications until every headline metric's 95% CI half-width is within ``precision`` of its
mean — the replication algorithm of Hoad, Robinson & Davies (2010), "Automated selection of the number of replications
for a discrete-event simulation", JORS 61(11), with its look-ahead: once the precision is met at N replications, it must
stay met for the next kLimit = 5 replications (5% of N beyond 100) before N is accepted.

``auto_warmup`` runs a pilot without warm-up and cuts the initial transient with MSER-5 on the interval series (Hoad,
Robinson & Davies 2010, JORS 61(5); White 1997) — for steady-state runs, not for a day that starts empty by design.
"""
from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as _st

from sim.experiment.stats import Truncation, mser5_detail, relative_half_width, summarize

HEADLINE_METRICS = ("sl_offered", "asa_s", "abandon_rate", "occupancy")
K_LIMIT_DEFAULT = 5


def look_ahead(n: int, k_default: int = K_LIMIT_DEFAULT) -> int:
    """Hoad et al.'s kLimit: 5 replications up to N = 100, then 5% of N."""
    return k_default if n <= 100 else int(math.ceil(k_default * n / 100))


@dataclass
class PrecisionRun:
    """Outcome of ``run_to_precision``.

    ``n``: replications the algorithm settled on (Hoad et al.'s Nsol); ``replications_run``: all run, including the
    look-ahead; ``summary``: per channel and metric over all replications run, with ``rel_half_width`` and ``met``;
    ``cap_hit``: True when ``max_reps`` stopped the search before the precision was confirmed.
    """

    n: int
    replications_run: int
    cap_hit: bool
    precision: float
    metrics: list
    seed: int | None
    summary: pd.DataFrame
    replications: pd.DataFrame
    history: pd.DataFrame
    warmup: Warmup | None = None
    results: list = field(default_factory=list, repr=False)

    def combined(self):
        """One ``Results`` holding every replication kept (0 .. replications_run − 1), as ``sim.run`` would give;
        its provenance records the precision search."""
        from sim.core import concat
        from sim.results import Results

        def cat(name: str) -> pd.DataFrame | None:  # category columns united (sim.core.concat)
            if any(getattr(r, name) is None for r in self.results):
                return None
            return concat([getattr(r, name)[getattr(r, name)["replication"] < self.replications_run]
                           for r in self.results])

        prov = dict(self.results[0].provenance)
        prov["replications"] = list(range(self.replications_run))
        prov["precision"] = {"target": self.precision, "metrics": self.metrics, "n": self.n,
                             "replications_run": self.replications_run, "cap_hit": self.cap_hit,
                             "warmup_s": None if self.warmup is None else self.warmup.warmup_s}
        return Results.from_tables(cat("contacts"), cat("intervals"), cat("agents"), prov, cat("legs"),
                                   cat("reputation"), funnel_calls=cat("funnel_calls"),
                                   social_threads=cat("social_threads"), messages=cat("messages"),
                                   funnel_intervals=cat("funnel_intervals"), social_intervals=cat("social_intervals"),
                                   deflections=cat("deflections"))

    def report(self) -> str:
        head = (f"precision {self.precision:.1%}: {self.n} replications"
                + (f" (cap of {self.replications_run} reached, precision not met)" if self.cap_hit else
                   f" ({self.replications_run} run including look-ahead)"))
        return head


@dataclass(frozen=True)
class Warmup:
    """A warm-up chosen by MSER-5: cut ``warmup_s`` seconds from each replication. ``cut_s`` is where MSER-5 cut
    the series (``intervals`` observations of it; ``by_channel``: the cut of each channel, in observations);
    ``auto_warmup`` rounds it up to whole report intervals of the scenario."""

    warmup_s: float
    intervals: int
    reliable: bool
    by_channel: dict
    cut_s: float | None = None

    def report(self) -> str:
        note = "" if self.reliable else " (unreliable: still falling at half the run; run longer)"
        return f"MSER-5 warm-up: {self.warmup_s:g}s{note}"


def _scenario(scenario: Any):
    import sim

    return sim.load_scenario(scenario) if not hasattr(scenario, "raw") else scenario


def with_warmup(scenario: Any, warmup_s: float):
    """The same scenario with ``[run] warmup`` set to ``warmup_s`` seconds (re-validated)."""
    import sim
    from sim.scenario import set_dotted

    raw = set_dotted(copy.deepcopy(dict(scenario.raw)), "run.warmup", f"{warmup_s:g}s")
    return sim.parse_scenario(raw, source=scenario.source, base_dir=scenario.base_dir)


def warmup_series(intervals: pd.DataFrame, metric: str = "queue_time_s") -> pd.DataFrame:
    """Per channel, the interval series averaged across replications (columns: channels; index: interval start).

    The default series is the time-integral of the number waiting per interval (``queue_time_s``), defined in every
    interval, unlike waits of an interval in which nobody arrived."""
    per_rep = intervals.groupby(["replication", "channel", "interval_start_at_s"], observed=True)[metric].sum()
    return per_rep.groupby(["channel", "interval_start_at_s"], observed=True).mean().unstack("channel").sort_index()


def mser5_warmup(intervals: pd.DataFrame, metric: str = "queue_time_s") -> Warmup:
    """MSER-5 on each channel's mean interval series; the longest cut over channels is the warm-up."""
    series = warmup_series(intervals, metric)
    starts = series.index.to_numpy(float)
    step = float(np.median(np.diff(starts))) if len(starts) > 1 else 0.0
    cuts: dict[str, Truncation] = {str(ch): mser5_detail(series[ch].fillna(0.0).to_numpy()) for ch in series.columns}
    index = max((t.index for t in cuts.values()), default=0)
    reliable = all(t.reliable for t in cuts.values())
    warm = float(starts[index] - starts[0]) if index < len(starts) else index * step
    return Warmup(warm, index, reliable, {ch: t.index for ch, t in cuts.items()}, cut_s=warm)


def auto_warmup(scenario: Any, replications: int = 5, seed: int | None = None,
                metric: str = "queue_time_s", observations: int = 720) -> Warmup:
    """Pilot ``replications`` without warm-up and pick the MSER-5 truncation point of the interval series.

    The pilot reports on finer intervals (about ``observations`` per replication, at least 60 s, never coarser than
    the scenario's): MSER-5 needs many batches to tell a transient from noise, and half-hour intervals over a day
    give only 9 batches to search."""
    import sim
    from sim.scenario import set_dotted

    sc = _scenario(scenario)
    step = min(sc.run.interval_s, max(60.0, sc.run.horizon_s / observations))
    raw = set_dotted(set_dotted(copy.deepcopy(dict(sc.raw)), "run.warmup", "0s"), "run.interval", f"{step:g}s")
    pilot = sim.parse_scenario(raw, source=sc.source, base_dir=sc.base_dir)
    res = sim.run(pilot, replications=replications, seed=seed)
    w = mser5_warmup(res.intervals, metric)
    rounded = math.ceil(w.warmup_s / sc.run.interval_s - 1e-9) * sc.run.interval_s
    return Warmup(rounded, w.intervals, w.reliable, w.by_channel, cut_s=w.warmup_s)


def _prefix_rel_half_widths(values: np.ndarray, level: float = 0.95) -> np.ndarray:
    """values: (replications, k) with NaN for undefined; rel. half-width of every prefix 1..R and column.
    Shape (R, k); NaN where fewer than two defined values."""
    ok = ~np.isnan(values)
    x = np.where(ok, values, 0.0)
    c = np.cumsum(ok, axis=0).astype(float)
    s1 = np.cumsum(x, axis=0)
    s2 = np.cumsum(x * x, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = s1 / c
        var = np.maximum(s2 - c * mean * mean, 0.0) / (c - 1)
        t = _st.t.ppf(0.5 + level / 2, np.maximum(c - 1, 1))
        half = t * np.sqrt(var / c)
        # Exact zero spread (e.g. all replications 0 abandons) is a zero-width interval.
        half = np.where(var <= 1e-15 * np.maximum(mean * mean, 1e-300), 0.0, half)
        rel = np.where(half == 0, 0.0, half / np.abs(mean))
    return np.where(c >= 2, rel, np.nan)


def run_to_precision(scenario: Any, precision: float = 0.05, metrics: Sequence[str] | None = None,
                     min_reps: int = 5, max_reps: int = 200, seed: int | None = None,
                     channels: Sequence[str] | None = None, warmup: float | str | None = None,
                     confidence: float = 0.95) -> PrecisionRun:
    """Add replications until every headline metric (each channel) has relative CI half-width ≤ ``precision``.

    Replications are run in batches sized from the current estimate, but the stopping rule is evaluated replication by
    replication exactly as in Hoad et al.'s sequential algorithm, and only replications up to the stopping point are
    kept — so the answer does not depend on the batch sizes. ``warmup="auto"`` first picks an MSER-5 warm-up from a
    pilot (steady-state runs); a number sets it in seconds.
    """
    import sim
    from sim.errors import InputError

    if not 0 < precision < 1:
        raise InputError(f"--precision: expected a relative half-width between 0 and 1 such as 0.05, got {precision}")
    if min_reps < 2 or max_reps < min_reps:
        raise InputError(f"replications: expected 2 ≤ min_reps ≤ max_reps, got min_reps={min_reps}, max_reps={max_reps}")
    sc = _scenario(scenario)
    chosen_warmup = None
    if warmup == "auto":
        chosen_warmup = auto_warmup(sc, replications=min(min_reps, 5), seed=seed)
        sc = with_warmup(sc, chosen_warmup.warmup_s)
    elif warmup is not None:
        sc = with_warmup(sc, float(warmup))
    metrics = list(metrics or HEADLINE_METRICS)

    tables: list[pd.DataFrame] = []
    results: list = []
    have = 0

    def ensure(k: int) -> None:
        nonlocal have
        k = min(k, max_reps)
        if k > have:
            res = sim.run(sc, replications=list(range(have, k)), seed=seed)
            results.append(res)
            tables.append(res.replications)
            have = k

    ensure(min_reps + look_ahead(min_reps))
    history = []
    nsol: int | None = None
    i = min_reps
    done = False
    while True:
        table = pd.concat(tables, ignore_index=True)
        sel = table[table["metric"].isin(metrics)]
        if channels is not None:
            sel = sel[sel["channel"].isin(list(channels))]
        if sel.empty:
            raise InputError(f"metrics: expected some of {', '.join(metrics)} in the results, got none "
                             f"(available: {', '.join(sorted(table['metric'].unique()))})")
        wide = sel.pivot_table(index="replication", columns=["channel", "metric"], values="value", dropna=False)
        wide = wide.reindex(range(have))
        rel = _prefix_rel_half_widths(wide.to_numpy(float), confidence)
        worst = np.where(np.isnan(rel), np.inf, rel).max(axis=1)
        while i <= have:
            d = float(worst[i - 1])
            history.append({"replications": i, "worst_rel_half_width": d})
            if d <= precision:
                nsol = nsol or i
                if i >= nsol + look_ahead(nsol):
                    done = True
                    break
            else:
                nsol = None
            i += 1
        if done or have >= max_reps:
            break
        # Next batch: where the current worst precision projects the answer, plus the look-ahead.
        d = float(worst[have - 1])
        target = have + 1 if not np.isfinite(d) else int(math.ceil(have * (d / precision) ** 2))
        target = max(target, (nsol or have) + look_ahead(nsol or have), have + 1)
        ensure(min(target, have * 2 + look_ahead(have)))
    used = i if done else have
    table = pd.concat(tables, ignore_index=True)
    table = table[table["replication"] < used].reset_index(drop=True)
    summary = summarize(table, ["channel", "metric"], confidence=confidence)
    summary["rel_half_width"] = relative_half_width(summary).to_numpy()
    summary["headline"] = summary["metric"].isin(metrics) & (
        summary["channel"].isin(list(channels)) if channels is not None else True)
    summary["met"] = summary["rel_half_width"] <= precision
    return PrecisionRun(n=nsol if done else used, replications_run=used, cap_hit=not done, precision=precision,
                        metrics=metrics, seed=seed, summary=summary, replications=table,
                        history=pd.DataFrame(history), warmup=chosen_warmup, results=results)
