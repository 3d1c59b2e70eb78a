"""Properties of every funnel run, over generated funnels: each attempt ends in exactly one outcome, the legs of a
call follow each other without gaps, lines and agents are never over-used, attempts of a customer are linked, and
a change of staffing or routing meets the same customers (common random numbers)."""
from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from tests.conftest import erlang_raw, scenario

FAILED = {"blocked", "abandoned", "abandoned_ivr"}


@st.composite
def funnels(draw):
    raw = erlang_raw(n=1, rate=f"{draw(st.integers(30, 240))}/h", aht=f"{draw(st.integers(60, 300))}s",
                     patience=draw(st.sampled_from([None, "60s", "300s"])), horizon="5h",
                     warmup=draw(st.sampled_from(["0s", "30min"])), reps=1, seed=draw(st.integers(0, 10_000)))
    ph = raw["channels"]["phone"]
    ph["queue"] = "general"
    raw["agents"] = {"a_team": {"serves": ["a"], "count": draw(st.integers(1, 4))},
                     "b_team": {"serves": ["b"], "count": draw(st.integers(0, 3))},
                     "general": {"serves": ["general"], "count": draw(st.integers(1, 3))}}
    if draw(st.booleans()):
        raw["agents"]["a_team"]["wrap_up"] = {"dist": "exponential", "mean": "15s"}
    p = st.sampled_from([0.0, 0.05, 0.2, 0.5])
    ss = {"p": draw(p), "duration": {"dist": "exponential", "mean": "40s"}}
    ph["ivr"] = {"misroute": draw(p), "zero_out": draw(p), "hang_up": draw(p), "greeting": "3s",
                 "menu": {"options": [
                     {"label": "a", "share": 0.5, "queue": "a", **({"self_service": ss} if draw(st.booleans()) else {})},
                     {"label": "more", "share": 0.5, "menu": {"options": [
                         {"label": "b", "share": 0.6, "queue": "b"},
                         {"label": "gen", "share": 0.4, "queue": "general"}]}}]}}
    if draw(st.booleans()):
        ph["lines"] = draw(st.integers(1, 12))
    if draw(st.booleans()):
        ph["priorities"] = {"0": 0.7, "3": 0.3}
    ph["transfers"] = {"mode": draw(st.sampled_from(["cold", "warm"])), "misdiagnosis": draw(p)}
    if draw(st.booleans()):
        ph["departments"] = {"a": {"overflow_after": "40s", "overflow_to": ["general"]}}
    if draw(st.booleans()):
        ph["hold"] = {"announce_every": "30s", "abandon": 0.1}
    if draw(st.booleans()):
        ph["redials"] = {"probability": draw(st.sampled_from([0.5, 1.0])),
                         "delay": {"dist": "exponential", "mean": "10min"}, "max_attempts": 4}
    if draw(st.booleans()):
        ph["callbacks"] = {"offer_above": "30s", "accept": 0.5}
    if draw(st.booleans()):
        ph["resolution"] = {"first_contact": 0.6, "delay": {"dist": "exponential", "mean": "30min"}}
    return raw


def line_concurrency(c: pd.DataFrame, horizon: float):
    held = c[(c["outcome"] != "blocked") & (c["origin"].astype(str) != "callback")]
    start = held["arrival_at_s"].to_numpy()
    end = held["end_at_s"].fillna(horizon).to_numpy()
    return start, end


@settings(max_examples=20)
@given(raw=funnels())
def test_every_funnel_run_is_consistent(raw):
    sc = scenario(raw)
    res = sim.run(sc)
    c, legs, horizon = res.contact_view(), res.legs, sc.run.horizon_s
    ph = raw["channels"]["phone"]
    # one outcome per attempt; the interval columns count each attempt once
    assert c["outcome"].notna().all()
    iv = res.interval_view().sum(numeric_only=True)
    origin = c["origin"].astype(str)
    assert iv["attempts_count"] == (origin != "callback").sum()
    assert iv["customers_count"] == (origin == "first").sum()
    pre = c["outcome"].isin(["blocked", "abandoned_ivr", "self_served"])
    assert iv["offered"] == (~pre & (origin != "callback")).sum()
    assert iv["offered"] == iv["served"] + iv["abandoned"] + iv["open"] + iv["callbacks_count"]
    # resolution only where a call was served or self-served
    assert not (c["resolved"].fillna(False) & ~c["outcome"].isin(["served", "self_served"])).any()
    # first human before (or at) the right human; answers after arrival
    both = c.dropna(subset=["first_answer_at_s", "right_answer_at_s"])
    assert (both["first_answer_at_s"] <= both["right_answer_at_s"]).all()
    assert (c["first_answer_at_s"].dropna() >= c.loc[c["first_answer_at_s"].notna(), "arrival_at_s"]).all()

    # legs follow each other without gaps, from the arrival to the end of the call
    lg = legs.sort_values(["contact_id", "leg"])
    assert not lg.empty or c["outcome"].eq("blocked").all()
    nxt = lg.groupby("contact_id")["start_at_s"].shift(-1)
    gap = (nxt - lg["end_at_s"]).dropna()
    assert not (lg["end_at_s"].isna() & nxt.notna()).any()  # only a call's last stage may still run at the horizon
    assert np.allclose(gap, 0.0, atol=1e-6)
    first = lg.groupby("contact_id").first()
    last = lg.groupby("contact_id").last()
    byid = c.set_index("contact_id")
    assert np.allclose(first["start_at_s"], byid.loc[first.index, "arrival_at_s"])
    ended = byid.loc[last.index, "end_at_s"].notna() & last["end_at_s"].notna()
    assert np.allclose(last.loc[ended, "end_at_s"], byid.loc[last.index[ended], "end_at_s"])
    assert set(lg["contact_id"]) == set(c.loc[c["outcome"] != "blocked", "contact_id"])
    # the transfers column counts the diagnoses that ended in a transfer
    tr = lg[(lg["stage"] == "diagnosis") & (lg["result"] == "transfer")].groupby("contact_id").size()
    assert (byid["transfers"].reindex(tr.index) == tr).all()
    assert byid["transfers"].sum() == tr.sum()

    # an agent handles one call at a time (service and diagnosis, wrap-up included)
    work = lg[lg["stage"].isin(["service", "diagnosis"])].copy()
    work["until"] = work["end_at_s"].fillna(horizon) + work["wrap_up_s"]
    for _, w in work.sort_values("start_at_s").groupby(["agent_group", "agent_id"], observed=True):
        assert (w["start_at_s"].to_numpy()[1:] >= w["until"].to_numpy()[:-1] - 1e-9).all()
    # agent and queue time booked in the tables are exactly those of the legs (diagnoses and earlier visits included)
    if sc.run.warmup_s == 0:
        busy = (np.minimum(work["until"], horizon) - work["start_at_s"]).sum()
        assert np.isclose(res.agents["busy_agent_s"].sum(), busy) and np.isclose(iv["busy_agent_s"], busy)
        q = lg[lg["stage"].isin(["queue", "overflow"])]
        assert np.isclose(iv["queue_time_s"], (q["end_at_s"].fillna(horizon) - q["start_at_s"]).sum())
    # overflow: the other group answers a department's caller only after the overflow time
    if "departments" in ph:
        taken = work[(work["queue"] == "a") & (work["agent_group"] == "general")]
        over = lg[lg["stage"] == "overflow"].set_index("contact_id")["start_at_s"]
        assert taken["contact_id"].isin(over.index).all()

    # trunk lines: never more calls than lines; a busy signal only when every line is taken
    if "lines" in ph and sc.run.warmup_s == 0:
        start, end = line_concurrency(c, horizon)
        t = np.sort(np.concatenate([start, end]))
        held = np.searchsorted(np.sort(start), t, side="right") - np.searchsorted(np.sort(end), t, side="right")
        assert held.max() <= ph["lines"]
        for a in c.loc[c["outcome"] == "blocked", "arrival_at_s"]:
            assert ((start < a) & (end > a)).sum() == ph["lines"]

    # attempts of a customer are numbered in order and each follows from what the previous one led to
    cc = c.sort_values(["customer_id", "attempt"])
    prev = cc.groupby("customer_id").shift(1)
    later = cc["attempt"] > 1
    firsts = cc[~later]
    assert (firsts["origin"].astype(str) == "first").all() or sc.run.warmup_s > 0
    linked = later & prev["attempt"].notna()
    assert (cc.loc[linked, "attempt"] == prev.loc[linked, "attempt"] + 1).all()
    assert (cc.loc[linked, "origin"].astype(str) == prev.loc[linked, "followed_by"].astype(str)).all()
    assert (cc.loc[linked, "arrival_at_s"] >= prev.loc[linked, "end_at_s"] - 1e-9).all()
    follow = c["followed_by"].astype(str)
    assert c.loc[follow == "redial", "outcome"].isin(FAILED).all()
    assert (c.loc[follow == "repeat", "outcome"] == "served").all()
    assert not c.loc[follow == "repeat", "resolved"].fillna(False).any()
    assert (c.loc[follow == "callback", "outcome"] == "callback").all()
    if "redials" not in ph:
        assert (origin != "redial").all()
    if "callbacks" not in ph:
        assert (origin != "callback").all() and (c["outcome"] != "callback").all()


def test_staffing_and_routing_changes_meet_the_same_customers():
    """Who calls, when, why (department) and with which priority never depends on staffing or routing; neither does
    a first attempt's way through the IVR (without lines, nothing before the IVR depends on the others)."""
    raw = erlang_raw(n=1, rate="150/h", horizon="6h", reps=2, seed=21)
    ph = raw["channels"]["phone"]
    ph["queue"] = "general"
    ph["ivr"] = {"misroute": 0.1, "zero_out": 0.05, "hang_up": 0.05, "menu": {"options": [
        {"share": 0.5, "queue": "a", "self_service": {"p": 0.3, "duration": {"dist": "exponential", "mean": "30s"}}},
        {"share": 0.5, "queue": "b"}]}}
    ph["priorities"] = {"0": 0.8, "2": 0.2}
    ph["redials"] = {}
    ph["resolution"] = {}
    raw["agents"] = {"a": {"serves": ["a"], "count": 2}, "b": {"serves": ["b"], "count": 2},
                     "general": {"serves": ["general"], "count": 1}}
    base = sim.run(scenario(raw)).contact_view()
    other = {**raw, "agents": {"a": {"serves": ["a"], "count": 5}, "b": {"serves": ["b"], "count": 1},
                               "general": {"serves": ["general", "a"], "count": 2}}}
    other["channels"] = {"phone": {**ph, "transfers": {"mode": "warm", "misdiagnosis": 0.3},
                                   "departments": {"b": {"overflow_after": "20s", "overflow_to": ["general"]}}}}
    alt = sim.run(scenario(other)).contact_view()
    cols = ["replication", "contact_id", "arrival_at_s", "department", "priority", "ivr_s", "misrouted", "zero_out"]
    f0 = base[base["origin"].astype(str) == "first"][cols].reset_index(drop=True)
    f1 = alt[alt["origin"].astype(str) == "first"][cols].reset_index(drop=True)
    pd.testing.assert_frame_equal(f0, f1)
    ivr_end = ["self_served", "abandoned_ivr"]
    assert (base.loc[base["origin"].astype(str) == "first", "outcome"].isin(ivr_end).to_numpy()
            == alt.loc[alt["origin"].astype(str) == "first", "outcome"].isin(ivr_end).to_numpy()).all()
    # ... while what happens to them afterwards does change
    assert not base["wait_s"].reset_index(drop=True).equals(alt["wait_s"].reset_index(drop=True))
