"""Grouping a run's rows with numpy, for the per-replication metrics: label codes in the labels' sorted order, runs
of equal keys in sorted rows, and tidy rows (replication, channel, metric, value) made from arrays.

What ``DataFrame.groupby(...).agg(...)`` and ``melt`` give, without their fixed cost per call (a metric of a few
thousand contacts is a few numpy passes, not a few milliseconds of index building). Sums of floats are still pandas'
(``group_sums``), grouped by one integer key, so they stay the floats grouping by the labels gives.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from pandas._libs.groupby import group_sum as kahan_group_sum  # the sum groupby(...).sum() runs


def sorted_codes(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A label column as integer codes numbered in the sorted order of its labels (the order grouping by the labels
    as text gives; −1: missing) and the labels (an object array) the codes index."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = s.cat.categories.to_numpy(dtype=object)
        order = np.argsort(cats, kind="stable")
        rank = np.empty(len(cats) + 1, np.int64)
        rank[order] = np.arange(len(cats))
        rank[-1] = -1  # code −1 (missing) stays −1
        return rank[s.cat.codes.to_numpy()], cats[order]
    codes, labels = pd.factorize(s.to_numpy(dtype=object), sort=True)
    return codes.astype(np.int64), np.asarray(labels, dtype=object)


def sort_order(*keys: np.ndarray) -> np.ndarray | None:
    """The stable order that sorts rows by ``keys`` (the first key first; ``np.lexsort``), or None when the rows are
    in that order already (a run's contacts mostly are: checking costs less than sorting)."""
    if len(keys[0]) > 1:
        ahead = np.zeros(len(keys[0]) - 1, bool)  # row i + 1 sorts after row i by an earlier key
        tie = np.ones(len(keys[0]) - 1, bool)
        for k in keys:
            ahead |= tie & (k[1:] > k[:-1])
            tie &= k[1:] == k[:-1]
        if (ahead | tie).all():
            return None
    return np.lexsort(keys[::-1]) if len(keys[0]) > 1 else None


def runs(*keys: np.ndarray) -> np.ndarray:
    """Rows sorted by ``keys``: the first row of each run of equal keys."""
    n = len(keys[0])
    new = np.ones(n, bool)
    if n > 1:
        new[1:] = np.logical_or.reduce([k[1:] != k[:-1] for k in keys])
    return np.flatnonzero(new)


def run_numbers(starts: np.ndarray, n: int) -> np.ndarray:
    """Each of ``n`` sorted rows' run number, from the runs' first rows (``runs``)."""
    return np.repeat(np.arange(len(starts)), np.diff(np.append(starts, n)))


def first_valid(values: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    """Each group's first value that is not missing, in row order (NaN: none) — ``groupby(group).first()``."""
    out = np.full(n_groups, np.nan)
    rows = np.flatnonzero((group >= 0) & (values == values))[::-1]
    out[group[rows]] = values[rows]  # the last assignment of a group (its first row) wins
    return out


def pairs(replication: np.ndarray, codes: np.ndarray, n_codes: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The (replication, code) pairs present, sorted by replication then code: their replications, their codes and
    each row's pair number (rows with code −1 left out: number −1). Counted, not sorted: one pass over the rows."""
    rep_at, reps = pd.factorize(replication, sort=True)
    width = max(n_codes, 1)
    ok = (codes >= 0) & (rep_at >= 0)
    key = rep_at.astype(np.int64) * width + codes
    present = np.flatnonzero(np.bincount(key[ok], minlength=len(reps) * width))
    number_of = np.full(len(reps) * width, -1, np.int64)
    number_of[present] = np.arange(len(present))
    number = number_of[np.where(ok, key, 0)]
    if not ok.all():
        number[~ok] = -1
    return np.asarray(reps)[present // width], present % width, number


def pairs_in_order(first: np.ndarray, second: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The (first, second) pairs of label columns in the order they first appear (what grouping by both with
    ``sort=False`` gives): each row's pair number (−1: a missing label) and each pair's first row."""
    a, _ = pd.factorize(first)
    b, b_labels = pd.factorize(second)
    ok = (a >= 0) & (b >= 0)
    number = np.full(len(a), -1, np.int64)
    number[ok] = pd.factorize(a[ok].astype(np.int64) * max(len(b_labels), 1) + b[ok])[0]
    n = int(number.max(initial=-1)) + 1
    rows = np.flatnonzero(ok)[::-1]
    at = np.zeros(n, np.int64)
    at[number[rows]] = rows
    return number, at


def tidy_frame(ids: Mapping[str, np.ndarray], values: Mapping[str, np.ndarray], var_name: str = "metric",
               value_name: str = "value") -> pd.DataFrame:
    """Tidy rows from id arrays and value arrays of one length: value by value (in ``values``' order), each with
    every id row in order — ``melt`` of the wide table."""
    names = list(values)
    n = len(next(iter(ids.values()))) if ids else 0
    at = np.tile(np.arange(n), len(names))
    out: dict[str, np.ndarray] = {k: np.asarray(v)[at] for k, v in ids.items()}
    out[var_name] = np.repeat(np.array(names, dtype=object), n)
    out[value_name] = np.concatenate([np.asarray(values[m], dtype=float) for m in names]) if names else np.zeros(0)
    return pd.DataFrame(out)


def group_sums(data: pd.DataFrame | pd.Series, group: np.ndarray, n_groups: int, min_count: int = 0) -> np.ndarray:
    """``data.groupby(group).sum(min_count=min_count)`` as floats, a row for each group 0 … n_groups − 1 (a group
    without rows: 0, or NaN when ``min_count`` > 0; group −1: the row left out): the floats grouping by the labels
    gives, without building a groupby.

    pandas sums a block of columns by ``np.add.reduceat`` when the rows come group by group and the block has no
    missing value, else by its compensated (Kahan) sum, which skips missing values; both are called here on the
    columns' values. Grouped rows with a missing value take pandas' own path (which columns share a block with it
    decides there)."""
    ok = group >= 0
    frame = isinstance(data, pd.DataFrame)
    values = data.to_numpy(dtype=float) if frame else data.to_numpy(dtype=float)[:, None]
    if not ok.all():
        values, group = values[ok], group[ok]
    grouped = len(group) < 2 or bool((group[1:] >= group[:-1]).all())
    if grouped and len(group) and np.isnan(values).any():
        return _pandas_sums(data[ok] if not ok.all() else data, group, n_groups, min_count)
    if grouped:
        out = np.zeros((n_groups, values.shape[1]))
        if len(group):
            starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
            out[group[starts]] = np.add.reduceat(values, starts, axis=0)
        if min_count > 0:
            out[np.bincount(group, minlength=n_groups) < min_count] = np.nan
    else:
        out = np.empty((n_groups, values.shape[1]))
        kahan_group_sum(out=out, counts=np.zeros(n_groups, np.int64), values=values, labels=group.astype(np.intp),
                        mask=None, result_mask=None, min_count=min_count, is_datetimelike=False, initial=0,
                        skipna=True)
    return out if frame else out[:, 0]


def _pandas_sums(data: pd.DataFrame | pd.Series, group: np.ndarray, n_groups: int, min_count: int) -> np.ndarray:
    """``group_sums`` by pandas' groupby (rows of group −1 already left out)."""
    if isinstance(data, pd.DataFrame):  # (columns numbered: pandas looks the key up among the columns' names first)
        data = data.set_axis(pd.RangeIndex(data.shape[1]), axis=1)
    out = data.groupby(pd.Index(group)).sum(min_count=min_count)
    if len(out) != n_groups:
        out = out.reindex(range(n_groups), fill_value=np.nan if min_count > 0 else 0)
    return out.to_numpy(dtype=float)


TIDY = ("replication", "channel", "metric", "value")


def concat_tidy(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """``pd.concat(parts, ignore_index=True)`` of tidy tables (``TIDY`` columns) with the channel column as object
    (the first part's channels are not all text of one kind): from the columns' arrays when every part has rows and
    the usual dtypes (integer replications, float values, one text dtype of metrics, no missing channel), else by
    ``pd.concat``."""
    metric = parts[0]["metric"].dtype
    usual = all(list(p.columns) == list(TIDY) and len(p) and p["replication"].dtype == np.int64
                and p["value"].dtype == np.float64 and p["metric"].dtype == metric and isinstance(metric, pd.StringDtype)
                and (p["channel"].dtype == object or isinstance(p["channel"].dtype, pd.StringDtype)) for p in parts)
    channel = [p["channel"].to_numpy(dtype=object) for p in parts] if usual else []
    if not usual or any(pd.isna(c).any() for c in channel):
        return pd.concat([parts[0].astype({"channel": object}), *parts[1:]], ignore_index=True)
    return pd.DataFrame({"replication": np.concatenate([p["replication"].to_numpy() for p in parts]),
                         "channel": pd.Series(np.concatenate(channel), dtype=object, copy=False),
                         "metric": pd.concat([p["metric"] for p in parts], ignore_index=True),
                         "value": np.concatenate([p["value"].to_numpy() for p in parts])})
