"""The ablation's paired differences (``sim.calibrate.ablation``): exactly the MAE difference over the pair's scored
intervals, with a day-blocked standard error that covers a known shift. About 1 s."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.calibrate.ablation import MEASURES, paired_differences, paired_markdown


def _write(root, variant, pair, per):
    d = root / variant / pair
    d.mkdir(parents=True, exist_ok=True)
    per.to_csv(d / "per_interval_actual.csv", index=False)


def _days(rng, days=30, intervals=24):
    rows = []
    for d in range(days):
        day_level = rng.normal(0.0, 0.05)  # days differ: the blocks carry it
        for i in range(intervals):
            r = {"date": f"1999-01-{d + 1:02d}", "interval_start_s": 1800 * i, "scored": i % 6 != 0}
            for m in MEASURES:
                r[f"observed_{m}"] = rng.normal(0.3 + day_level, 0.1)
                r[f"sim_{m}"] = 0.3
            rows.append(r)
    return pd.DataFrame(rows)


def test_paired_difference_is_the_mae_difference_and_its_interval_covers_a_known_shift(tmp_path):
    rng = np.random.default_rng(7)
    base = _days(rng)
    variant = base.copy()
    shift = 0.02  # predictions moved away from every observation by 0.02 on average, with noise of its own
    for m in MEASURES:
        err = base[f"sim_{m}"] - base[f"observed_{m}"]
        variant[f"sim_{m}"] = base[f"observed_{m}"] + np.sign(err) * (err.abs() + rng.normal(shift, 0.03, len(err)))
    variant.loc[3, "sim_sl_offered"] = np.nan  # an interval without a prediction is left out of both
    _write(tmp_path, "full_ablation", "01_January__02_February", base)
    _write(tmp_path, "no_pools", "01_January__02_February", variant)
    _write(tmp_path, "full", "01_January__02_February", base)  # the rolling table's own runs are not a variant
    t = paired_differences(tmp_path)
    assert set(t["variant"]) == {"no_pools"} and set(t["pair"]) == {"01_January__02_February", "all"}
    for m in MEASURES:
        r = t[(t["pair"] == "all") & (t["measure"] == m)].iloc[0]
        s = base["scored"] & variant[f"sim_{m}"].notna()
        exact = ((variant[f"sim_{m}"] - variant[f"observed_{m}"]).abs()[s].mean()
                 - (base[f"sim_{m}"] - base[f"observed_{m}"]).abs()[s].mean())
        assert r["difference"] == pytest.approx(exact, rel=1e-12)
        assert r["days"] == 30 and r["intervals"] == int(s.sum())
        assert abs(r["difference"] - shift) <= 4 * r["se"] and r["se"] < 0.1 * shift  # powered: se far below it
        assert r["ci_low"] > 0
    assert "no_pools" in paired_markdown(t) and "**\\***" in paired_markdown(t)


def test_identical_variants_differ_by_zero_and_pairs_pool_as_blocks(tmp_path):
    rng = np.random.default_rng(3)
    for pair in ("03_March__04_April", "04_April__05_May"):
        base = _days(rng, days=10)
        _write(tmp_path, "full_ablation", pair, base)
        _write(tmp_path, "no_hourly_handle", pair, base)
    t = paired_differences(tmp_path)
    assert (t["difference"] == 0).all() and (t["se"] == 0).all()
    pooled = t[t["pair"] == "all"]
    assert (pooled["days"] == 20).all() and (pooled["pairs"] == 2).all()
