"""Fitting parts against exact values: patience from censored waits, lognormal/mixture handle times, busyness, agents,
the day screen of March 1999, and the written scenario (read back by the scenario reader)."""
from __future__ import annotations

import math
import tomllib
from datetime import date

import numpy as np
import pandas as pd
import pytest

import sim
from sim.calibrate import fit_calls, read_log, shipped_march_1999
from sim.calibrate.agents import agents_by_interval
from sim.calibrate.arrivals import bootstrap_days, busyness_cv
from sim.calibrate.calendar import day_table, parse_dates, select_days
from sim.calibrate.durations import fit_handle, fit_lognormal
from sim.calibrate.patience import exponential_patience, kaplan_meier, km_at
from sim.calibrate.scenario_writer import dumps, scenario_dict
from sim.errors import InputError


@pytest.fixture(scope="module")
def march_calls():
    return read_log(shipped_march_1999()).calls


def _censored(n, mean_patience, mean_censor, seed):
    rng = np.random.default_rng(seed)
    patience = rng.exponential(mean_patience, n)
    censor = rng.exponential(mean_censor, n)
    return np.minimum(patience, censor), patience < censor


def test_exponential_patience_mle_recovers_the_mean():
    wait, ab = _censored(200_000, 200.0, 150.0, seed=3)
    est = exponential_patience(wait, ab)
    assert est.se_mean_s < 0.005 * 200  # could expose a 2% error
    assert abs(est.mean_s - 200.0) <= 4 * est.se_mean_s
    lo, hi = est.ci_mean_s()
    assert lo < est.mean_s < hi
    # hang-ups alone (ignoring censoring) would badly underestimate patience
    assert wait[ab].mean() < 0.5 * 200


def test_kaplan_meier_matches_the_exact_survival():
    wait, ab = _censored(200_000, 200.0, 150.0, seed=4)
    km = kaplan_meier(wait, ab)
    for t in (50.0, 100.0, 200.0):
        exact = math.exp(-t / 200.0)
        se = km_at(km, t, "se")
        assert se < 0.005 * exact
        assert abs(km_at(km, t) - exact) <= 4 * se
        assert km_at(km, t, "lower") <= km_at(km, t) <= km_at(km, t, "upper")


def test_lognormal_fit_and_standard_errors():
    rng = np.random.default_rng(5)
    x = rng.lognormal(4.8, 1.0, 60_000)
    f = fit_lognormal(x)
    assert abs(f.mu - 4.8) <= 4 * f.se_mu and abs(f.sigma - 1.0) <= 4 * f.se_sigma
    assert f.ks < 0.01
    assert f.mean == pytest.approx(math.exp(4.8 + 0.5), rel=0.03)


def test_mixture_handle_fit_recovers_short_share():
    rng = np.random.default_rng(6)
    n, p = 80_000, 0.08
    short = rng.random(n) < p
    x = np.where(short, np.clip(rng.lognormal(1.3, 0.5, n), 0, 9.99), rng.lognormal(5.0, 0.8, n))
    x = np.where(~short & (x < 10), 10.0, x)
    h = fit_handle(x)
    se = math.sqrt(p * (1 - p) / n)
    assert abs(h.short_share - p) <= 4 * se
    assert h.ks_mixture < h.ks_single


def test_busyness_cv_recovers_gamma_factor():
    rng = np.random.default_rng(7)
    cv_b, base, days = 0.2, 1500.0, 25_000
    b = rng.gamma(1 / cv_b**2, cv_b**2, days)
    totals = rng.poisson(base * b)
    est = busyness_cv(totals)
    boot = bootstrap_days(totals, busyness_cv, np.random.default_rng(8), 200)
    assert abs(est - cv_b) <= 4 * boot.std()
    assert 4 * boot.std() < 0.02 * cv_b  # enough days to expose a 2% error
    # pure Poisson days: no busyness
    assert busyness_cv(rng.poisson(base, days)) < 0.01


def test_agents_seen_and_busy_agents_per_interval():
    t = pd.Timestamp("2024-05-06")
    rows = [("09:10", "09:50", "ann"), ("09:20", "09:25", "bob"), ("09:40", "09:41", "bob"), ("09:05", "09:06", "")]
    calls = pd.DataFrame({
        "arrival_at": [t + pd.Timedelta(a + ":00") for a, _, _ in rows],
        "answer_at": [t + pd.Timedelta(a + ":00") for a, _, _ in rows],
        "end_at": [t + pd.Timedelta(e + ":00") for _, e, _ in rows],
        "outcome": "served", "agent": [r[2] for r in rows]})
    tab = agents_by_interval(calls).set_index("interval_start_s")
    assert tab.at[9 * 3600.0, "agents_seen"] == 2 and tab.at[9.5 * 3600, "agents_seen"] == 2
    assert tab.at[10 * 3600.0, "agents_seen"] == 0
    assert tab.at[9 * 3600.0, "busy_agents"] == pytest.approx((20 + 5 + 1) / 30)
    assert tab.at[9.5 * 3600, "busy_agents"] == pytest.approx((20 + 1) / 30)
    assert tab.at[9 * 3600.0, "answered"] == 3


def test_march_day_screen(march_calls):
    days = day_table(march_calls)
    screened = set(days.loc[days["status"] != "regular", "date"])
    for d in (2, 8, 15, 22, 31):  # Purim, noon close, late start, outage, Passover eve
        assert date(1999, 3, d) in screened
    chosen, notes = select_days(days, "weekday")
    assert len(chosen) == 18 and not notes
    assert all(pd.Timestamp(d).day_name()[:3] in ("Sun", "Mon", "Tue", "Wed", "Thu") for d in chosen)
    chosen, notes = select_days(days, "1999-03-01,1999-03-08")
    assert chosen == [date(1999, 3, 1), date(1999, 3, 8)] and "1999-03-08" in notes[0]
    with pytest.raises(InputError, match="no contacts in the log on 1999-04-01"):
        select_days(days, "1999-04-01")
    assert parse_dates("1999-03-01..1999-03-03") == [date(1999, 3, k) for k in (1, 2, 3)]
    with pytest.raises(InputError, match="--days"):
        parse_dates("March")


def test_march_fit_and_scenario_reads_back(march_calls, tmp_path):
    fit = fit_calls(march_calls, days="all", bootstrap=50)
    p = fit.parameters.set_index("parameter")
    for name in ("handle.long.mu", "patience.exponential.mean_s", "arrivals.busyness_cv"):
        row = p.loc[name]
        assert row["ci_low"] <= row["estimate"] <= row["ci_high"] and row["se"] > 0
    assert 0.1 < fit.busyness_cv < 0.3
    prof = fit.profile[fit.profile["day_type"] == "weekday"]
    chosen_weekdays = fit.days[fit.days["date"].isin(fit.chosen) & (fit.days["day_type"] == "weekday")]["date"]
    assert prof["mean"].sum() == pytest.approx(fit.counts.loc[chosen_weekdays].sum(axis=1).mean())
    scen = scenario_dict(fit, "ab-all", ["x.txt.gz"], acknowledge=True)
    text = dumps(scen)
    assert text.startswith("schema = 1\n")
    raw = tomllib.loads(text)
    phone = raw["channels"]["phone"]
    assert len(phone["arrivals"]["volumes"]) == 48 and set(phone["arrivals"]["by_weekday"]) == {"fri", "sat"}
    assert sum(phone["handle_time"]["weights"]) == pytest.approx(1.0, abs=1e-9)
    assert "Technion SEE Lab" in raw["description"]
    path = tmp_path / "ab.toml"
    path.write_text(text)
    scenario = sim.load_scenario(path)  # the project's scenario reader accepts what the writer writes
    assert scenario.raw["run"]["busyness_cv"] == pytest.approx(round(fit.busyness_cv, 4))
