"""Paired comparison of two designs with common random numbers.

Both scenarios run with the same seed and replication indices; every random stream is keyed by (seed, replication,
stream name), so replication r of A and of B meet the same customers (arrivals, handle times, patience), and the
per-replication difference B − A isolates the effect of the design (Law, "Simulation Modeling and Analysis", §11.2).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.experiment.stats import paired_difference


@dataclass
class Comparison:
    """``table``: one row per channel and metric with A's and B's means and CIs, the paired difference B − A with
    its t CI, ``significant`` (CI excludes 0) and ``var_ratio`` (how much pairing shrank the variance)."""

    a: str
    b: str
    seed: int | None
    replications: int
    table: pd.DataFrame
    results_a: Any = field(default=None, repr=False)
    results_b: Any = field(default=None, repr=False)

    def text(self, digits: int = 4) -> str:
        """A plain-text table for the terminal."""
        t = self.table
        head = (f"A = {self.a}\nB = {self.b}\n{self.replications} paired replications, seed {self.seed} "
                "(common random numbers); difference = B − A, 95% t CI\n")
        if t.empty:
            return head + "(no metric in common)\n"
        cols = ["channel", "metric", "mean_a", "mean_b", "diff", "diff_ci_low", "diff_ci_high", "significant"]
        shown = t[cols].copy()
        shown["significant"] = shown["significant"].map({True: "yes", False: "no"})
        return head + shown.to_string(index=False, float_format=lambda v: f"{v:.{digits}g}") + "\n"


def _load(s: Any):
    import sim

    return sim.load_scenario(s) if isinstance(s, (str, Path)) else s


def compare(a: Any, b: Any, replications: int | Sequence[int] | None = None, seed: int | None = None,
            metrics: Sequence[str] | None = None, channels: Sequence[str] | None = None,
            confidence: float = 0.95) -> Comparison:
    """Run scenarios (or scenario paths) ``a`` and ``b`` with common random numbers and compare them pairwise.

    ``replications`` defaults to A's ``[run] replications``; ``seed`` defaults to A's ``[run] seed`` and B runs with
    the same one whatever B's file says.
    """
    import sim
    from sim.errors import InputError

    sa, sb = _load(a), _load(b)
    if replications is None:
        replications = sa.run.replications
    if seed is None:
        seed = sa.run.seed
    reps = list(range(replications)) if isinstance(replications, int) else list(replications)
    if len(reps) < 2:
        raise InputError(f"--replications: expected at least 2 replications for a paired CI, got {len(reps)}")
    ra = sim.run(sa, replications=reps, seed=seed)
    rb = sim.run(sb, replications=reps, seed=seed)
    ta, tb = ra.replications, rb.replications
    if metrics is not None:
        ta, tb = ta[ta["metric"].isin(list(metrics))], tb[tb["metric"].isin(list(metrics))]
    if channels is not None:
        ta, tb = ta[ta["channel"].isin(list(channels))], tb[tb["channel"].isin(list(channels))]
    table = paired_difference(_plain(ta), _plain(tb), confidence=confidence)
    return Comparison(a=str(getattr(sa, "source", a)), b=str(getattr(sb, "source", b)), seed=seed,
                      replications=len(reps), table=table, results_a=ra, results_b=rb)


def _plain(t: pd.DataFrame) -> pd.DataFrame:
    t = t.copy()
    for col in ("channel", "metric"):
        t[col] = t[col].astype(str)
    return t
