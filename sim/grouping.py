"""Grouping a run's rows with numpy, for the per-replication metrics: label codes in the labels' sorted order, runs
of equal keys in sorted rows, and tidy rows (replication, channel, metric, value) made from arrays.

What ``DataFrame.groupby(...).agg(...)`` and ``melt`` give, without their fixed cost per call (a metric of a few
thousand contacts is a few numpy passes, not a few milliseconds of index building).
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd


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


def runs(*keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows sorted by ``keys``: the first row of each run of equal keys, and each row's run number."""
    n = len(keys[0])
    new = np.ones(n, bool)
    if n > 1:
        new[1:] = np.logical_or.reduce([k[1:] != k[:-1] for k in keys])
    return np.flatnonzero(new), np.cumsum(new) - 1


def pairs(replication: np.ndarray, codes: np.ndarray, n_codes: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The (replication, code) pairs present, sorted by replication then code: their replications, their codes and
    each row's pair number (rows with code −1 left out: number −1)."""
    reps, rep_at = np.unique(replication, return_inverse=True)
    ok = codes >= 0
    key = np.where(ok, rep_at * n_codes + codes, -1)
    found, at = np.unique(key[ok], return_inverse=True)
    number = np.full(len(key), -1, np.int64)
    number[ok] = at
    return reps[found // n_codes], found % n_codes, number


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
