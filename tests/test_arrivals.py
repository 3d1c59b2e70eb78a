"""Arrivals: the piecewise-constant Poisson process is exact per interval, the calendar places the forecast on the right
days and hours, and the daily busyness factor has the configured CV."""
from __future__ import annotations

import math

import numpy as np
import pytest

import sim
from sim.arrivals import poisson_arrivals
from sim.calendar import busyness_factors, n_days
from tests.conftest import ROOT, erlang_raw, scenario

PROFILE = [0] * 16 + [40, 55, 70, 80, 85, 80, 70, 60, 55, 60, 70, 75, 75, 70, 60, 50, 45, 40, 35, 30, 25, 20, 15, 10] + [0] * 8


def counts_per_interval(sc, days: int, seed: int = 3) -> np.ndarray:
    ch = sc.channels["phone"]
    horizon = days * 86400.0
    starts, rates = ch.arrivals.rate_pieces(horizon, sc.calendar, ch.open_hours, np.ones(n_days(horizon, sc.calendar)))
    t = poisson_arrivals(starts, rates, horizon, np.random.default_rng(seed))
    return np.bincount((t // 1800).astype(int), minlength=48 * days).reshape(days, 48)


def test_interval_volumes_are_poisson_with_the_forecast_mean():
    raw = erlang_raw()
    raw["channels"]["phone"]["arrivals"] = {"volumes": PROFILE, "interval": "30min"}
    sc = scenario(raw)
    days = 4000
    c = counts_per_interval(sc, days)
    mean = c.mean(axis=0)
    for k, v in enumerate(PROFILE):
        if v == 0:
            assert c[:, k].sum() == 0
            continue
        se = math.sqrt(v / days)
        assert abs(mean[k] - v) <= 4 * se, (k, mean[k], v)
        assert 4 * se <= 0.02 * v
        # Poisson: variance equals the mean (dispersion index within its sampling error)
        assert abs(c[:, k].var(ddof=1) / v - 1) <= 4 * math.sqrt(2 / (days - 1))


def test_rate_changes_mid_interval_are_exact_when_opening_hours_cut_it():
    raw = erlang_raw(rate="120/h")
    raw["channels"]["phone"]["open"] = "08:15-09:45"
    sc = scenario(raw)
    days = 3000
    c = counts_per_interval(sc, days)
    expected = {16: 30, 17: 60, 18: 60, 19: 30}  # 08:00–08:30 is open for 15 minutes only, likewise 09:30–10:00
    for k in range(48):
        v = expected.get(k, 0)
        if v == 0:
            assert c[:, k].sum() == 0
        else:
            assert abs(c[:, k].mean() - v) <= 4 * math.sqrt(v / days)


def test_by_weekday_and_calendar_start():
    raw = erlang_raw(horizon="7d")
    mon = [0] * 20 + [50] * 4 + [0] * 24
    raw["run"]["start"] = "1999-03-07 00:00"  # a Sunday
    raw["channels"]["phone"]["arrivals"] = {"interval": "30min", "volumes": [0] * 48, "by_weekday": {"mon": mon}}
    sc = scenario(raw)
    res = sim.run(sc)
    t = res.contacts["arrival_at_s"].to_numpy()
    assert len(t) > 0
    day = t // 86400
    assert set(day) == {1}  # Monday is the second day of a run starting on a Sunday
    assert ((t % 86400 >= 10 * 3600) & (t % 86400 < 12 * 3600)).all()


def test_forecast_csv_by_clock_and_by_date(tmp_path):
    (tmp_path / "clock.csv").write_text("interval_start,volume\n09:00,100\n09:30,50\n")
    (tmp_path / "dated.csv").write_text("interval_start,volume\n2024-01-02 09:00,100\n2024-01-02 09:30,50\n")
    for name, days_with_calls in (("clock.csv", {0, 1}), ("dated.csv", {1})):
        raw = erlang_raw(horizon="2d", reps=3)
        raw["run"]["start"] = "2024-01-01 00:00"
        raw["channels"]["phone"]["arrivals"] = {"forecast": name}
        sc = sim.parse_scenario(raw, source=str(tmp_path / "s.toml"), base_dir=tmp_path)
        t = sim.run(sc).contacts["arrival_at_s"].to_numpy()
        assert set((t // 86400).astype(int)) == days_with_calls
        assert ((t % 86400 >= 9 * 3600) & (t % 86400 < 10 * 3600)).all()
        expected = 150 * len(days_with_calls) * 3
        assert abs(len(t) - expected) <= 4 * math.sqrt(expected)


@pytest.mark.parametrize("cv", [0.1, 0.25])
def test_daily_busyness_has_the_configured_cv(cv):
    """Daily totals of a Poisson day with a Gamma busyness factor: Var = m + cv²·m² (Avramidis et al. 2004), so
    CV²(totals) − 1/m estimates cv². Checked over 20,000 days with the delta-method SE of that estimate."""
    rng = np.random.default_rng(11)
    days, m = 20_000, 1000.0
    b = busyness_factors(rng, cv, days)
    totals = rng.poisson(m * b)
    est = totals.var(ddof=1) / totals.mean() ** 2 - 1 / totals.mean()
    # SE of the sample variance of totals (fourth central moment), divided by m²
    mu4 = np.mean((totals - totals.mean()) ** 4)
    se = math.sqrt((mu4 - totals.var() ** 2) / days) / totals.mean() ** 2
    assert abs(est - cv**2) <= 4 * se
    assert abs(b.mean() - 1) <= 4 * b.std() / math.sqrt(days)


def test_shipped_scenarios_validate_and_run_a_replication():
    for path in sorted((ROOT / "scenarios").glob("*.toml")):
        sc = sim.load_scenario(path)
        res = sim.run(sc, replications=1)
        assert len(res.contacts) > 0, path.name
