"""Round trip: simulate a known scenario, write its contacts as a generic CSV log, calibrate, recover the inputs."""
from __future__ import annotations

import math

import numpy as np
import pytest

import sim
from sim.calibrate import calibrate, contacts_to_calls, write_csv_log
from sim.calibrate.backtest import erlang_a_interval

HANDLE_MEAN, HANDLE_CV, PATIENCE = 180.0, 1.0, 240.0
DAYS = 14


def _volumes() -> list[float]:
    """A day of 30-minute volumes: closed at night, ramp to 160 at midday, nothing after 21:00 (all calls finish)."""
    v = np.zeros(48)
    hours = np.arange(48) / 2
    open_ = (hours >= 8) & (hours < 21)
    v[open_] = 40 + 120 * np.sin(np.pi * (hours[open_] - 8) / 13)
    return [round(float(x), 2) for x in v]


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory):
    folder = tmp_path_factory.mktemp("roundtrip")
    raw = {
        "schema": 1, "name": "known",
        "run": {"start": "2024-01-01 00:00", "horizon": "1d", "replications": DAYS, "seed": 11, "interval": "30min"},
        "channels": {"phone": {
            "arrivals": {"volumes": _volumes(), "interval": "30min"},
            "handle_time": {"dist": "lognormal", "mean": f"{HANDLE_MEAN}s", "cv": HANDLE_CV},
            "patience": {"dist": "exponential", "mean": f"{PATIENCE}s"},
            "ivr_time": {"dist": "lognormal", "mean": "8s", "cv": 0.4},
            "targets": {"answer_within": "20s", "service_level": 0.8}}},
        "agents": {"phone": {"serves": ["phone"], "count": 9}},
    }
    results = sim.run(sim.parse_scenario(raw))
    calls = contacts_to_calls(results.contacts, "2024-01-01")  # replication r -> day r
    log = write_csv_log(calls, folder / "contacts.csv.gz")
    cal = calibrate([log], format="csv", days="all", working_days="mon,tue,wed,thu,fri,sat,sun", handle="lognormal",
                    out=folder / "fitted.toml", bootstrap=50, figures=False)
    return results, cal


def test_every_contact_is_read_back(round_trip):
    results, cal = round_trip
    c = results.contacts
    assert cal.log.report.rows_read == len(c) and cal.log.report.malformed == []
    assert (c["outcome"] != "open").all()  # nothing arrives after 21:00, so every call ends before midnight
    assert cal.log.report.used["abandoned"] == int((c["outcome"] == "abandoned").sum())
    assert len(cal.fit.chosen) == DAYS


def test_arrival_profile_recovered(round_trip):
    _, cal = round_trip
    prof = cal.fit.profile
    truth = np.array(_volumes())
    assert (prof["n_days"] == DAYS).all()
    busy = truth > 0
    se = prof["se"].to_numpy()
    assert np.all(np.abs(prof["mean"].to_numpy()[busy] - truth[busy]) <= 4 * se[busy])
    assert np.all(prof["mean"].to_numpy()[~busy] == 0)
    # the busyness CV is absent in the scenario: the estimate is near 0
    assert cal.fit.busyness_cv < 0.05


def test_handle_time_recovered(round_trip):
    _, cal = round_trip
    s2 = math.log1p(HANDLE_CV ** 2)
    mu, sigma = math.log(HANDLE_MEAN) - s2 / 2, math.sqrt(s2)
    single = cal.fit.handle.single
    assert abs(single.mu - mu) <= 4 * single.se_mu
    assert abs(single.sigma - sigma) <= 4 * single.se_sigma
    assert 4 * single.se_mu < 0.02  # could expose a 2% error in the mean handle time
    written = cal.scenario["channels"]["phone"]["handle_time"]
    assert written["dist"] == "lognormal"


def test_patience_recovered_from_censored_waits(round_trip):
    _, cal = round_trip
    p = cal.fit.patience
    assert abs(p.mean_s - PATIENCE) <= 4 * p.se_mean_s
    assert p.abandoned > 2000
    km = cal.fit.km
    t = 120.0
    idx = np.searchsorted(km["time_s"], t, side="right") - 1
    assert abs(km["survival"].iloc[idx] - math.exp(-t / PATIENCE)) <= 4 * km["se"].iloc[idx]


def test_written_scenario_reproduces_the_input(round_trip, tmp_path):
    _, cal = round_trip
    scenario = sim.load_scenario(cal.scenario_path)
    raw = scenario.raw
    assert raw["agents"]["phone"]["count"][24] == 9  # agents seen at midday = the 9 agents simulated
    ivr = raw["channels"]["phone"]["ivr_time"]
    assert ivr["dist"] == "lognormal" and abs(float(ivr["mean"][:-1]) - 8.0) < 0.2


def test_erlang_a_interval_interpolates_between_whole_agents():
    from sim.analytic import erlang_a_metrics

    exact = erlang_a_metrics(5, 0.02, 180.0, 240.0, 20.0)
    at5 = erlang_a_interval(5.0, 0.02, 180.0, 240.0)
    assert at5["abandon_rate"] == pytest.approx(exact["p_abandon"])
    mid = erlang_a_interval(5.5, 0.02, 180.0, 240.0)
    at6 = erlang_a_interval(6.0, 0.02, 180.0, 240.0)
    assert mid["mean_wait_s"] == pytest.approx((at5["mean_wait_s"] + at6["mean_wait_s"]) / 2)
    none = erlang_a_interval(0.0, 0.02, 180.0, 240.0)
    assert none == {"abandon_rate": 1.0, "mean_wait_s": 240.0, "sl_offered": 0.0}
