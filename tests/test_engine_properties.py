"""Properties of every run, over generated scenarios: conservation, causality, capacity, reproducibility, stream
independence."""
from __future__ import annotations

import copy

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from tests.conftest import erlang_raw, scenario


@st.composite
def scenarios(draw):
    raw = erlang_raw(n=draw(st.integers(1, 6)), rate=f"{draw(st.integers(5, 120))}/h",
                     aht=f"{draw(st.integers(30, 600))}s",
                     patience=draw(st.one_of(st.none(), st.sampled_from(["30s", "120s", "600s"]))),
                     horizon="6h", warmup=draw(st.sampled_from(["0s", "30min"])), reps=2,
                     seed=draw(st.integers(0, 10_000)))
    if draw(st.booleans()):  # seats change every 30 minutes, including drops to zero
        raw["agents"]["phone"].pop("count")
        raw["agents"]["phone"]["count"] = draw(st.lists(st.integers(0, 6), min_size=12, max_size=12))
        raw["agents"]["phone"]["interval"] = "30min"
    if draw(st.booleans()):
        raw["agents"]["phone"]["wrap_up"] = {"dist": "exponential", "mean": "20s"}
    if draw(st.booleans()):
        raw["channels"]["phone"]["handle_time"] = {"dist": "lognormal", "mean": "3min", "cv": 1.5}
    if draw(st.booleans()):
        raw["channels"]["phone"]["open"] = "01:00-04:30"
    return raw


def seated(sc, t: np.ndarray) -> np.ndarray:
    return sc.agents["phone"].count.value_at(t, sc.calendar)


@settings(max_examples=30)
@given(raw=scenarios())
def test_every_run_conserves_contacts_and_respects_capacity(raw):
    sc = scenario(raw)
    res = sim.run(sc)
    c = res.contacts
    counts = c["outcome"].value_counts()
    # conservation: every contact has exactly one outcome, and the interval table counts each once
    assert counts.sum() == len(c) == res.intervals["offered"].sum()
    iv = res.intervals.sum(numeric_only=True)
    assert iv["offered"] == iv["served"] + iv["abandoned"] + iv["open"]
    assert iv["answered"] == iv["served"] + ((c["outcome"] == "open") & c["answer_at_s"].notna()).sum()
    # causality and non-negative durations
    assert (c["wait_s"] >= 0).all()
    ans = c.dropna(subset=["answer_at_s"])
    assert (ans["answer_at_s"] >= ans["arrival_at_s"]).all()
    done = c.dropna(subset=["end_at_s"])
    assert (done["end_at_s"] >= done["arrival_at_s"]).all()
    if sc.channels["phone"].patience is None:
        assert counts.get("abandoned", 0) == 0
    if sc.channels["phone"].open_hours is not None:
        clock = np.mod(c["arrival_at_s"], 86400)
        assert ((clock >= 3600) & (clock < 4.5 * 3600)).all()
    # no agent holds two contacts at once (service + wrap-up), and no more agents busy than seated at any start
    horizon = sc.run.horizon_s
    for _rep, df in c.dropna(subset=["answer_at_s"]).groupby("replication"):
        busy_end = df["end_at_s"].fillna(horizon) + df["wrap_up_s"]
        for _, a in df.assign(busy_end=busy_end).sort_values("answer_at_s").groupby(["agent_group", "agent_id"], observed=True):
            assert (a["answer_at_s"].to_numpy()[1:] >= a["busy_end"].to_numpy()[:-1] - 1e-9).all()
        starts = df["answer_at_s"].to_numpy()
        s_all, e_all = starts, busy_end.to_numpy()
        busy_at_start = np.array([np.sum((s_all <= t) & (e_all > t)) for t in starts])
        assert (busy_at_start <= seated(sc, starts)).all()


@settings(max_examples=10)
@given(raw=scenarios())
def test_same_seed_gives_identical_tables(raw):
    a, b = sim.run(scenario(raw)), sim.run(scenario(raw))
    pd.testing.assert_frame_equal(a.contacts, b.contacts)
    pd.testing.assert_frame_equal(a.intervals, b.intervals)
    pd.testing.assert_frame_equal(a.summary, b.summary)


@settings(max_examples=10)
@given(raw=scenarios())
def test_replication_alone_equals_replication_in_a_run(raw):
    sc = scenario(raw)
    both, alone = sim.run(sc, replications=2), sim.run(sc, replications=[1])
    pd.testing.assert_frame_equal(both.contacts[both.contacts.replication == 1].reset_index(drop=True),
                                  alone.contacts, check_categorical=False)


@settings(max_examples=10)
@given(raw=scenarios())
def test_an_unrelated_channel_and_group_leave_every_phone_row_unchanged(raw):
    base = sim.run(scenario(raw)).contacts
    more = copy.deepcopy(raw)
    more["channels"]["chat"] = {"mode": "queue", "arrivals": {"rate": "40/h"}, "handle_time": {"dist": "gamma", "mean": "6min", "cv": 0.7},
                                "patience": {"dist": "exponential", "mean": "10min"}}
    more["agents"]["chat_team"] = {"serves": ["chat"], "count": 3, "wrap_up": {"dist": "exponential", "mean": "1min"}}
    more["agents"]["backup"] = {"serves": ["chat"], "count": 1}
    mixed = sim.run(scenario(more)).contacts
    phone = mixed[mixed.channel == "phone"].reset_index(drop=True)
    assert (mixed.channel == "chat").sum() > 0
    pd.testing.assert_frame_equal(base.reset_index(drop=True), phone, check_categorical=False)
