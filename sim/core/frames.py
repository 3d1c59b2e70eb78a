"""Tables made from a replication's column arrays: ``frame_of`` makes one DataFrame from arrays already in their final
dtypes, ``concat`` joins the tables of several replications (category columns whose sets differ united), and
``category_dtype`` gives each list of labels one category dtype, made once (``sim.core.records`` converts the record
book's columns with them)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

_CATEGORY_DTYPES: dict[tuple, pd.CategoricalDtype] = {}


def category_dtype(labels: Sequence) -> pd.CategoricalDtype:
    """The (unordered) category dtype of ``labels`` in that order, made once per list of labels (pandas checks the
    categories each time it makes one; the dtype is immutable, so tables and replications share it)."""
    key = tuple((type(x), x) for x in labels)
    dt = _CATEGORY_DTYPES.get(key)
    if dt is None:
        dt = _CATEGORY_DTYPES[key] = pd.CategoricalDtype(list(labels))
    return dt


def frame_of(columns: Mapping[str, Any], n: int, blocks: bool = True) -> pd.DataFrame:
    """A table (index 0..n−1) from its column arrays in their final dtypes; numpy text columns of dtype object stay
    objects (a DataFrame would infer pandas' text dtype). ``blocks``: the columns of one dtype copied into one block
    (a table kept or joined over replications); False: the arrays used as they are (a table read once)."""
    index = pd.RangeIndex(n)
    return pd.DataFrame({k: pd.Series(v, index=index, dtype=object, copy=False)
                         if isinstance(v, np.ndarray) and v.dtype == object else v for k, v in columns.items()},
                        index=index, copy=blocks)


def concat(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Tables of several replications as one (index 0..n−1): category columns whose sets differ are united (sorted
    labels), not turned into text."""
    frames = list(frames)
    if len(frames) == 1:
        f = frames[0]
        same = isinstance(f.index, pd.RangeIndex) and f.index.start == 0 and f.index.step == 1
        return f.copy(deep=False) if same else f.reset_index(drop=True)
    out = pd.concat(frames, ignore_index=True)
    for name, first in frames[0].dtypes.items():
        if isinstance(first, pd.CategoricalDtype) and not isinstance(out[name].dtype, pd.CategoricalDtype):
            out[name] = pd.api.types.union_categoricals([f[name] for f in frames], sort_categories=True,
                                                        ignore_order=True)
    return out
