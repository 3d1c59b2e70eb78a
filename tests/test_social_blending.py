"""Blending social work with the phone queue: independence when teams are separate, the reserve's effect when blended."""
from __future__ import annotations

import copy
import math

import numpy as np
import pandas as pd

import sim
from tests.conftest import erlang_raw, scenario

SOCIAL = {"arrivals": {"rate": "40/h"}, "message_time": {"dist": "lognormal", "mean": "2min", "cv": 0.8},
          "exchanges": {"dist": "uniform", "low": 2, "high": 4}, "silence": 0.1, "inactivity_timeout": "20min",
          "mode": "session"}  # the slot-holding model these checks were written for


def test_a_social_channel_with_its_own_team_leaves_every_phone_row_identical():
    base = erlang_raw(n=6, rate="80/h", horizon="2d", warmup="1h", reps=3, seed=9)
    both = copy.deepcopy(base)
    both["channels"]["social"] = copy.deepcopy(SOCIAL)
    both["agents"]["social"] = {"serves": ["social"], "count": 3, "concurrency": 3}
    a, b = sim.run(scenario(base)), sim.run(scenario(both))
    assert (b.contact_view()["channel"] == "social").sum() > 1000  # the social side did real work
    plain = lambda df, cols: df[cols].astype({c: object for c in cols if isinstance(df[c].dtype, pd.CategoricalDtype)})
    pa = a.contact_view()
    pb = b.contact_view()[b.contact_view()["channel"] == "phone"].reset_index(drop=True)
    pd.testing.assert_frame_equal(plain(pa, list(pa.columns)), plain(pb, list(pa.columns)))
    ia = a.intervals
    ib = b.intervals[b.intervals["channel"] == "phone"].reset_index(drop=True)
    pd.testing.assert_frame_equal(plain(ia, list(ia.columns)), plain(ib, list(ia.columns)))
    ga = a.agents
    gb = b.agents[b.agents["agent_group"] == "phone"].reset_index(drop=True)
    pd.testing.assert_frame_equal(plain(ga, list(ga.columns)), plain(gb, list(ga.columns)))


def blended_raw(reserve: int) -> dict:
    raw = erlang_raw(n=2, rate="75/h", aht="4min", patience="3min", horizon="2d", warmup="1h", reps=12, seed=21)
    raw["channels"]["social"] = copy.deepcopy(SOCIAL)
    raw["agents"]["blended"] = {"serves": ["phone", "social"], "count": 5, "concurrency": 2, "reserve": reserve}
    return raw


def test_phone_service_level_falls_as_the_reserve_shrinks():
    """Paired runs (same seed: the same callers and posts): each step down in reserve lowers the phone service level
    of every pairing on average by more than 4 standard errors, and gives the posts faster first responses."""
    sl, fr = {}, {}
    for reserve in (3, 1, 0):
        rep = sim.run(scenario(blended_raw(reserve))).replications
        rep = rep.set_index(["channel", "metric", "replication"])["value"].sort_index()
        sl[reserve] = rep.loc[("phone", "sl_offered")].to_numpy()
        fr[reserve] = rep.loc[("social", "first_response_mean_s")].to_numpy()
    for hi, lo in ((3, 1), (1, 0)):
        d = sl[hi] - sl[lo]
        se = d.std(ddof=1) / math.sqrt(len(d))
        assert d.mean() > 4 * se, f"reserve {hi} → {lo}: phone SL change {d.mean():.4f} ± {se:.4f}"
        d = fr[hi] - fr[lo]
        se = d.std(ddof=1) / math.sqrt(len(d))
        assert d.mean() > 4 * se, f"reserve {hi} → {lo}: first response change {d.mean():.1f} s ± {se:.1f}"


def test_blended_agents_take_calls_only_with_no_conversation_open_and_calls_come_first():
    raw = blended_raw(0)
    raw["channels"]["social"]["arrivals"]["rate"] = "15/h"
    raw["run"]["warmup"] = "0s"  # every contact in the table: an agent's state is known at every instant
    res = sim.run(scenario(raw), replications=[0])
    c = res.contact_view()
    blended = c[c["agent_group"] == "blended"]
    calls = blended[blended["channel"] == "phone"]
    convs = blended[blended["channel"] == "social"]
    assert len(calls) > 100 and len(convs) > 100
    horizon = 2 * 86400.0
    phone = c[c["channel"] == "phone"]
    wait_s, wait_e = phone["arrival_at_s"].to_numpy(), (phone["arrival_at_s"] + phone["wait_s"]).to_numpy()
    for agent, mine in convs.groupby("agent_id"):
        held_s, held_e = mine["answer_at_s"].to_numpy(), mine["end_at_s"].fillna(horizon).to_numpy()
        # no call while a conversation is open
        theirs = calls[calls["agent_id"] == agent]
        for a, b in zip(theirs["answer_at_s"], theirs["end_at_s"].fillna(horizon) + theirs["wrap_up_s"]):
            assert not ((held_s < b) & (held_e > a)).any()
        # a free agent (no conversation open) opens a post only when no call is waiting
        for t in held_s:
            if not ((held_s < t) & (held_e > t)).any():
                assert not ((wait_s < t) & (wait_e > t)).any()
    msg = res.messages[res.messages["stage"] == "message"]
    assert msg["open_conversations"].between(1, 2).all()


def test_an_agent_free_for_calls_opens_a_post_only_while_the_reserve_stays_free():
    raw = blended_raw(2)
    raw["channels"]["social"]["arrivals"]["rate"] = "25/h"
    raw["channels"]["phone"]["arrivals"]["rate"] = "40/h"
    raw["agents"]["blended"]["concurrency"] = 1  # every post is opened by an agent free for calls
    raw["run"]["warmup"] = "0s"  # every contact in the table: an agent's state is known at every instant
    res = sim.run(scenario(raw), replications=[0])
    c = res.contact_view()
    horizon = 2 * 86400.0
    mine = c[c["agent_group"] == "blended"]
    n = raw["agents"]["blended"]["count"]
    start = mine["answer_at_s"].to_numpy()
    end = np.where(mine["channel"] == "phone", mine["end_at_s"] + mine["wrap_up_s"], mine["end_at_s"])
    end = np.where(np.isnan(end), horizon, end)
    agent = mine["agent_id"].to_numpy()
    checked = 0
    for i in np.flatnonzero((mine["channel"] == "social").to_numpy()):
        t, a = start[i], agent[i]
        busy = (start < t) & (end > t)  # calls and conversations in progress at t (the new one excluded)
        if busy[agent == a].any():
            continue  # the agent already held a conversation: the reserve does not apply
        engaged = set(agent[busy])
        free_others = n - 1 - len(engaged - {a})
        assert free_others >= 2, f"post opened at {t:.0f}s by agent {a} with {free_others} other agents free"
        checked += 1
    assert checked > 100
