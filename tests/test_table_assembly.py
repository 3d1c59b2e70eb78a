"""How ``sim.run`` assembles a replication's tables from the record book's columns (``sim.runner``,
``sim.core.records``): the shortcuts give what the plain pandas operations gave.

- ``frame_of`` keeps a numpy text column of objects as objects, ``Table.frame`` infers pandas' text dtype as a
  DataFrame does; ``concat`` unites category sets that differ between replications (sorted labels) and keeps a shared
  set as it is.
- The warm-up cut is a slice when the warm-up's contacts are the first rows, a mask otherwise, nothing when no contact
  arrived in the warm-up.
- The kind tables are joined on (replication, contact_id) by one integer key, or a two-level index when the pairs do
  not fit in one: the same positions either way.
- A run of two replications holds the tables of each replication run alone.

A few seconds on one core.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import sim
from sim.core import Column, Table, concat, frame_of
from sim.results import TABLES, _positions
from sim.runner import _after_warmup

ROOT = Path(__file__).resolve().parents[1]


def test_frame_of_keeps_object_text_and_table_frame_infers_it():
    df = frame_of({"a": np.array(["x", None], dtype=object), "b": np.arange(2)}, 2)
    assert df["a"].dtype == object and list(df.columns) == ["a", "b"]
    assert isinstance(df.index, pd.RangeIndex) and len(df) == 2
    t = Table("notes", ("id",), [Column("id", "int64"), Column("text", "object"), Column("mixed", "object")])
    t.append(id=1, text="hello", mixed=1)
    t.append(id=2, text="bye", mixed="x")
    frame = t.frame()
    assert frame["text"].dtype == pd.DataFrame({"t": np.array(["hello", "bye"], dtype=object)})["t"].dtype
    assert frame["mixed"].dtype == object


def test_concat_unites_differing_category_sets_and_keeps_a_shared_one():
    def part(labels):
        t = Table("contacts", ("id",), [Column("id", "int64"), Column("queue", "category")])
        for i, q in enumerate(labels):
            t.append(id=i, queue=q)
        return t.frame()

    both = concat([part(["b", "a"]), part(["c"])])
    assert list(both["queue"].cat.categories) == ["a", "b", "c"]
    assert list(both["queue"].astype(str)) == ["b", "a", "c"]
    assert list(both.index) == [0, 1, 2]
    same = concat([part(["a", "b"]), part(["b", "a"])])
    assert list(same["queue"].cat.categories) == ["a", "b"]
    one = concat([part(["a"]).iloc[[0]].set_axis([5])])
    assert list(one.index) == [0]


def test_warmup_cut_slice_mask_or_nothing():
    assert _after_warmup(np.array([1.0, 2.0, 5.0, 6.0]), 3.0) == slice(2, None)
    assert _after_warmup(np.array([4.0, 5.0]), 3.0) is None
    mask = _after_warmup(np.array([1.0, 5.0, 2.0, np.nan]), 3.0)
    assert isinstance(mask, np.ndarray) and mask.tolist() == [False, True, False, True]  # NaN: not in the warm-up
    assert _after_warmup(np.array([], dtype=float), 3.0) is None
    assert _after_warmup(np.array([1.0, 2.0]), 3.0).tolist() == [False, False]


def test_kind_join_positions_match_a_two_level_index():
    rng = np.random.default_rng(7)
    rows = (np.repeat([0, 1], 50), np.tile(rng.permutation(200)[:50], 2) + 10 ** 9)
    at = (rng.integers(0, 3, 80), rows[1][rng.integers(0, 100, 80)])
    want = pd.MultiIndex.from_arrays(list(rows)).get_indexer(pd.MultiIndex.from_arrays(list(at)))
    assert (_positions(rows, at) == want).all()
    huge = (rows[0], rows[1] * 2 ** 40)  # pairs that do not fit in one integer
    want = pd.MultiIndex.from_arrays(list(huge)).get_indexer(pd.MultiIndex.from_arrays([at[0], at[1] * 2 ** 40]))
    assert (_positions(huge, (at[0], at[1] * 2 ** 40)) == want).all()


def test_two_replications_hold_each_replication_alone():
    sc = sim.load_scenario(ROOT / "experiments" / "bench_scenarios" / "retail_social.toml")
    both = sim.run(sc, replications=[0, 1])
    for r in (0, 1):
        alone = sim.run(sc, replications=[r])
        for name in TABLES:
            a, b = getattr(alone, name), getattr(both, name)
            if a is None:
                assert b is None
                continue
            part = b[b["replication"] == r].reset_index(drop=True)
            for col in a.columns:
                x, y = a[col], part[col]
                if isinstance(x.dtype, pd.CategoricalDtype):  # the union of both replications' labels
                    x, y = x.astype(object), y.astype(object)
                pd.testing.assert_series_equal(x, y, check_exact=True)
