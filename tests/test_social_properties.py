"""Properties of every run with social and email channels, over generated scenarios: capacity (no agent holds more than
k conversations or works two messages at once, a blended agent never takes a call with a conversation open), one
outcome per post, think time never booked as work, the slowdown rule, and customers that do not depend on staffing."""
from __future__ import annotations

import copy

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim.outcomes import OUTCOMES
from tests.conftest import scenario

HORIZON_S = 6 * 3600.0


@st.composite
def social_scenarios(draw):
    k = draw(st.integers(1, 4))
    slowdown = draw(st.sampled_from([0.0, 0.18, 0.5]))
    exchanges = draw(st.sampled_from([1, 3, {"dist": "uniform", "low": 1, "high": 5},
                                      {"dist": "geometric", "mean": 2.5}]))
    social = {
        "arrivals": {"rate": f"{draw(st.integers(5, 60))}/h"},
        "message_time": draw(st.sampled_from([{"dist": "exponential", "mean": "3min"},
                                              {"dist": "lognormal", "mean": "2min", "cv": 1.2}])),
        "exchanges": exchanges,
        "mode": "session",  # the slot-holding model (messaging: tests/test_social_messaging.py)
        "think_time": {"dist": "lognormal", "mean": "4min", "cv": 1.5},
        "silence": draw(st.sampled_from([0.0, 0.2])),
        "to_dm": draw(st.sampled_from([0.0, 0.5])),
        "inactivity_timeout": draw(st.sampled_from(["5min", "30min"])),
        "triage": {"answer": draw(st.sampled_from(["all", "complaints", 0.5, {"complaint": 0.9, "question": 0.4}])),
                   "order": draw(st.sampled_from(["fifo", "reach", "kind", "target", "newest"]))},
    }
    if draw(st.booleans()):
        social["patience"] = {"dist": "exponential", "mean": "20min"}
    if draw(st.booleans()):
        social["triage"]["expire_after"] = "40min"
    channels = {"social": social,
                "phone": {"arrivals": {"rate": f"{draw(st.integers(0, 40))}/h"},
                          "handle_time": {"dist": "exponential", "mean": "4min"},
                          "patience": {"dist": "exponential", "mean": "3min"}}}
    agents = {"phone": {"serves": ["phone"], "count": draw(st.integers(0, 3))}}
    blended = draw(st.booleans())
    serves = ["phone", "social"] if blended else ["social"]
    if draw(st.booleans()):
        channels["email"] = {"arrivals": {"rate": f"{draw(st.integers(1, 20))}/h"},
                             "message_time": {"dist": "exponential", "mean": "5min"}, "mode": "session"}
        serves.insert(draw(st.integers(0, len(serves))), "email")
    team = {"serves": serves, "concurrency": k, "concurrency_slowdown": slowdown}
    if draw(st.booleans()):  # seats change every 30 minutes, including drops to zero
        team["count"] = draw(st.lists(st.integers(0, 4), min_size=12, max_size=12))
        team["interval"] = "30min"
        if blended:
            team["count"][0] = max(team["count"][0], 1)
    else:
        team["count"] = draw(st.integers(1, 4))
    if blended:
        top = max(team["count"]) if isinstance(team["count"], list) else team["count"]
        if top > 1:
            team["reserve"] = draw(st.integers(0, top - 1))
    agents["team"] = team
    return {"schema": 1, "run": {"horizon": "6h", "warmup": "0s", "replications": 1,
                                 "seed": draw(st.integers(0, 10_000))},
            "channels": channels, "agents": agents}


def spans_max_overlap(start: np.ndarray, end: np.ndarray) -> int:
    """Largest number of half-open intervals [start, end) covering one instant."""
    if len(start) == 0:
        return 0
    t = np.concatenate([start, end])
    d = np.concatenate([np.ones(len(start)), -np.ones(len(end))])
    order = np.lexsort((d, t))  # at equal times, ends (−1) before starts
    return int(np.max(np.cumsum(d[order])))


@settings(max_examples=25, deadline=None)
@given(raw=social_scenarios())
def test_capacity_outcomes_and_work(raw):
    sc = scenario(raw)
    res = sim.run(sc)
    c, legs, k = res.contact_view(), res.messages, raw["agents"]["team"]["concurrency"]
    slowdown = raw["agents"]["team"]["concurrency_slowdown"]
    conv = c[c["channel"].isin(["social", "email"])]
    # every contact one outcome from the closed set, and the interval table counts each once
    assert c["outcome"].notna().all() and set(c["outcome"].astype(str)) <= set(OUTCOMES)
    assert res.intervals["offered"].sum() == len(c)
    out = conv["outcome"].astype(str)
    opened = conv["answer_at_s"].notna()
    assert not opened[out.isin(["ignored", "abandoned"])].any()
    assert (conv.loc[out == "served", "exchanges"] == conv.loc[out == "served", "exchanges_planned"]).all()
    assert (conv.loc[out == "silent", "exchanges"] < conv.loc[out == "silent", "exchanges_planned"]).all()
    assert conv.loc[out == "served", "resolved"].notna().all() and not conv.loc[out == "silent", "resolved"].any()
    assert (conv["exchanges"] <= conv["exchanges_planned"]).all()
    # the first response is the end of the first agent message
    first = legs[(legs["stage"] == "message") & (legs["leg"] == 0)].set_index("contact_id")["end_at_s"]
    done = conv.dropna(subset=["first_response_s"]).set_index("contact_id")
    np.testing.assert_allclose(done["first_response_s"], first.loc[done.index] - done["arrival_at_s"], atol=1e-6)

    msg = legs[legs["stage"] == "message"]
    for (grp, agent), m in msg.groupby(["agent_group", "agent_id"], observed=True):
        # one message at a time per agent (in hand at the horizon: until the horizon)
        end = m["end_at_s"].fillna(HORIZON_S).to_numpy()
        assert spans_max_overlap(m["start_at_s"].to_numpy(), end) <= 1
        # no call taken while writing, nor while any conversation is open (phone is synchronous)
        mine = c[(c["agent_group"] == grp) & (c["agent_id"] == agent)]
        calls = mine[mine["channel"] == "phone"]
        held = mine[mine["channel"] != "phone"]
        call_end = calls["end_at_s"].fillna(HORIZON_S) + calls["wrap_up_s"]
        held_end = held["end_at_s"].fillna(HORIZON_S)
        assert spans_max_overlap(held["answer_at_s"].to_numpy(), held_end.to_numpy()) <= k
        both_s = np.concatenate([calls["answer_at_s"], held["answer_at_s"]])
        both_e = np.concatenate([np.minimum(call_end, HORIZON_S), held_end])
        if len(calls):
            # each call overlaps no conversation: the pooled maximum is 1 around every call
            for a, b in zip(calls["answer_at_s"], np.minimum(call_end, HORIZON_S)):
                inside = (both_s < b) & (both_e > a)
                assert inside.sum() == 1

    # think time is never work: a post's work is the sum of its message legs, and each message lasted its drawn
    # base time × (1 + s·(m − 1)), m = open conversations when it started
    finished = msg.dropna(subset=["end_at_s"])
    work = (finished["end_at_s"] - finished["start_at_s"]).groupby(finished["contact_id"]).sum()
    np.testing.assert_allclose(conv.set_index("contact_id").loc[work.index, "work_s"], work, rtol=1e-9, atol=1e-6)
    base = (finished["end_at_s"] - finished["start_at_s"]) / (1 + slowdown * (finished["open_conversations"] - 1))
    served = conv[out == "served"].set_index("contact_id")
    np.testing.assert_allclose(base.groupby(finished["contact_id"]).sum().loc[served.index], served["base_work_s"],
                               rtol=1e-9)
    assert (msg["open_conversations"].between(1, k)).all()
    # replies sit between two agent messages of the same post: the customer thinks while the agent does other work
    rep = legs[legs["stage"] == "reply"]
    prev = legs.set_index(["contact_id", "leg"])["end_at_s"]
    np.testing.assert_allclose(rep["start_at_s"], prev.loc[list(zip(rep["contact_id"], rep["leg"] - 1))].to_numpy())
    # busy agent time = messages + calls, never think time (window [0, horizon), no warm-up)
    call = c[(c["channel"] == "phone") & c["answer_at_s"].notna()]
    expect = (np.minimum(msg["end_at_s"].fillna(HORIZON_S), HORIZON_S) - msg["start_at_s"]).sum() + \
        (np.minimum(call["end_at_s"].fillna(HORIZON_S) + call["wrap_up_s"], HORIZON_S) - call["answer_at_s"]).sum()
    assert np.isclose(res.agents["busy_agent_s"].sum(), expect, rtol=1e-9, atol=1e-6)


@settings(max_examples=10, deadline=None)
@given(raw=social_scenarios(), extra=st.integers(1, 3), k2=st.integers(1, 4))
def test_staffing_never_changes_who_posts_or_what_they_write(raw, extra, k2):
    """Common random numbers: another staffing or concurrency meets the same posts with the same attributes."""
    other = copy.deepcopy(raw)
    team = other["agents"]["team"]
    team["count"] = [x + extra for x in team["count"]] if isinstance(team["count"], list) else team["count"] + extra
    team["concurrency"] = k2
    cols = ["contact_id", "channel", "arrival_at_s", "kind", "reach", "public", "to_dm", "exchanges_planned",
            "base_work_s"]
    a = sim.run(scenario(raw)).contact_view()
    b = sim.run(scenario(other)).contact_view()
    a, b = (x[x["channel"] != "phone"][cols].sort_values("contact_id").reset_index(drop=True) for x in (a, b))
    pd.testing.assert_frame_equal(a, b)
