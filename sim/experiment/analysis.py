"""Reading a sweep's store back as tidy tables: one row per run and metric, one row per design point and metric."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.errors import InputError
from sim.experiment.stats import summarize
from sim.experiment.store import Store

BASE_COLUMNS = ["point", "replication", "seed", "channel", "metric", "value", "scenario_hash", "version"]
DURATION_SUFFIX = "_s"          # "channels.phone.patience.mean" = "180s" -> "channels.phone.patience.mean_s" = 180.0
RATE_SUFFIX = "_per_h"          # "channels.phone.arrivals.rate" = "100/h" -> "channels.phone.arrivals.rate_per_h"


def numeric_parameters(table: pd.DataFrame, params: list[str]) -> dict[str, str]:
    """Add a numeric column beside every text parameter whose values are all durations (seconds, ``KEY_s``) or all
    rates (per hour, ``KEY_per_h``); returns {text column: numeric column}. Missing stays missing (NaN)."""
    from sim.units import parse_duration, parse_rate

    added = {}
    for key in params:
        col = table[key]
        if pd.api.types.is_numeric_dtype(col) or col.dtype == bool:
            continue
        values = [v for v in pd.unique(col.dropna())]
        for parse, suffix, scale in ((parse_duration, DURATION_SUFFIX, 1.0), (parse_rate, RATE_SUFFIX, 3600.0)):
            try:
                parsed = {v: parse(v) * scale for v in values}
            except (ValueError, TypeError):
                continue
            if values and f"{key}{suffix}" not in table.columns:
                table.insert(table.columns.get_loc(key) + 1, f"{key}{suffix}", col.map(parsed).astype(float))
                added[key] = f"{key}{suffix}"
            break
    return added


def load(out: str | Path) -> pd.DataFrame:
    """The tidy table of a store: columns ``point``, one column per varied parameter (its dotted key; text such as
    ``"180s"`` gets a numeric twin beside it: ``KEY_s`` in seconds for durations, ``KEY_per_h`` for rates),
    ``replication, seed, channel, metric, value, scenario_hash, version``; sorted by point, replication, channel,
    metric so that the same sweep gives the same table however it was executed. A value that is not known is NaN
    (e.g. cost when no ``cost_per_hour`` is set). ``attrs["manifest"]`` is the manifest, ``attrs["numeric"]`` maps
    text parameters to their numeric columns."""
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
    numeric = numeric_parameters(table, [p for p in params if p in table.columns])
    table.attrs["manifest"] = store.manifest
    table.attrs["numeric"] = numeric
    return table


def load_kept(out: str | Path, name: str = "intervals") -> pd.DataFrame:
    """A table the sweep kept per run (``[sweep] keep = ["intervals"]``), all finished runs together: ``point``,
    the varied parameters (with numeric twins as in ``load``), then the table's own columns and ``seed``."""
    store = Store.open(out)
    table = store.read_kept(name)
    params = [p for p in store.manifest.get("parameters", []) if p in table.columns]
    if not table.empty:
        keys = [c for c in ("point", "replication", "interval_start_at_s", "queue", "channel", "agent_group")
                if c in table.columns]
        table = table.sort_values(keys, kind="stable").reset_index(drop=True)
        numeric_parameters(table, params)
    table.attrs["manifest"] = store.manifest
    return table


def point_summary(table: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Per design point, channel and metric: the varied parameters, then ``mean, sd, ci_low, ci_high, half_width,
    n`` across replications (t-based CI). Numeric twins of text parameters (``KEY_s``, ``KEY_per_h``) follow
    their text column."""
    params = params_of(table)
    twins = table.attrs.get("numeric", {})
    cols = [c for p in params for c in (p, twins.get(p)) if c is not None and c in table.columns]
    out = summarize(table, ["point"] + cols + ["channel", "metric"], confidence=confidence)
    out.attrs = {k: v for k, v in table.attrs.items() if k in ("manifest", "numeric")}
    return out


def params_of(table: pd.DataFrame) -> list[str]:
    """The varied parameters' columns of a sweep table (from its manifest, else every column with a dot)."""
    manifest = table.attrs.get("manifest")
    if manifest:
        return [p for p in manifest.get("parameters", []) if p in table.columns]
    twins = set(table.attrs.get("numeric", {}).values())
    return [c for c in table.columns if "." in c and c not in BASE_COLUMNS and c not in twins]


def failures(out: str | Path) -> pd.DataFrame:
    """Runs that raised (``point, replication, seed, params, error, traceback, version, at``); empty when none."""
    return Store.open(out).read_failures()


def manifest(out: str | Path) -> dict:
    return Store.open(out).manifest
