"""What a sweep keeps beyond each run's replication metrics: ``[sweep] keep = ["intervals", "wait_p90_s"]``.

Tables (``intervals``: the per-interval table of ``Results.intervals``, 30-minute rows by queue; ``funnel_intervals``,
``social_intervals``: the funnel's and the conversations' own interval tables, kept when the run has them; ``agents``:
the per-interval agent table) are stored per run under ``DIR/kept/NAME/`` and read back with
``sim.experiment.load_kept(DIR, NAME)``. Extra metrics are added to the run's metric rows, so ``load``,
``point_summary`` and the report show them like any other metric:

- ``wait_p50_s``, ``wait_p90_s``, ``wait_p95_s``, ``wait_p99_s``: that percentile of the queue wait of the
  contacts a person answered, per channel (seconds; NaN when nobody was answered).
- ``wait_max_s``: the longest wait of an answered contact.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

TABLES = ("intervals", "funnel_intervals", "social_intervals", "agents")
PERCENTILES = {"wait_p50_s": 50.0, "wait_p90_s": 90.0, "wait_p95_s": 95.0, "wait_p99_s": 99.0, "wait_max_s": 100.0}
METRICS = tuple(PERCENTILES)
NAMES = TABLES + METRICS


def kept_from(results, table: pd.DataFrame, keep: tuple[str, ...]) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """The run's metric rows with the requested extra metrics appended, and the requested tables by name."""
    tables = {name: text_columns(getattr(results, name)) for name in keep
              if name in TABLES and getattr(results, name) is not None}
    wanted = [m for m in keep if m in PERCENTILES]
    if not wanted:
        return table, tables
    c = results.contacts
    answered = c[c["answer_at_s"].notna()]
    rows = []
    by_group = {key: g["wait_s"].to_numpy(float)
                for key, g in answered.groupby(["replication", "channel"], observed=True)}
    for rep, channel in table[["replication", "channel"]].drop_duplicates().itertuples(index=False):
        if str(channel) == "all":
            continue
        waits = by_group.get((rep, channel), np.array([]))
        for m in wanted:
            value = float(np.percentile(waits, PERCENTILES[m])) if waits.size else np.nan
            rows.append({"replication": rep, "channel": str(channel), "metric": m, "value": value})
    extra = pd.DataFrame(rows, columns=["replication", "channel", "metric", "value"])
    out = pd.concat([table.astype({"channel": object}), extra.astype({"replication": table["replication"].dtype})],
                    ignore_index=True)
    return out, tables


def text_columns(df: pd.DataFrame) -> pd.DataFrame:
    """Categoricals as text, so every run's Parquet file has one schema."""
    df = df.reset_index(drop=True).copy()
    for col in df.columns:
        if isinstance(df[col].dtype, pd.CategoricalDtype) or df[col].dtype == object:
            df[col] = df[col].astype(str)
    return df
