"""sim.grouping gives what the pandas calls it stands in for: groupby sums, firsts and group numbers, sorting, melt."""
from __future__ import annotations

import numpy as np
import pandas as pd

from sim.grouping import (
    first_valid,
    group_sums,
    pairs,
    pairs_in_order,
    run_numbers,
    runs,
    sort_order,
    sorted_codes,
    tidy_frame,
)

RNG = np.random.default_rng(21)


def test_group_sums_are_the_floats_of_groupby_by_labels():
    for trial in range(60):
        n = int(RNG.integers(1, 400 if trial % 4 == 0 else 80))  # (groups past 128 rows: pairwise sums)
        rep = np.sort(RNG.integers(0, 3, n)) if trial % 2 else RNG.integers(0, 3, n)
        channel = RNG.choice(["phone", "social", "email"], n)
        df = pd.DataFrame({"replication": rep, "channel": channel, "a_sum": RNG.exponential(1e3, n),
                           "b_count": RNG.integers(0, 9, n), "c_sum": RNG.exponential(1.0, n)})
        if trial % 3 == 0:
            df.loc[df.index[0], "c_sum"] = np.nan
        want = df.groupby(["replication", "channel"])[["a_sum", "b_count", "c_sum"]].sum()
        codes, labels = sorted_codes(df["channel"])
        reps, chans, number = pairs(rep, codes, len(labels))
        got = group_sums(df[["a_sum", "b_count", "c_sum"]], number, len(reps))
        assert got.tobytes() == want.to_numpy(float).tobytes()
        assert list(zip(reps, labels[chans])) == list(want.index)
        ones = df.groupby("replication")["c_sum"].sum(min_count=1).to_numpy()
        at = np.searchsorted(np.unique(rep), rep)
        np.testing.assert_array_equal(group_sums(df["c_sum"], at, len(np.unique(rep)), min_count=1), ones)


def test_pairs_in_order_and_first_valid_follow_groupby_without_sorting():
    df = pd.DataFrame({"replication": [1, 1, 0, 0, 1], "channel": ["social", "phone", "phone", "phone", "social"],
                       "x": [np.nan, 2.0, 3.0, 4.0, 5.0]})
    number, first = pairs_in_order(df["replication"].to_numpy(), df["channel"])
    g = df.groupby(["replication", "channel"], sort=False)
    np.testing.assert_array_equal(number, g.ngroup().to_numpy())
    np.testing.assert_array_equal(first_valid(df["x"].to_numpy(), number, len(first)), g["x"].first().to_numpy())
    assert list(first) == [0, 1, 2]


def test_sort_order_is_the_stable_lexsort_or_none_when_sorted():
    for _ in range(300):
        n = int(RNG.integers(0, 20))
        keys = [RNG.integers(0, 3, n), RNG.choice([0.0, 1.0, np.nan], n)]
        order = sort_order(*keys)
        want = np.lexsort(keys[::-1]) if n else np.zeros(0, np.int64)
        np.testing.assert_array_equal(np.arange(n) if order is None else order, want)
    assert sort_order(np.array([0, 0, 1]), np.array([5.0, 5.0, 1.0])) is None


def test_runs_and_tidy_rows():
    rep, cust = np.array([0, 0, 0, 1, 1]), np.array([3, 3, 4, 3, 3])
    starts = runs(rep, cust)
    np.testing.assert_array_equal(starts, [0, 2, 3])
    np.testing.assert_array_equal(run_numbers(starts, 5), [0, 0, 1, 2, 2])
    wide = pd.DataFrame({"replication": [0, 1], "channel": ["phone", "social"], "m": [1.0, 2.0], "k": [3.0, 4.0]})
    want = wide.melt(id_vars=["replication", "channel"], var_name="metric", value_name="value")
    got = tidy_frame({"replication": wide["replication"].to_numpy(), "channel": wide["channel"].to_numpy(object)},
                     {"m": wide["m"].to_numpy(), "k": wide["k"].to_numpy()})
    pd.testing.assert_frame_equal(got, want)
