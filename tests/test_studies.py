"""Every study in experiments/ runs in its quick mode (mesa's habit: every example is a smoke test), and what it
reports agrees with what it claims."""
from __future__ import annotations

import importlib.util
import math

import numpy as np
import pytest

import sim
from tests.conftest import ROOT


def load_study(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "experiments" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.study
def test_staffing_curve_quick(tmp_path):
    table = load_study("staffing_curve").main(["--quick", "--out", str(tmp_path), "--workers", "1"])
    assert (tmp_path / "staffing_curve.png").stat().st_size > 10_000
    assert len(table) == 7 * 4
    sl = table[table.metric == "sl_offered"]
    # quick mode is a smoke test (accuracy against Erlang A is tested in test_erlang_validation.py): the simulated
    # service level rises with agents, and Erlang C, which ignores abandonment, sits below the simulation throughout
    assert sl["mean"].is_monotonic_increasing
    assert (sl["erlang_c"] < sl["mean"]).all()
    assert table["erlang_c_required"].iloc[0] > table["erlang_a_required"].iloc[0]
    assert not math.isnan(sl["mean"].iloc[0])


@pytest.mark.study
def test_concurrency_tradeoff_quick(tmp_path):
    table = load_study("concurrency_tradeoff").main(["--quick", "--out", str(tmp_path), "--workers", "1"])
    assert (tmp_path / "concurrency_tradeoff.png").stat().st_size > 10_000
    assert (tmp_path / "concurrency_tradeoff.csv").exists() and (tmp_path / "concurrency_needed.csv").exists()
    sl = table[table.metric == "sl_offered"]
    assert len(sl) == 5 * 5 and (sl["n"] == 3).all()
    needed = table.attrs["needed"].set_index("concurrency")
    n = needed["agents_needed_ci"]
    # holding several conversations fills the customers' think time: far fewer agents meet the target ...
    assert n[1] > n[3] >= n[5]
    assert (needed["agents_needed_mean"] <= needed["agents_needed_ci"]).all()
    # ... and the team that does is busier and, with every message slowed, resolves more slowly (paired, same posts)
    assert needed.loc[5, "occupancy"] > needed.loc[1, "occupancy"]
    assert needed.loc[5, "resolution_mean_s_vs_k1_ci_low"] > 0
    assert needed.loc[1, "resolution_mean_s_vs_k1_diff"] == 0


def test_response_ceiling_is_the_share_posted_in_reach_of_the_desk():
    mod = load_study("response_expectations")
    sc = mod.scenario_for("08:00–22:00", 3)
    vols = sc.raw["channels"]["social"]["arrivals"]["volumes"]
    day = mod.DAY
    # a reply within 1 h is possible for posts from 07:00 to 22:00, within 4 h from 04:00 (30-min slots 14 and 8)
    assert mod.ceiling(sc, 3600, day, 2 * day) == pytest.approx(sum(vols[14:44]) / sum(vols), rel=1e-12)
    assert mod.ceiling(sc, 4 * 3600, day, 2 * day) == pytest.approx(sum(vols[8:44]) / sum(vols), rel=1e-12)
    assert mod.ceiling(mod.scenario_for("24 h", 3), 3600, day, 2 * day) == 1.0
    t = day + 3600 * np.array([6.999, 7.001, 21.99, 22.0, 23.5])
    assert mod.reachable(sc, t, 3600).tolist() == [False, True, True, False, False]
    assert mod.reachable(sc, t, 9 * 3600).tolist() == [True, True, True, False, True]


@pytest.mark.study
def test_response_expectations_quick(tmp_path):
    table = load_study("response_expectations").main(["--quick", "--out", str(tmp_path), "--workers", "1"])
    assert (tmp_path / "response_expectations.png").stat().st_size > 10_000
    m = table.pivot_table(index=["design", "agents"], columns="metric", values="mean")
    assert len(m) == 3 * 4
    # in every replication: answered within 1 h ⊆ within 4 h, and no reply comes while nobody is on duty
    assert (m["within_1h"] <= m["within_4h"]).all()
    assert (m["within_1h"] <= m["reachable_1h"] + 1e-12).all() and (m["within_4h"] <= m["reachable_4h"] + 1e-12).all()
    assert (m.loc["24 h", "reachable_1h"] == 1).all()
    # a desk open 08:00–22:00 stays below its ceiling however large; a round-the-clock desk of 20 does not
    assert m.loc[("08:00–22:00", 20), "within_1h"] < 0.95 < m.loc[("24 h", 20), "within_1h"]


@pytest.mark.study
def test_funnel_vs_social_quick(tmp_path):
    table = load_study("funnel_vs_social").main(["--quick", "--out", str(tmp_path), "--workers", "1"])
    assert (tmp_path / "funnel_vs_social.png").stat().st_size > 10_000
    t = table.set_index(["share_social", "metric"])
    assert sorted(table["share_social"].unique()) == [0.0, 0.5, 1.0] and (table["n"] == 3).all()
    # paired: every design meets the same population, replication by replication
    # (a deflected follow-up resolves a customer already counted: counted once, sim.horizons.tries)
    for s in (0.5, 1.0):
        assert t.loc[(s, "deflected_follow_ups"), "mean"] >= 0 and t.loc[(s, "customers"), "diff"] == 0
    assert t.loc[(0.0, "deflected_follow_ups"), "mean"] == 0
    assert t.loc[(0.0, "social_customers"), "mean"] == 0 and t.loc[(1.0, "phone_customers"), "mean"] == 0
    # the same budget to within rounding whole agents
    assert all(abs(t.loc[(s, "cost"), "mean"] / t.loc[(0.0, "cost"), "mean"] - 1) < 0.02 for s in (0.5, 1.0))
    # structural differences: no line and no transfers on social; the funnel transfers about one call in six
    assert t.loc[(1.0, "line_min_per_customer"), "mean"] == 0 and t.loc[(1.0, "transfers_per_customer"), "mean"] == 0
    assert t.loc[(0.0, "transfers_per_customer"), "mean"] > 0.05
    # at the phone rota's cost the social team is overwhelmed: later first replies, fewer issues resolved
    assert t.loc[(1.0, "time_to_human_median_min"), "diff_ci_low"] > 0
    assert t.loc[(1.0, "resolved_share"), "diff_ci_high"] < 0
    # next-try design (the default): one next-try rule on both sides, self-service counted on both (IVR, deflection)
    assert t.loc[(0.0, "contacts_per_customer"), "mean"] > 1.1  # callers try again (transfers are no new call)
    assert t.loc[(1.0, "deflected_customers"), "mean"] > 0 and t.loc[(0.0, "deflected_customers"), "mean"] == 0
    assert t.loc[(0.0, "self_served_share"), "mean"] > 0


def test_funnel_vs_social_next_try_drivers_reach_both_rows():
    """The sensitivity's next-try drivers are the named rows' keys: each reaches its own side's row only."""
    from sim.next_try import next_try_table

    mod = load_study("funnel_vs_social")
    keys = [k for k in mod.DRIVERS if k.startswith("next_try.")]
    assert sorted(keys) == sorted(f"next_try.{r}.{k}" for r in ("phone_again", "social_again")
                                  for k in ("probability", "delay.mean"))
    budget, extra = mod._overrides({"budget": 1.5, "reputation.deflection.fraction": 0.1,
                                    "next_try.phone_again.probability": 0.4,
                                    "next_try.social_again.delay.mean": "30min"})
    sc = sim.load_scenario(mod.SCENARIO, overrides={**mod.design(1.0, budget, True), **extra})
    rows = next_try_table(sc).set_index("key")
    assert rows.loc["next_try.phone_again", "probability"] == 0.4
    assert rows.loc["next_try.social_again", "probability"] == 0.8
    assert "mean 30min" in rows.loc["next_try.social_again", "delay"]
    assert "mean 3h" in rows.loc["next_try.phone_again", "delay"]
    assert mod.NEXT_TRY["next_try"]["phone_again"]["probability"] == 0.8  # the design's rows are not changed in place


def test_direct_social_resolution_ceiling_matches_unlimited_staff():
    """The exact ceiling on direct social's resolved share against a social team that never keeps anyone waiting:
    |estimate − exact| ≤ 4·SE over 20 replications, with 4·SE ≤ 2% of the exact value."""
    mod = load_study("funnel_vs_social")
    ov = mod.design(1.0)
    ov["agents.social_team.count"] = 400
    sc = sim.load_scenario(mod.SCENARIO, overrides=ov)
    exact = mod.social_resolution_ceiling(sc)
    assert 0.7 < exact < 0.8  # messaging: with nobody waiting, nobody leaves silently (resolve 0.78)
    rows = mod.replication_rows(sim.run(sc, replications=20, seed=17), sc.run.horizon_s)
    assert (rows.loc[rows.metric == "reached_human_share", "value"] == 1).all()  # nobody left waiting
    share = rows.loc[rows.metric == "resolved_share", "value"].to_numpy()
    se = share.std(ddof=1) / np.sqrt(len(share))
    assert 4 * se <= 0.02 * exact
    assert abs(share.mean() - exact) <= 4 * se
