"""Paired differences between design points of a sweep (common random numbers).

Every design point runs the same replication indices with the same seed, so replication r meets the same customers
at every point; the difference of two points is therefore taken replication by replication (paired t interval),
which is far tighter than comparing two independent CIs. Two families of pairs:

- *neighbours*: consecutive values of the first numeric varied parameter (the x axis), the other varied parameters
  held equal — "what does one more agent buy?";
- *against a base point*: every point minus a named base point (``base="agents.phone.count=4"`` or a point id).
"""
from __future__ import annotations

import pandas as pd

from sim.errors import InputError
from sim.experiment.analysis import params_of
from sim.experiment.stats import paired_difference

PAIR_COLUMNS = ["from_point", "to_point", "channel", "metric", "mean_a", "mean_b", "diff", "diff_ci_low",
                "diff_ci_high", "diff_half_width", "significant", "var_ratio", "n"]


def points_of(table: pd.DataFrame) -> pd.DataFrame:
    """One row per design point: ``point`` and the varied parameters (with numeric twins)."""
    params = params_of(table)
    twins = table.attrs.get("numeric", {})
    cols = [c for p in params for c in (p, twins.get(p)) if c is not None and c in table.columns]
    return table[["point", *cols]].drop_duplicates("point").sort_values("point").reset_index(drop=True)


def varied(table: pd.DataFrame) -> list[str]:
    """The parameters that take more than one value across the design points (a fixed override is not varied)."""
    pts = points_of(table)
    return [p for p in params_of(table) if pts[p].astype(str).nunique(dropna=False) > 1]


def axis_of(table: pd.DataFrame) -> str | None:
    """The x axis: the first varied parameter that is numeric or has a numeric twin (its numeric column)."""
    twins = table.attrs.get("numeric", {})
    pts = points_of(table)
    for p in varied(table):
        col = twins.get(p, p)
        if pd.api.types.is_numeric_dtype(pts[col]) and pts[col].dtype != bool:
            return col
    return None


def neighbour_pairs(table: pd.DataFrame) -> list[tuple[int, int]]:
    """(from, to) point ids of consecutive x values with every other varied parameter equal."""
    pts = points_of(table)
    x = axis_of(table)
    if x is None:
        ids = list(pts["point"])
        return list(zip(ids, ids[1:]))
    twins = table.attrs.get("numeric", {})
    others = [p for p in varied(table) if twins.get(p, p) != x]
    pairs = []
    groups = pts.groupby([pts[o].astype(str) for o in others], sort=False) if others else [((), pts)]
    for _, g in groups:
        ids = list(g.sort_values([x, "point"], kind="stable")["point"])
        pairs += list(zip(ids, ids[1:]))
    return sorted(pairs)


def resolve_base(table: pd.DataFrame, base: int | str | None) -> int:
    """A point id from ``base``: an id, ``"KEY=VALUE, KEY=VALUE"`` matching exactly one point, or None (point 0)."""
    pts = points_of(table)
    if base is None:
        return int(pts["point"].iloc[0])
    if isinstance(base, int) or (isinstance(base, str) and base.strip().isdigit()):
        pid = int(base)
        if pid not in set(pts["point"]):
            raise InputError(f"--base: expected a design point id between 0 and {pts['point'].max()}, got {pid}")
        return pid
    mask = pd.Series(True, index=pts.index)
    for part in str(base).split(","):
        key, sep, value = part.partition("=")
        key, value = key.strip(), value.strip().strip('"')
        if not sep or key not in pts.columns:
            raise InputError(f"--base: expected KEY=VALUE with KEY a varied parameter "
                             f"({', '.join(params_of(table))}), got {part.strip()!r}")
        mask &= pts[key].astype(str).str.strip().eq(value) | _numeric_equal(pts[key], value)
    hits = pts.loc[mask, "point"].tolist()
    if len(hits) != 1:
        raise InputError(f"--base: expected a setting that names one design point, got {base!r} matching "
                         f"{len(hits)} points")
    return int(hits[0])


def _numeric_equal(col: pd.Series, value: str) -> pd.Series:
    try:
        return pd.to_numeric(col, errors="coerce").eq(float(value))
    except ValueError:
        return pd.Series(False, index=col.index)


def differences(table: pd.DataFrame, pairs: list[tuple[int, int]], metrics: list[str] | None = None,
                confidence: float = 0.95) -> pd.DataFrame:
    """For each (from, to) pair and channel and metric: ``diff`` = to − from, paired over replications, with its
    t CI, ``significant`` (the CI excludes 0) and ``var_ratio`` = var(diff) / (var(from) + var(to)): how much the
    common random numbers shrink the variance (1 = no gain)."""
    data = table if metrics is None else table[table["metric"].isin(metrics)]
    data = data.astype({"channel": str, "metric": str})
    by_point = dict(tuple(data.groupby("point")))
    rows = []
    for a, b in pairs:
        if a not in by_point or b not in by_point:
            continue
        d = paired_difference(by_point[a], by_point[b], keys=("channel", "metric"), confidence=confidence)
        if not d.empty:
            rows.append(d.assign(from_point=a, to_point=b))
    if not rows:
        return pd.DataFrame(columns=PAIR_COLUMNS)
    return pd.concat(rows, ignore_index=True)[PAIR_COLUMNS]
