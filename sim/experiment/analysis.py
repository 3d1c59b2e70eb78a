"""Reading a sweep's store back as tidy tables: one row per run and metric, one row per design point and metric."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.errors import InputError
from sim.experiment.stats import summarize
from sim.experiment.store import Store

BASE_COLUMNS = ["point", "replication", "seed", "channel", "metric", "value", "scenario_hash", "version"]


def load(out: str | Path) -> pd.DataFrame:
    """The tidy table of a store: columns ``point``, one column per varied parameter (its dotted key),
    ``replication, seed, channel, metric, value, scenario_hash, version``; sorted by point, replication, channel,
    metric so that the same sweep gives the same table however it was executed. ``attrs["manifest"]`` is the
    manifest."""
    store = Store.open(out)
    table = store.read_runs()
    params = list(store.manifest.get("parameters", []))
    if table.empty:
        table = pd.DataFrame(columns=["point"] + params + BASE_COLUMNS[1:])
    missing = [c for c in ["point", "replication", "channel", "metric", "value"] if c not in table.columns]
    if missing:
        raise InputError(f"{out}: expected run files with columns point, replication, channel, metric, value, "
                         f"got files without {', '.join(missing)}")
    known = {p["id"] for p in store.manifest["points"]}
    stray = sorted(set(table["point"].unique()) - known)
    if stray:
        raise InputError(f"{out}: expected runs of the design points listed in the manifest, got runs of point(s) "
                         f"{', '.join(map(str, stray[:5]))} it does not list")
    first = ["point"] + [p for p in params if p in table.columns]
    order = first + [c for c in BASE_COLUMNS[1:] if c in table.columns]
    order += [c for c in table.columns if c not in order]
    table = table[order].sort_values(["point", "replication", "channel", "metric"], kind="stable")
    table = table.reset_index(drop=True)
    table.attrs["manifest"] = store.manifest
    return table


def point_summary(table: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Per design point, channel and metric: the varied parameters, then ``mean, sd, ci_low, ci_high, half_width,
    n`` across replications (t-based CI)."""
    params = params_of(table)
    keys = ["point"] + params + ["channel", "metric"]
    return summarize(table, keys, confidence=confidence)


def params_of(table: pd.DataFrame) -> list[str]:
    """The varied parameters' columns of a sweep table (from its manifest, else every column with a dot)."""
    manifest = table.attrs.get("manifest")
    if manifest:
        return [p for p in manifest.get("parameters", []) if p in table.columns]
    return [c for c in table.columns if "." in c and c not in BASE_COLUMNS]


def failures(out: str | Path) -> pd.DataFrame:
    """Runs that raised (``point, replication, seed, params, error, traceback, version, at``); empty when none."""
    return Store.open(out).read_failures()


def manifest(out: str | Path) -> dict:
    return Store.open(out).manifest
