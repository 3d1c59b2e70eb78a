"""Dated interval CSVs: every row carries an ISO date-time and a clock time from ``[run] start``; the mean over
replications has in-range CIs. About 5 s."""
from __future__ import annotations

import pandas as pd

from sim.cli import main
from tests.conftest import ROOT


def test_interval_csvs_carry_dates_and_the_mean_over_replications(tmp_path, capsys):
    out = tmp_path / "o"
    assert main(["run", str(ROOT / "scenarios" / "baseline.toml"), "--replications", "3", "--out", str(out),
                 "--no-figures"]) == 0
    iv = pd.read_csv(out / "intervals.csv")
    assert iv["date_time"].iloc[0] == "2024-01-01T00:00" and iv["clock"].iloc[17] == "08:30"
    mean = pd.read_csv(out / "intervals_mean.csv")
    assert len(mean) == len(iv) / 3 and (mean["replications"] == 3).all()
    day = mean[mean["clock"] == "10:00"].iloc[0]
    assert day["offered"] == iv[iv["clock"] == "10:00"]["offered"].mean()
    ok = mean.dropna(subset=["sl_offered_ci_low"])
    assert ((ok["sl_offered_ci_low"] >= 0) & (ok["sl_offered_ci_high"] <= 1)).all()
    assert ((ok["sl_offered_ci_low"] <= ok["sl_offered"]) & (ok["sl_offered"] <= ok["sl_offered_ci_high"])).all()
    assert (mean.dropna(subset=["offered_ci_low"])["offered_ci_low"] >= 0).all()
