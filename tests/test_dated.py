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


def test_each_interval_table_has_its_own_dated_csvs_with_only_its_rows(tmp_path, capsys):
    """Phone funnel beside social: intervals.csv holds what every channel has, funnel_intervals.csv the funnel's
    channels only, social_intervals.csv first response and backlog for every channel; each with its mean file."""
    out = tmp_path / "o"
    assert main(["run", str(ROOT / "scenarios" / "retail_reputation.toml"), "--replications", "2", "--set",
                 "run.horizon=10h", "--set", "run.warmup=0s", "--out", str(out), "--no-figures"]) == 0
    iv, fun, soc = (pd.read_csv(out / f"{n}.csv") for n in ("intervals", "funnel_intervals", "social_intervals"))
    assert set(iv["channel"]) == set(soc["channel"]) == {"phone", "social"} and set(fun["channel"]) == {"phone"}
    assert len(soc) == len(iv) and {"blocked_rate", "first_response_mean_s"}.isdisjoint(iv.columns)
    for df in (iv, fun, soc):
        assert list(df.columns[:6]) == ["date_time", "clock", "replication", "channel", "queue", "interval_start_at_s"]
    fmean = pd.read_csv(out / "funnel_intervals_mean.csv")
    assert len(fmean) == len(fun) / 2 and {"blocked_rate_ci_low", "blocked_rate_ci_high"} <= set(fmean.columns)
    smean = pd.read_csv(out / "social_intervals_mean.csv")
    assert "first_response_mean_s_ci_low" in smean and len(smean) == len(soc) / 2
    # the per-replication metrics total the split tables: the phone's attempts over both replications
    summary = pd.read_csv(out / "summary.csv").set_index(["channel", "metric"])["mean"]
    assert fun["attempts_count"].sum() == 2 * summary[("phone", "attempts_count")] > 0
    assert soc[soc["channel"] == "social"]["responded"].sum() == 2 * summary[("social", "responded")]
