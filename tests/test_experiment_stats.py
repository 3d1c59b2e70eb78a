"""Output analysis: t intervals and their coverage, MSER-5, paired differences with common random numbers,
replications to a precision."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim.experiment import compare, coverage_band, mser5, mser5_detail, paired_difference, run_to_precision, t_interval
from sim.experiment.precision import look_ahead, mser5_warmup

TINY = """
schema = 1
[run]
horizon = "{horizon}"
interval = "30min"
seed = 1
replications = 5
[channels.phone]
arrivals = {{ rate = "{rate}" }}
handle_time = {{ dist = "exponential", mean = "{aht}" }}
patience = {{ dist = "exponential", mean = "300s" }}
[agents.phone]
serves = ["phone"]
count = {agents}
"""


def tiny(tmp_path, name="tiny", horizon="2h", rate="60/h", aht="200s", agents=4):
    path = tmp_path / f"{name}.toml"
    path.write_text(TINY.format(horizon=horizon, rate=rate, aht=aht, agents=agents))
    return path


# --- t intervals -----------------------------------------------------------------------------------------------

def test_t_interval_matches_the_textbook_formula():
    x = [3.0, 5.0, 4.0, 6.0, 2.0]
    s = t_interval(x)
    # mean 4, sd sqrt(2.5), t(4, .975) = 2.7764451
    assert s["mean"] == pytest.approx(4.0)
    assert s["sd"] == pytest.approx(np.sqrt(2.5))
    assert s["half_width"] == pytest.approx(2.7764451 * np.sqrt(2.5) / np.sqrt(5), rel=1e-6)
    assert s["n"] == 5
    one = t_interval([7.0])
    assert one["mean"] == 7.0 and np.isnan(one["half_width"])
    assert t_interval([np.nan, 1.0, 1.0])["half_width"] == 0.0


def test_t_interval_coverage_on_normal_samples_of_five():
    """20 000 intervals from N(10, 3²) samples of 5: coverage inside the binomial band around 95%.
    A z-interval (1.96) would cover only ~88%, far outside the band (±0.6 %)."""
    rng = np.random.default_rng(12)
    trials = 20_000
    data = rng.normal(10.0, 3.0, size=(trials, 5))
    covered = sum(s["ci_low"] <= 10.0 <= s["ci_high"] for s in map(t_interval, data))
    lo, hi = coverage_band(trials)
    assert lo <= covered <= hi, (covered / trials, lo / trials, hi / trials)


@pytest.mark.slow
def test_ci_coverage_of_offered_per_interval_over_400_independent_runs(tmp_path):
    """Offered contacts per interval of a Poisson process have expectation rate × interval length exactly (60 here).
    400 independent groups of 2 replications each give one 95% CI each (t with 1 degree of freedom: a z quantile,
    or t with the wrong degrees of freedom, would cover 70 % or 86 %); the number covering 60 must fall in the
    binomial band (alpha 1e-4) around 95 %."""
    sc = sim.load_scenario(tiny(tmp_path, horizon="1h", rate="120/h", aht="60s", agents=3))
    groups, size = 400, 2
    res = sim.run(sc, replications=groups * size, seed=20240)
    per_rep = res.intervals.groupby("replication")["offered"].mean()
    assert len(per_rep) == groups * size
    truth = 120 / 3600 * 1800
    covered = 0
    for g in range(groups):
        s = t_interval(per_rep.loc[g * size:(g + 1) * size - 1])
        covered += s["ci_low"] <= truth <= s["ci_high"]
    lo, hi = coverage_band(groups)
    assert lo <= covered <= hi, (covered, lo, hi)
    # The pooled mean is itself within 4 standard errors of the truth (SE ≈ 0.19, so a 2% error would show).
    se = per_rep.std(ddof=1) / np.sqrt(len(per_rep))
    assert abs(per_rep.mean() - truth) <= 4 * se


# --- MSER-5 ----------------------------------------------------------------------------------------------------

def _mser_brute(y, batch=5):
    m = len(y) // batch
    z = np.asarray(y[: m * batch], float).reshape(m, batch).mean(axis=1)
    stats = [np.sum((z[d:] - z[d:].mean()) ** 2) / (m - d) ** 2 for d in range(m - 1)]
    limit = max(1, m // 2)
    return int(np.argmin(stats[:limit])) * batch


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=10, max_size=300))
def test_mser5_agrees_with_the_definition(values):
    got, want = mser5(values), _mser_brute(values)
    assert got % 5 == 0 and got <= len(values) // 2
    # equal, or a tie: both candidates reach the same minimum
    assert _stat(values, got) == pytest.approx(_stat(values, want), rel=1e-9, abs=1e-9)


def _stat(y, d, batch=5):
    m = len(y) // batch
    z = np.asarray(y[: m * batch], float).reshape(m, batch).mean(axis=1)[d // batch:]
    return np.sum((z - z.mean()) ** 2) / len(z) ** 2


def test_mser5_cuts_a_known_initial_transient():
    """y_t = 8·exp(−t/25) + N(0, 1): the bias exceeds one sd until t ≈ 52 and is below 0.05 sd after t ≈ 127.
    Over 50 series the cut lands where the bias has faded, and truncating removes most of the bias."""
    rng = np.random.default_rng(7)
    t = np.arange(2000)
    cuts, raw_bias, cut_bias = [], [], []
    for _ in range(50):
        y = 8 * np.exp(-t / 25) + rng.normal(0, 1, size=t.size)
        d = mser5_detail(y)
        assert d.reliable
        cuts.append(d.index)
        raw_bias.append(y.mean())
        cut_bias.append(y[d.index:].mean())
    assert 40 <= np.median(cuts) <= 200
    assert min(cuts) >= 25
    assert abs(np.mean(cut_bias)) < 0.2 * np.mean(raw_bias)


def test_mser5_on_stationary_series_cuts_little_and_flags_a_trend():
    rng = np.random.default_rng(3)
    cuts = [mser5(rng.normal(0, 1, 1000)) for _ in range(50)]
    assert np.median(cuts) <= 50
    trend = np.linspace(0, 10, 500) + rng.normal(0, 0.1, 500)
    assert not mser5_detail(trend).reliable


def test_mser5_warmup_from_an_interval_table():
    """Two replications whose queue time decays from a high start: the cut is reported in seconds."""
    rng = np.random.default_rng(5)
    rows = []
    for rep in range(2):
        for k in range(400):
            rows.append({"replication": rep, "channel": "phone", "queue": "phone", "interval_start_at_s": 900.0 * k,
                         "queue_time_s": 5000 * np.exp(-k / 15) + rng.normal(300, 30)})
    w = mser5_warmup(pd.DataFrame(rows))
    assert w.reliable
    assert w.warmup_s == 900.0 * w.intervals
    assert 25 <= w.intervals <= 150


# --- paired comparison -----------------------------------------------------------------------------------------

def test_paired_difference_on_synthetic_pairs():
    rng = np.random.default_rng(1)
    base = rng.normal(100, 20, 30)             # day-to-day noise shared by both designs
    a = pd.DataFrame({"replication": range(30), "channel": "phone", "metric": "asa_s", "value": base})
    b = a.assign(value=base + 1.0 + rng.normal(0, 0.2, 30))
    row = paired_difference(a, b).iloc[0]
    assert row["diff_ci_low"] <= 1.0 <= row["diff_ci_high"]
    assert row["significant"]
    assert row["var_ratio"] < 0.01            # pairing removed the shared noise
    same = paired_difference(a, a).iloc[0]
    assert same["diff"] == 0 and same["diff_half_width"] == 0 and not same["significant"]


def test_compare_more_agents_gives_significantly_lower_wait_with_the_same_customers(tmp_path):
    a = tiny(tmp_path, "a", agents=3)
    b = tiny(tmp_path, "b", agents=5)
    cmp = compare(a, b, replications=10, seed=99)
    t = cmp.table.set_index(["channel", "metric"])
    wait = t.loc[("phone", "mean_wait_s")]
    assert wait["diff"] < 0 and wait["significant"]
    # Common random numbers: both designs met exactly the same arrivals.
    assert t.loc[("phone", "offered"), "diff"] == 0
    assert cmp.replications == 10 and cmp.seed == 99


def test_compare_identical_scenarios_differs_by_exactly_zero(tmp_path):
    a = tiny(tmp_path, "a")
    cmp = compare(a, a, replications=4, seed=5)
    assert len(cmp.table) > 5
    assert (cmp.table["diff"].fillna(0) == 0).all()
    assert (cmp.table["diff_half_width"].fillna(0) == 0).all()
    assert not cmp.table["significant"].any()


# --- replications to a precision -------------------------------------------------------------------------------

def test_run_to_precision_stops_once_the_precision_holds_through_the_look_ahead(tmp_path):
    sc = sim.load_scenario(tiny(tmp_path, rate="120/h", aht="100s"))
    pr = run_to_precision(sc, precision=0.04, metrics=["offered", "occupancy"], min_reps=5, max_reps=200, seed=3)
    assert not pr.cap_hit
    head = pr.summary[pr.summary["headline"]]
    assert set(head["metric"]) == {"offered", "occupancy"}
    assert (head["rel_half_width"] <= 0.04).all()
    assert pr.replications_run == pr.n + look_ahead(pr.n)
    hist = pr.history.set_index("replications")["worst_rel_half_width"]
    assert (hist.loc[pr.n: pr.replications_run] <= 0.04).all()
    if pr.n > 5:
        assert hist.loc[pr.n - 1] > 0.04       # N is the first replication count of the final stretch
    # The kept replications are exactly replications 0..R-1 of a plain run: batching changed nothing.
    plain = sim.run(sc, replications=pr.replications_run, seed=3).replications
    got = pr.replications.sort_values(["replication", "channel", "metric"]).reset_index(drop=True)
    want = plain.sort_values(["replication", "channel", "metric"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(got[want.columns], want, check_dtype=False)


def test_run_to_precision_reports_the_cap(tmp_path):
    sc = sim.load_scenario(tiny(tmp_path))
    pr = run_to_precision(sc, precision=0.001, metrics=["asa_s"], min_reps=5, max_reps=12, seed=1)
    assert pr.cap_hit and pr.replications_run == 12
    assert "precision not met" in pr.report()


def test_run_to_precision_rejects_nonsense(tmp_path):
    sc = sim.load_scenario(tiny(tmp_path))
    with pytest.raises(sim.InputError, match="precision"):
        run_to_precision(sc, precision=5)
    with pytest.raises(sim.InputError, match="metrics"):
        run_to_precision(sc, metrics=["no_such_metric"], max_reps=6)


def test_auto_warmup_is_chosen_from_a_pilot_and_applied(tmp_path):
    """A heavily loaded queue that starts empty (ρ ≈ 0.94, no abandonment): the MSER-5 cut from the pilot is
    applied as ``[run] warmup``, so the kept intervals start after it."""
    path = tmp_path / "heavy.toml"
    path.write_text(TINY.format(horizon="12h", rate="120/h", aht="170s", agents=6).replace(
        'patience = { dist = "exponential", mean = "300s" }\n', ""))
    sc = sim.load_scenario(path)
    pr = run_to_precision(sc, precision=0.2, metrics=["occupancy"], min_reps=5, max_reps=20, seed=2,
                          warmup="auto")
    w = pr.warmup
    assert w is not None and 0 <= w.cut_s <= w.warmup_s < w.cut_s + 1800 and w.warmup_s % 1800 == 0
    assert w.warmup_s < 6 * 3600
    kept = pr.combined()
    assert kept.intervals["interval_start_at_s"].min() == w.warmup_s
    assert kept.provenance["precision"]["warmup_s"] == pr.warmup.warmup_s
