"""Enriched calibration: round trip of hourly availability, hourly handle time and two skill pools; the noise floor,
CRPS and count conditioning against known answers; scipy's Kaplan–Meier and KS against the product-limit and tie
formulas; partial month files reported by line. About 30 s."""
from __future__ import annotations

import gzip
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sim
from sim.calibrate import contacts_to_calls, read_log, write_csv_log
from sim.calibrate.day_model import observed_intervals
from sim.calibrate.durations import ks_distance
from sim.calibrate.hourly import availability_by_hour, handle_by_hour, hour_of
from sim.calibrate.month_model import dither
from sim.calibrate.patience import kaplan_meier, km_sample
from sim.calibrate.pools import find_pools
from sim.calibrate.scores import condition_on_count, fair_crps, noise_floor
from sim.errors import InputError

DAYS = 16
OPEN, CLOSE = 8, 20
HANDLE = {"general": 180.0, "IN": 300.0}
PATIENCE = 300.0
SEEN = {"general": 12, "IN": 8}


def _availability(pool: str, hour: int) -> float:
    if pool == "IN":
        return 0.75
    return 0.9 if hour < 12 else 0.6 if hour < 16 else 0.85


def _volumes(pool: str) -> list[float]:
    hours = np.arange(48) // 2
    per = {"general": lambda h: 95 if h < 12 else 65 if h < 16 else 90, "IN": lambda h: 30}[pool]
    return [float(per(h)) if OPEN <= h < CLOSE else 0.0 for h in hours]


def _counts(pool: str) -> list[int]:
    """Whole agents per minute: seen × the hour's availability (dithered within each 30 minutes), an hour past close."""
    hours = np.arange(48) // 2
    x = np.array([SEEN[pool] * _availability(pool, h) if OPEN <= h < CLOSE + 1 else 0.0 for h in hours])
    return [int(v) for v in dither(x, 1800.0)]


@pytest.fixture(scope="module")
def known(tmp_path_factory):
    raw = {"schema": 1, "name": "known-pools",
           "run": {"start": "2024-01-01 00:00", "horizon": "1d", "replications": DAYS, "seed": 5, "interval": "30min"},
           "channels": {p: {"kind": "phone", "arrivals": {"volumes": _volumes(p), "interval": "30min"},
                            "handle_time": {"dist": "exponential", "mean": f"{HANDLE[p]:g}s"},
                            "patience": {"dist": "exponential", "mean": f"{PATIENCE:g}s"},
                            "targets": {"answer_within": "20s", "service_level": 0.8}} for p in HANDLE},
           "agents": {"team_general": {"serves": ["general"], "count": _counts("general"), "interval": "1min"},
                      "team_in": {"serves": ["IN"], "count": _counts("IN"), "interval": "1min"}}}
    res = sim.run(sim.parse_scenario(raw))
    path = tmp_path_factory.mktemp("pools") / "log.csv"
    write_csv_log(contacts_to_calls(res.contacts, "2024-01-01"), path)
    calls = read_log(path, format="csv").calls
    days = sorted(set(calls["arrival_at"].dt.date))
    return calls, days


def test_two_skill_pools_are_found_from_who_served_what(known):
    calls, days = known
    pools = find_pools(calls, days)
    assert pools.types == {"pool_in": ("IN",)}
    assert pools.agents and all(a.startswith("team_in:") for a in pools.agents)
    served = calls[(calls["outcome"] == "served") & (calls["type"] == "IN")]
    assert served["agent"].isin(list(pools.agents)).mean() > 0.5


def test_handle_time_by_hour_is_fitted_back_within_4_se(known):
    calls, days = known
    for pool in HANDLE:
        h = handle_by_hour(calls[calls["type"] == pool], days, draws=200)
        h = h[(h["hour"] >= OPEN) & (h["hour"] < CLOSE)]
        assert len(h) == CLOSE - OPEN
        assert (np.abs(h["handle_mean_s"] - HANDLE[pool]) <= 4 * h["se_s"]).all(), h


def test_availability_by_hour_is_fitted_back_within_4_se(known):
    """Every hour but the opening one: Erlang A is a steady state, and the first hour starts from an empty queue, so
    its implied availability comes out high (0.91 against 0.75 here; docs/calibration.md)."""
    calls, days = known
    for pool in HANDLE:
        iv = observed_intervals(calls[calls["type"] == pool], days, 1800.0)
        iv = iv[(iv["interval_start_s"] >= (OPEN + 1) * 3600) & (iv["interval_start_s"] < CLOSE * 3600)].copy()
        iv["agents_seen"] = SEEN[pool]  # the roster: agents seated, of whom the hour's share is available
        iv["handle_s"] = HANDLE[pool]
        iv["group"] = hour_of(iv["interval_start_s"])
        fit = availability_by_hour(iv, PATIENCE, 1800.0, draws=100)
        truth = np.array([_availability(pool, int(h)) for h in fit["group"]])
        assert len(fit) == CLOSE - OPEN - 1
        assert (np.abs(fit["availability"] - truth) <= 4 * fit["se"] + 0.005).all(), fit.assign(truth=truth)
        assert (fit["se"] < 0.06).all()


def test_noise_floor_is_unbiased_for_normal_errors():
    rng = np.random.default_rng([22, 1])
    sigma, reps = 2.0, 10
    nf = noise_floor(rng.normal(5.0, sigma, (20_000, reps)))["mae"]
    exact = sigma * math.sqrt(2 / math.pi)
    se = nf.std(ddof=1) / math.sqrt(len(nf))
    assert 4 * se < 0.02 * exact
    assert abs(nf.mean() - exact) <= 4 * se


def test_noise_floor_for_binomial_outcomes():
    """Abandonment shares k/n: the √((R−1)/R) correction is exact for normal errors; for counts of 100 the known
    answer E|k/n − p| is met within 4 SE + 1% (the rest is the binomial's discreteness)."""
    rng = np.random.default_rng([22, 2])
    n, p, reps = 100, 0.3, 10
    nf = noise_floor(rng.binomial(n, p, (30_000, reps)) / n)["mae"]
    k = np.arange(n + 1)
    exact = float((stats.binom.pmf(k, n, p) * np.abs(k / n - p)).sum())
    se = nf.std(ddof=1) / math.sqrt(len(nf))
    assert abs(nf.mean() - exact) <= 4 * se + 0.01 * exact
    # without the correction the floor would be 5% too high: the test can tell
    assert abs(nf.mean() * math.sqrt(reps / (reps - 1)) - exact) > 4 * se + 0.01 * exact


def test_fair_crps_matches_the_normal_closed_form():
    rng = np.random.default_rng([22, 3])
    y = rng.normal(size=4000)
    crps = fair_crps(rng.normal(size=(4000, 10)), y)
    exact = y * (2 * stats.norm.cdf(y) - 1) + 2 * stats.norm.pdf(y) - 1 / math.sqrt(math.pi)
    diff = crps - exact
    assert abs(diff.mean()) <= 4 * diff.std(ddof=1) / math.sqrt(len(diff))


def test_conditioning_on_the_arrival_count_removes_its_effect():
    rng = np.random.default_rng([22, 4])
    lam = np.full(3000, 50.0)
    n = rng.poisson(lam[:, None], (3000, 20)).astype(float)
    x = 0.01 * n + rng.normal(0, 0.02, n.shape)
    observed = rng.poisson(lam).astype(float)
    adj = condition_on_count(x, n, observed, np.zeros(3000, int))
    resid = adj.mean(axis=1) - 0.01 * observed
    assert abs(resid.mean()) <= 4 * resid.std(ddof=1) / math.sqrt(len(resid))
    assert adj.std(axis=1).mean() < 0.6 * x.std(axis=1).mean()


def _censored(n, mean, censor_mean, seed):
    rng = np.random.default_rng(seed)
    pat, cen = rng.exponential(mean, n), rng.exponential(censor_mean, n)
    return np.minimum(pat, cen), pat <= cen


def test_scipy_kaplan_meier_equals_the_product_limit():
    wait, ab = _censored(3000, 200.0, 150.0, seed=7)
    wait = np.round(wait)  # ties, as in whole-second records
    wait[wait == 0] = 1
    km = kaplan_meier(wait, ab)
    times = np.unique(wait)
    at_risk = np.array([(wait >= t).sum() for t in times])
    events = np.array([((wait == t) & ab).sum() for t in times])
    np.testing.assert_allclose(km["survival"], np.cumprod(1 - events / at_risk), rtol=1e-12)
    np.testing.assert_array_equal(km["at_risk"], at_risk)


def test_scipy_ks_equals_the_tie_aware_formula():
    x = np.round(np.random.default_rng(8).lognormal(4.8, 1.0, 5000))
    cdf = stats.lognorm(1.0, scale=math.exp(4.8)).cdf
    uniq, count = np.unique(x, return_counts=True)
    hi = np.cumsum(count) / len(x)
    lo = hi - count / len(x)
    f = cdf(uniq)
    assert ks_distance(x, cdf) == pytest.approx(max(np.max(np.abs(hi - f)), np.max(np.abs(f - lo))), abs=1e-12)


def test_km_patience_law_follows_the_curve_and_draws_an_exponential_tail():
    mean = 200.0
    wait, ab = _censored(40_000, mean, 250.0, seed=9)
    values = km_sample(wait, ab, size=4000)
    km = kaplan_meier(wait, ab)
    for t in (50.0, 150.0, 300.0):
        exact = math.exp(-t / mean)
        assert abs((values > t).mean() - exact) <= 4 * km_at_se(km, t) + 1 / 4000
    t_star = float(km[km["at_risk"] >= 50]["time_s"].iloc[-1])
    tail = values[values > t_star] - t_star
    assert len(tail) > 10 and values.max() > t_star  # drawn beyond the last observation, not cut off
    assert abs(tail.mean() - mean) <= 0.35 * mean  # memoryless: the tail mean is the patience mean (few tail events)


def km_at_se(km: pd.DataFrame, t: float) -> float:
    i = np.searchsorted(km["time_s"].to_numpy(), t, side="right") - 1
    return float(km["se"].iloc[i])


def test_partial_and_malformed_month_files_are_reported(tmp_path):
    from sim.calibrate.rolling import load_month

    header = ("vru+line\tcall_id\tcustomer_id\tpriority\ttype\tdate\tvru_entry\tvru_exit\tvru_time\tq_start\tq_exit\t"
              "q_time\toutcome\tser_start\tser_exit\tser_time\tserver\n")
    good = "AA0101\t1\t0\t2\tPS\t990901\t9:00:00\t9:00:05\t5\t9:00:05\t9:00:35\t30\tAGENT\t9:00:35\t9:03:35\t180\tANN\n"
    bad = "AA0101\t2\t0\t2\tPS\t99x901\t9:01:00\t9:01:05\t5\t9:01:05\t9:01:35\t30\tAGENT\t9:01:35\t9:03:35\t120\tANN\n"
    path = tmp_path / "09_September.txt"
    path.write_text(header + good + bad + good.replace("\t1\t", "\t3\t"))
    month = load_month(path)
    assert [ln for _, ln, _ in month.report.malformed] == [3]
    cut = tmp_path / "10_October.txt.gz"
    cut.write_bytes(gzip.compress((header + good * 50).encode())[:-30])
    with pytest.raises(InputError, match="10_October"):
        load_month(cut)


def test_september_1999_has_an_internet_team():
    """The shipped September records: the Z2 agents serve only IN calls and answer most of them."""
    from sim.calibrate.logs import shipped_month
    from sim.calibrate.rolling import load_month

    month = load_month(shipped_month(9))
    pools = find_pools(month.calls, month.weekdays)
    assert pools.types == {"pool_in": ("IN",)}
    assert len(pools.agents) == 8 and all(a.startswith("Z2") for a in pools.agents)
    row = pools.table.set_index("type").loc["IN"]
    assert row["by_dedicated"] / row["served"] > 0.8


def test_backtest_rolling_asks_for_two_months(tmp_path, capsys):
    from sim.calibrate.logs import shipped_month
    from sim.cli import main

    out = str(tmp_path / "out")
    assert main(["backtest", "--rolling", str(shipped_month(9)), "--out", out]) == 2
    assert "at least two month files" in capsys.readouterr().err
    assert main(["backtest", "--rolling", "--data", str(tmp_path), "--out", out]) == 2
    assert "expected a folder with month files" in capsys.readouterr().err
    assert main(["backtest", str(shipped_month(9)), "--out", out]) == 2
    assert "--train and --test (or --rolling)" in capsys.readouterr().err


def test_fit_month_and_the_day_scenario_keep_the_fitted_capacity(known, tmp_path):
    from sim.calibrate.month_model import day_scenario, effective_agents, fit_month

    calls, days = known
    fit = fit_month(calls, days[:4], bootstrap=5)
    assert fit.pools.names == ["general", "pool_in"]
    assert set(fit.tables["hourly"]["pool"]) == {"general", "pool_in"}
    assert fit.day_sd >= 0 and len(fit.tables["availability_by_day"]) == 4
    seen = {"general": np.where((np.arange(48) >= 16) & (np.arange(48) < 40), 12.0, 0.0),
            "pool_in": np.where((np.arange(48) >= 16) & (np.arange(48) < 40), 8.0, 0.0)}
    volumes = {p: np.full(48, 10.0) for p in seen}
    raw = day_scenario(fit, days[0], volumes, seen, tmp_path, 2, 1, factor=0.9)
    sim.parse_scenario(raw, source=str(tmp_path / "scenario.toml"), base_dir=str(tmp_path))
    for p in seen:
        minutes = pd.read_csv(tmp_path / f"schedule_{p}.csv")["count"].to_numpy()[:1440]
        per_interval = minutes.reshape(48, 30).mean(axis=1)
        want = effective_agents(fit, p, seen[p]) * 0.9
        assert np.abs(per_interval - want).max() <= 1 / 60 + 1e-9  # exact to the nearest minute
        aht = raw["channels"][p]["aht"]  # handle time by hour as a value per interval, not folded into capacity
        assert aht["interval"] == "1h" and aht["values"] == pytest.approx([fit.handle_hour[p][h] for h in range(24)], abs=1e-3)


def test_priority_credit_and_patience_by_class_are_fitted_back_from_records(tmp_path):
    """Records of a known scenario with two skill pools, hourly availability, a 90 s credit for class 2 and class
    patience 300 s / 150 s: the credit bracket holds 90 s, each class's patience CI holds its truth, and the day
    scenario carries the classes (4 simulated days, about 6 s)."""
    from sim.calibrate.month_model import Switches, day_scenario, fit_month

    raw = {"schema": 1, "run": {"start": "2024-01-01 00:00", "horizon": "1d", "replications": 4, "seed": 7,
                                "interval": "30min"},
           "channels": {p: {"kind": "phone", "arrivals": {"volumes": _volumes(p), "interval": "30min"},
                            "handle_time": {"dist": "exponential", "mean": f"{HANDLE[p]:g}s"},
                            "patience": {"dist": "exponential", "mean": f"{PATIENCE:g}s"},
                            "classes": {"1": {"share": 0.55},
                                        "2": {"share": 0.45, "credit": "90s",
                                              "patience": {"dist": "exponential", "mean": "150s"}}}}
                        for p in HANDLE},
           "agents": {"team_general": {"serves": ["general"], "count": _counts("general"), "interval": "1min"},
                      "team_in": {"serves": ["IN"], "count": _counts("IN"), "interval": "1min"}}}
    res = sim.run(sim.parse_scenario(raw))
    write_csv_log(contacts_to_calls(res.contacts, "2024-01-01"), tmp_path / "log.csv")
    calls = read_log(tmp_path / "log.csv", format="csv").calls
    days = sorted(set(calls["arrival_at"].dt.date))
    fit = fit_month(calls, days, switches=Switches(priority_credit=True, patience_class=True, patience_shape=False),
                    bootstrap=5)
    assert fit.pools.names == ["general", "pool_in"]
    assert fit.credit.low_s <= 90.0 <= fit.credit.high_s and fit.credit.high_s - fit.credit.low_s < 15.0
    by_class = fit.tables["patience_by_class"].set_index("class")
    for cls, truth in ((1, PATIENCE), (2, 150.0)):
        assert by_class.at[cls, "ci_low_s"] <= truth <= by_class.at[cls, "ci_high_s"], (cls, by_class.loc[cls])
    shares = {k["priority"]: k["share"] for k in fit.classes}
    assert abs(shares[2] - 0.45) < 0.03
    seen = {p: np.full(48, 5.0) for p in fit.pools.names}
    day = day_scenario(fit, days[0], {p: np.full(48, 10.0) for p in seen}, seen, tmp_path / "d", 1, 1)
    sc = sim.parse_scenario(day, source=str(tmp_path / "d" / "scenario.toml"), base_dir=str(tmp_path / "d"))
    two = next(k for k in sc.channels["general"].classes if k.priority == 2)
    assert two.credit_s == pytest.approx(fit.credit.credit_s, abs=0.5) and two.patience.mean == pytest.approx(
        by_class.at[2, "patience_mean_s"], rel=1e-3)
