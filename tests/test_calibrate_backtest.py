"""Back-test on the shipped March 1999 records: train and test on different days (small, to stay fast)."""
from __future__ import annotations

import pandas as pd
import pytest

import sim
from sim.calibrate import shipped_march_1999
from sim.cli import main
from sim.errors import InputError


@pytest.fixture(scope="module")
def backtest_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bt")
    code = main(["backtest", str(shipped_march_1999()), "--train", "1999-03-03,1999-03-04", "--test", "1999-03-09",
                 "--replications", "3", "--search-replications", "2", "--out", str(out / "bt"),
                 "--figure", str(out / "fig.png")])
    return code, out


def test_backtest_writes_tables_scenarios_and_figures(backtest_run, capsys):
    code, out = backtest_run
    assert code == 0
    bt = out / "bt"
    for name in ("per_interval.csv", "errors.csv", "per_day.csv", "availability_search.csv", "train_parameters.csv",
                 "summary.md", "backtest.png"):
        assert (bt / name).is_file(), name
    assert (out / "fig.png").is_file()
    day = bt / "days" / "1999-03-09"
    for name in ("forecast.csv", "schedule.csv", "scenario.toml"):
        assert (day / name).is_file()
    scenario = sim.load_scenario(day / "scenario.toml")  # each test day is a scenario people can rerun
    assert scenario.raw["run"]["start"] == "1999-03-09 00:00"
    forecast = pd.read_csv(day / "forecast.csv")
    per = pd.read_csv(bt / "per_interval.csv")
    assert forecast["volume"].sum() == per["observed_offered"].sum()  # the day's own observed volumes
    errors = pd.read_csv(bt / "errors.csv")
    assert len(errors) == 9 and set(errors["model"]) == {"simulation", "Erlang A (availability)",
                                                         "Erlang A (raw agents)"}
    assert (errors["intervals"] > 20).all()


def test_raw_agent_counts_overstate_capacity(backtest_run):
    _, out = backtest_run
    search = pd.read_csv(out / "bt" / "availability_search.csv")
    best = search.loc[search["loss"].idxmin()]
    assert 0.3 < best["availability"] < 0.95
    raw = search[search["availability"] == 1.0].iloc[0]
    assert raw["abandon_rate"] < best["abandon_rate"]
    errors = pd.read_csv(out / "bt" / "errors.csv").set_index(["metric", "model"])
    # the naive model (Erlang A with every agent seen) predicts too little abandonment on the held-out day
    assert errors.loc[("abandon_rate", "Erlang A (raw agents)"), "bias"] < 0


def test_backtest_rejects_overlapping_or_screened_days(tmp_path):
    from sim.calibrate.backtest import backtest

    with pytest.raises(InputError, match="share 1999-03-03"):
        backtest([shipped_march_1999()], train="1999-03-03,1999-03-04", test="1999-03-03", out=tmp_path / "x")
    with pytest.raises(InputError, match="every date given was screened out"):
        backtest([shipped_march_1999()], train="1999-03-03", test="1999-03-08", out=tmp_path / "x")
