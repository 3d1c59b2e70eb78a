"""Concurrency studies: the same scenario at several k, paired by common random numbers.

``concurrency_table(scenario, group, values)`` runs the scenario once per k (same seed and replications, so every k
meets the same posts) and returns the summaries stacked with a ``concurrency`` column — the table
``sim.plots.social.concurrency_figure`` draws (a sweep over ``agents.<group>.concurrency`` with ``sim.experiment`` and
its ``point_summary`` gives the same shape).
"""
from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from sim.runner import run
from sim.scenario import parse_scenario, set_dotted


def concurrency_table(scenario, group: str, values: Sequence[int], replications: int | None = None,
                      seed: int | None = None) -> pd.DataFrame:
    """Summary rows (``concurrency, channel, metric, mean, sd, ci_low, ci_high, half_width, n``) per k."""
    rows = []
    for k in values:
        raw = set_dotted(dict(scenario.raw), f"agents.{group}.concurrency", int(k))
        sc = parse_scenario(raw, source=scenario.source, base_dir=scenario.base_dir)
        summary = run(sc, replications=replications, seed=seed).summary
        rows.append(summary.assign(concurrency=int(k)))
    out = pd.concat(rows, ignore_index=True)
    return out[["concurrency", *[c for c in out.columns if c != "concurrency"]]]
