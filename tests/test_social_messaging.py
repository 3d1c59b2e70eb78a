"""Asynchronous messaging (sim.social.messaging): checks against exact results, sample-path identities, paired
direction checks and conservation, for social and chat.

- Jackson-network reducing case: constant arrivals, exponential reply work and think time, a geometric number of
  customer messages (another after each reply with probability p), no cap, no affinity, no slowdown, no patience, FCFS.
  The queue of messages is then M/M/c at rate λ/(1 − p): the wait of a message (entry to the start of its reply) has
  P(wait > 0) = C(c, R) and mean C/(cμ − λ/(1 − p)) (Erlang C). Checked at two loads.
- Silent abandonment alone, one message per thread: the customer leaves when the wait exceeds an exponential reply
  patience (rate θ) and the reply is still written, so the queue stays M/M/c and P(silent) = ∫ P(patience < w) dW(w)
  = C·θ/(cμ − λ + θ).
- Busy time equals the sum of reply work; no agent is busy during think time; at most one reply in hand per agent.
The statistical checks are powered: one long replication each, batch means with control variates, and each asserts
|estimate − exact| ≤ 4·SE and SE ≤ 0.5% of the exact value (the SE measured for each is written beside it; the table
is in docs/social.md).
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim.analytic.erlang_c import erlang_c
from sim.engine import Model
from sim.errors import ScenarioError
from sim.social.posts import PostFactory
from sim.social.spec import conversation_spec, desk_spec
from sim.streams import Streams
from tests.conftest import scenario


def messaging_raw(agents=3, rate="100/h", work="60s", p=0.0, think="3min", k="unlimited", slowdown=0.0,
                  window="0s", patience=None, horizon="30d", warmup="1d", reps=8, seed=11, unconfirmed=0.0) -> dict:
    """A social-only messaging desk with constant arrivals around the clock."""
    needed = 1 if p == 0 else {"dist": "geometric", "mean": 1 / (1 - p)}
    ch = {"arrivals": {"rate": rate}, "message_time": {"dist": "exponential", "mean": work},
          "replies_needed": needed, "think_time": {"dist": "exponential", "mean": think}, "resolve": 1.0,
          "affinity_window": window, "unconfirmed": unconfirmed, "public": 0.0,
          "targets": {"answer_within": "60min", "service_level": 0.8}}
    if patience is not None:
        ch["reply_patience"] = {"dist": "exponential", "mean": patience}
    return {"schema": 1, "run": {"horizon": horizon, "warmup": warmup, "replications": reps, "seed": seed,
                                 "interval": "1d"},
            "channels": {"social": ch},
            "agents": {"team": {"serves": ["social"], "count": agents, "concurrency": k,
                                "concurrency_slowdown": slowdown}}}


def message_waits(res, warmup: float) -> pd.DataFrame:
    legs = res.messages
    m = legs[(legs["stage"] == "message") & (legs["ready_at_s"] >= warmup)].copy()
    m["wait_s"] = m["start_at_s"] - m["ready_at_s"]
    return m


# --- powered exact checks: one long replication each, batch means with control variates ----------------------------
# Each check runs one replication of a fast desk (one agent, no cap, no affinity, no slowdown) long enough for the SE
# to expose a 2% error: SE ≤ 0.5% of the exact value, |estimate − exact| ≤ 4·SE. The SE comes from batch means
# (60 batches by clock time after a warm-up) with regression control variates — the batch's mean reply work and its
# message arrival rate, whose exact means are known (Lavenberg & Welch 1981) — which cut the variance 2–4 times.
MU, BATCHES = 1 / 60.0, 60


def long_run(raw: dict) -> dict[str, pd.DataFrame]:
    """The record book's tables of replication 0 (before the warm-up is cut and the run's tables are built: cheaper for
    long runs)."""
    return Model(scenario(raw), 0, raw["run"]["seed"]).run().frames()


def batch_index(t: np.ndarray, start: float, end: float) -> np.ndarray:
    return np.clip(((t - start) / (end - start) * BATCHES).astype(np.int64), 0, BATCHES - 1)


def controlled_mean(idx: np.ndarray, x: np.ndarray, controls: list[tuple[np.ndarray, float]]) -> tuple[float, float]:
    """(estimate, SE) of E[x] from batch means of x, with batch means of the controls (values, exact mean) as
    regression control variates."""
    n = np.bincount(idx, minlength=BATCHES)
    y = np.bincount(idx, x, BATCHES) / n
    a = np.column_stack([np.ones(BATCHES)] + [np.bincount(idx, v, BATCHES) / n - m for v, m in controls])
    coef, *_ = np.linalg.lstsq(a, y, rcond=None)
    r = y - a @ coef
    se = math.sqrt(float(r @ r) / (BATCHES - a.shape[1]) * np.linalg.inv(a.T @ a)[0, 0])
    return float(coef[0]), se


def powered(name: str, est: float, se: float, exact: float, power: float = 0.005) -> None:
    assert abs(est - exact) <= 4 * se, f"{name}: simulated {est:.6g} ± {se:.3g} (SE), exact {exact:.6g}"
    assert se <= power * abs(exact), f"{name}: SE {se:.3g} is {se / abs(exact):.2%} of {exact:.6g}"


def _jackson(rho: float, messages: int, seed: int) -> None:
    """Jackson-network reducing case at load ρ with one agent: a message's wait is that of M/M/1 (Erlang C, c = 1) at
    λ/(1 − p): P(wait > 0) = C, mean wait C/(cμ − λ/(1 − p)). The mean wait is estimated by its conditional
    expectation given the messages in the system when a message enters its queue, E[W | N] = (N − c + 1)⁺/(cμ)
    (FCFS, exponential reply work; an entering message sees the time-stationary N in an open Jackson network); the
    sample mean of the waits themselves is checked too, at its own, somewhat larger, SE."""
    c, p, warm = 1, 0.5, 6 * 3600.0
    lam_msgs = rho * c * MU  # messages per second into the queue
    horizon = warm + messages / lam_msgs
    raw = messaging_raw(agents=c, rate=f"{lam_msgs * (1 - p) * 3600:.10g}/h", p=p, think="1h", reps=1, seed=seed,
                        horizon=f"{horizon:.0f}s", warmup=f"{warm:.0f}s")
    legs = long_run(raw)["messages"]
    m = legs[legs["stage"] == "message"]
    ready, start, end = (m[k].to_numpy(float) for k in ("ready_at_s", "start_at_s", "end_at_s"))
    ok = (ready >= warm) & ~np.isnan(end)
    t, wait, work = ready[ok], (start - ready)[ok], (end - start)[ok]
    n_in = np.searchsorted(np.sort(ready), t, "left") - np.searchsorted(np.sort(np.nan_to_num(end, nan=np.inf)), t,
                                                                          "right")
    idx = batch_index(t, warm, horizon)
    counts = np.bincount(idx, minlength=BATCHES)
    per_batch_rate = (counts / ((horizon - warm) / BATCHES))[idx]  # each message carries its batch's arrival rate
    controls = [(work, 1 / MU), (per_batch_rate, lam_msgs)]
    cw = erlang_c(c, lam_msgs / MU)
    exact_wait = cw / (c * MU - lam_msgs)
    powered(f"P(wait > 0) at ρ = {rho}", *controlled_mean(idx, (wait > 1e-9).astype(float), controls), cw)
    powered(f"mean wait at ρ = {rho}", *controlled_mean(idx, np.maximum(n_in - c + 1, 0) / (c * MU), controls),
            exact_wait)
    powered(f"mean of the waits at ρ = {rho}", *controlled_mean(idx, wait, controls), exact_wait, power=0.0075)


def test_message_wait_is_erlang_c_at_lambda_over_one_minus_p_low_load():
    # measured: P(wait > 0) SE 0.29% of C, mean wait SE 0.43%, mean of the waits SE 0.56% (400,000 messages)
    _jackson(0.3, 400_000, seed=3)


def test_message_wait_is_erlang_c_at_lambda_over_one_minus_p_moderate_load():
    # measured: P(wait > 0) SE 0.16% of C, mean wait SE 0.44%, mean of the waits SE 0.51% (450,000 messages)
    _jackson(0.5, 450_000, seed=4)


def test_the_number_of_customer_messages_per_thread_is_geometric():
    p = 0.5
    res = sim.run(scenario(messaging_raw(agents=2, rate="30/h", p=p, horizon="4d", reps=1, seed=6)))
    conv = res.contact_view()[(res.contact_view()["channel"] == "social") & (res.contact_view()["outcome"] == "served")]
    k = conv["customer_messages"].astype(float)
    se = k.std(ddof=1) / math.sqrt(len(k))
    assert abs(k.mean() - 1 / (1 - p)) <= 4 * se and len(k) > 2000


# --- silent abandonment ----------------------------------------------------------------------------------------
def test_silent_share_is_the_patience_integral_over_the_erlang_c_wait():
    """One message per thread, exponential reply patience (rate θ): the reply is still written, so the queue stays
    M/M/1 and P(silent) = ∫ P(patience < w) dW(w) = C·θ/(cμ − λ + θ)."""
    c, rho, patience, warm, threads = 1, 0.5, 60.0, 3600.0, 200_000
    lam = rho * c * MU
    horizon = warm + threads / lam
    raw = messaging_raw(agents=c, rate=f"{lam * 3600:.10g}/h", patience=f"{patience}s", reps=1, seed=5,
                        horizon=f"{horizon:.0f}s", warmup=f"{warm:.0f}s")
    out = long_run(raw)
    con = pd.DataFrame({k: out["contacts"][k] for k in ("arrival_at_s", "outcome", "channel")})
    legs = out["messages"]
    m = legs[legs["stage"] == "message"]
    keep = ((con["channel"] == "social") & (con["arrival_at_s"] >= warm) & (con["outcome"] != "open")).to_numpy()
    t = con["arrival_at_s"].to_numpy(float)[keep]
    silent = (con["outcome"].astype(str).to_numpy()[keep] == "silent").astype(float)
    work = (m["end_at_s"] - m["start_at_s"]).to_numpy(float)
    first = pd.Series(work, index=m["contact_id"].to_numpy()).groupby(level=0).first()
    ids = np.asarray(out["contacts"]["contact_id"])[keep]
    idx = batch_index(t, warm, horizon)
    counts = np.bincount(idx, minlength=BATCHES)
    rate = (counts / ((horizon - warm) / BATCHES))[idx]
    controls = [(first.reindex(ids).fillna(1 / MU).to_numpy(), 1 / MU), (rate, lam)]
    theta = 1 / patience
    exact = erlang_c(c, lam / MU) * theta / (c * MU - lam + theta)
    # measured: SE 0.37% of the exact 1/3 (200,000 threads)
    powered("P(silent)", *controlled_mean(idx, silent, controls), exact)


def test_wasted_replies_are_the_silent_customers_replies():
    c, lam = 2, 0.7 * 2 * MU
    res = sim.run(scenario(messaging_raw(agents=c, rate=f"{lam * 3600:.10g}/h", patience="300s", horizon="2d",
                                         reps=1, seed=5)))
    conv = res.contact_view()[(res.contact_view()["channel"] == "social") & (res.contact_view()["outcome"] != "open")]
    silent = conv[conv["outcome"] == "silent"]
    # every silent customer's reply was still written and counted as wasted work; nobody else's was
    # (a customer still waiting at the horizon has left silently but has no reply yet)
    assert len(silent) > 100
    assert (silent["wasted_replies"] == silent["exchanges"]).all() and silent["exchanges"].max() == 1
    assert (conv.loc[conv["outcome"] != "silent", "wasted_replies"] == 0).all()
    assert np.allclose(silent["wasted_work_s"], silent["work_s"])
    wasted = res.messages[res.messages["result"] == "wasted"]
    assert len(wasted) == int(silent["wasted_replies"].sum())


# --- sample-path identities ------------------------------------------------------------------------------------
def test_agents_are_busy_only_on_reply_work():
    raw = messaging_raw(agents=2, rate="40/h", p=0.7, think="10min", k=4, slowdown=0.18, window="20min",
                        patience="30min", horizon="2d", warmup="0s", reps=2, unconfirmed=0.3)
    res = sim.run(scenario(raw))
    legs = res.messages
    msg = legs[legs["stage"] == "message"]
    horizon = 2 * 86400.0
    work = (msg["end_at_s"].fillna(horizon).clip(upper=horizon) - msg["start_at_s"]).groupby(msg["replication"]).sum()
    busy = res.agents.groupby("replication")["busy_agent_s"].sum()
    assert np.allclose(busy.to_numpy(), work.to_numpy(), rtol=1e-9)
    # no agent works two replies at once, and no reply overlaps its own customer's think time
    for (_, _, _), g in msg.groupby(["replication", "agent_group", "agent_id"]):
        s = g.sort_values("start_at_s")
        assert (s["start_at_s"].to_numpy()[1:] >= s["end_at_s"].to_numpy()[:-1] - 1e-9).all()
    think = legs[legs["stage"] == "reply"]
    for (_, cid), g in pd.concat([msg, think]).groupby(["replication", "contact_id"]):
        s = g.sort_values("start_at_s")
        assert (s["start_at_s"].to_numpy()[1:] >= s["end_at_s"].fillna(np.inf).to_numpy()[:-1] - 1e-9).all(), cid
    # the threads held never exceed the cap, and the slowdown uses them: work = base × (1 + 0.18·(m − 1))
    assert msg["open_conversations"].between(1, 4).all()


def test_every_thread_ends_in_exactly_one_final_state():
    for seed, patience, unconfirmed in ((1, "20min", 0.5), (2, None, 0.0), (3, "5min", 1.0)):
        raw = messaging_raw(agents=2, rate="50/h", p=0.6, think="8min", k=3, slowdown=0.18, window="15min",
                            patience=patience, horizon="2d", warmup="0s", reps=1, seed=seed, unconfirmed=unconfirmed)
        raw["channels"]["social"]["triage"] = {"answer": 0.9, "expire_after": "6h"}
        raw["channels"]["social"]["resolve"] = 0.8
        c = sim.run(scenario(raw)).contact_view()
        c = c[c["channel"] == "social"]
        final_states(c)
        out = c["outcome"].astype(str)
        res = c["resolution"].astype(object)
        served = out == "served"
        # resolved confirmed / unconfirmed only among served; served = resolved (either) or unresolved
        assert res[~served].isna().all()
        assert (c.loc[res.notna().to_numpy(), "resolved"] == True).all()  # noqa: E712
        assert (c.loc[(served & res.isna()).to_numpy(), "resolved"] == False).all()  # noqa: E712
        assert (c.loc[out == "silent", "silent_at_s"].notna()).all()
        assert c.loc[out != "silent", "silent_at_s"].isna().all()
        if unconfirmed == 1.0:
            assert (res.dropna() == "unconfirmed").all()
        if unconfirmed == 0.0:
            assert (res.dropna() == "confirmed").all()
        if patience is None:
            assert (out != "silent").all()


def final_states(c: pd.DataFrame) -> pd.Series:
    """Each conversation's one final state, checked against the record's own times and counts: resolved confirmed,
    resolved unconfirmed, unresolved (served), silent, ignored or open at the horizon."""
    out = c["outcome"].astype(str)
    res = c["resolution"].astype(object)
    served, silent = out == "served", out == "silent"
    assert out.isin(["served", "silent", "ignored", "open"]).all()
    assert c["end_at_s"][~(out == "open")].notna().all() and c["end_at_s"][out == "open"].isna().all()
    assert (c.loc[served, "exchanges"] == c.loc[served, "exchanges_planned"]).all()  # every reply the issue needed
    assert np.allclose(c.loc[silent, "end_at_s"], c.loc[silent, "silent_at_s"])  # ended when the customer left
    assert (c.loc[out == "ignored", "exchanges"] == 0).all()  # nobody replied
    return pd.Series(np.where(served & res.notna().to_numpy(), "resolved " + res.astype(str),
                              np.where(served, "unresolved", out)), index=c.index)


@pytest.mark.parametrize("kind", ["social", "chat"])
def test_every_customer_ends_once_whatever_the_staffing(kind):
    """Conservation: every conversation that arrived is one row with one final state, and the same customers arrive
    with 2 or 3 agents (common random numbers): the states change, not who is counted."""
    ids, states = [], []
    for agents in (2, 3):
        raw = messaging_raw(agents=agents, rate="50/h", p=0.6, think="4min", k=3, slowdown=0.18, window="10min",
                            patience="30min", horizon="1d", warmup="0s", reps=1, seed=12, unconfirmed=0.4)
        if kind == "chat":
            raw["channels"] = {"chat": {**raw["channels"].pop("social"), "think_time": {"dist": "exponential",
                                                                                         "mean": "40s"}}}
            raw["channels"]["chat"].pop("public")
            raw["agents"]["team"]["serves"] = ["chat"]
        raw["channels"][kind]["triage"] = {"answer": 0.9, "expire_after": "6h"}
        raw["channels"][kind]["resolve"] = 0.8
        c = sim.run(scenario(raw)).contact_view()
        c = c[c["channel"] == kind]
        assert c["contact_id"].is_unique
        ids.append(set(c["contact_id"]))
        states.append(final_states(c).value_counts())
    assert ids[0] == ids[1] and len(ids[0]) > 800
    assert states[0].sum() == states[1].sum() == len(ids[0])
    assert states[1].get("silent", 0) < states[0].get("silent", 0)  # a third agent: fewer leave silently


# --- paired direction checks (common random numbers) -----------------------------------------------------------
def test_more_agents_give_a_shorter_first_response():
    kw = dict(rate="60/h", p=0.6, think="5min", k=5, slowdown=0.18, window="15min", patience="2h", horizon="2d",
              warmup="0s", reps=4, seed=8)
    base, more = messaging_raw(agents=2, **kw), messaging_raw(agents=3, **kw)
    fr = lambda raw: sim.run(scenario(raw)).replications.query(  # noqa: E731
        "channel == 'social' and metric == 'first_response_mean_s'").set_index("replication")["value"]
    d = fr(base) - fr(more)
    assert (d > 0).all(), d.to_dict()


def test_shorter_reply_patience_lowers_confirmed_resolution():
    kw = dict(agents=2, rate="60/h", p=0.6, think="5min", k=5, slowdown=0.18, window="15min", horizon="2d",
              warmup="0s", reps=4, seed=9, unconfirmed=0.3)

    def confirmed(patience):
        r = sim.run(scenario(messaging_raw(patience=patience, **kw))).replications
        return r.query("channel == 'social' and metric == 'resolved_confirmed_share'").set_index("replication")["value"]
    d = confirmed("6h") - confirmed("20min")
    assert (d > 0).all(), d.to_dict()


# --- keys, defaults and draws ----------------------------------------------------------------------------------
def test_messaging_is_the_default_with_its_documented_defaults():
    raw = messaging_raw()
    for key in ("affinity_window", "unconfirmed", "replies_needed"):
        raw["channels"]["social"].pop(key)
    raw["agents"]["team"].pop("concurrency")
    sc = scenario(raw)
    spec = conversation_spec(sc.channels["social"])
    assert spec.messaging and spec.reply_patience is None and spec.unconfirmed == 0.5
    assert spec.affinity_window_s == 900.0 and spec.exchanges.mean == 4.5 and spec.silence == 0.0
    assert desk_spec(sc.agents["team"], messaging=True).concurrency == 5


def test_keys_of_the_other_mode_are_refused_with_the_key_named():
    raw = messaging_raw(patience="1h")
    raw["channels"]["social"].update({"silence": 0.1, "inactivity_timeout": "1h",
                                      "patience": {"dist": "exponential", "mean": "1h"}, "exchanges": 2})
    with pytest.raises(ScenarioError) as e:
        scenario(raw, source="scenarios/x.toml")
    text = str(e.value)
    for key in ("silence", "inactivity_timeout", "patience", "replies_needed"):
        assert f"scenarios/x.toml: channels.social.{key}: expected" in text, (key, text)
    raw = messaging_raw(patience="1h")
    raw["channels"]["social"]["mode"] = "session"
    with pytest.raises(ScenarioError) as e:
        scenario(raw, source="scenarios/x.toml")
    for key in ("reply_patience", "unconfirmed", "affinity_window"):
        assert f"channels.social.{key}: expected mode = \"messaging\"" in str(e.value)
    raw = messaging_raw()
    raw["channels"]["social"]["mode"] = "async"
    with pytest.raises(ScenarioError, match="channels.social.mode: expected \"messaging\""):
        scenario(raw)


def test_reply_patience_and_confirmations_are_drawn_per_message_and_per_thread():
    n = 200_000
    sc = scenario(messaging_raw(p=0.5, patience="10min", unconfirmed=0.3))
    ch = sc.channels["social"]
    f = PostFactory(ch, conversation_spec(ch), Streams(5, 0), n)
    assert len(f.reply_patience) == f.msg_at[-1]  # one patience per customer message
    rp = np.array(f.reply_patience)
    m = len(rp)
    hit = (rp > 600.0).sum()  # exponential: P(patience > mean) = e^-1
    se = math.sqrt(math.exp(-1) * (1 - math.exp(-1)) / m)
    assert abs(hit / m - math.exp(-1)) <= 4 * se and 4 * se <= 0.02 * math.exp(-1)
    conf = np.array(f.confirms).mean()
    se = math.sqrt(0.7 * 0.3 / n)
    assert abs(conf - 0.7) <= 4 * se and 4 * se <= 0.02 * 0.7


# --- staffing hooks --------------------------------------------------------------------------------------------
def test_staffing_counts_every_reply_of_a_thread_and_the_messages_awaiting_agents():
    from sim.staffing.grid import StaffingGrid
    from sim.staffing.heuristics import erlang_requirements
    from sim.staffing.messaging import messages_in_system

    sc = sim.load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "staffing_messaging.toml")
    h = erlang_requirements(sc, StaffingGrid.of(sc))
    assert np.allclose(h["mean_service_s"], 120.0 * 2.5)  # 2 min per reply × 1–4 replies needed
    res = sim.run(sc, replications=1)
    times = np.arange(8, 15) * 3600.0 - 8 * 3600.0 + 1800.0
    n = messages_in_system(res.messages, ["social"], res.contact_view(), sc.run.horizon_s, times)[0]
    m = res.messages[res.messages["stage"] == "message"]
    end = m["end_at_s"].fillna(np.inf)
    direct = [int(((m["ready_at_s"] <= t) & (end > t)).sum()) for t in times]
    assert n.tolist() == direct and max(direct) > 0


# --- properties over generated desks: blending, seats that change (to zero too), several channels ---------------
@st.composite
def messaging_desks(draw):
    social = messaging_raw(rate=f"{draw(st.integers(5, 60))}/h", p=draw(st.sampled_from([0.0, 0.5, 0.8])),
                           think=draw(st.sampled_from(["30s", "5min"])),
                           window=draw(st.sampled_from(["0s", "10min", "2h"])),
                           patience=draw(st.sampled_from([None, "10min", "2h"])),
                           unconfirmed=draw(st.sampled_from([0.0, 0.5, 1.0])))["channels"]["social"]
    social["triage"] = {"answer": draw(st.sampled_from(["all", 0.7])),
                        "order": draw(st.sampled_from(["fifo", "reach", "kind", "target", "newest"]))}
    if draw(st.booleans()):
        social["triage"]["expire_after"] = "40min"
    channels = {"social": social, "phone": {"arrivals": {"rate": f"{draw(st.integers(0, 40))}/h"},
                                            "handle_time": {"dist": "exponential", "mean": "4min"},
                                            "patience": {"dist": "exponential", "mean": "3min"}}}
    serves = ["phone", "social"] if draw(st.booleans()) else ["social"]
    if draw(st.booleans()):
        channels["email"] = {"arrivals": {"rate": "10/h"}, "message_time": {"dist": "exponential", "mean": "3min"}}
        serves.append("email")
    k = draw(st.sampled_from([1, 3, "unlimited"]))
    team = {"serves": serves, "concurrency": k, "concurrency_slowdown": 0.18}
    if draw(st.booleans()):
        team.update(count=draw(st.lists(st.integers(0, 4), min_size=12, max_size=12)), interval="30min")
    else:
        team["count"] = draw(st.integers(1, 4))
    if "phone" in serves and max(np.atleast_1d(team["count"])) > 1:
        team["reserve"] = draw(st.integers(0, 1))
    return {"schema": 1, "run": {"horizon": "6h", "warmup": "0s", "replications": 1,
                                 "seed": draw(st.integers(0, 10_000))},
            "channels": channels, "agents": {"phone": {"serves": ["phone"], "count": 1}, "team": team}}


@settings(max_examples=10, deadline=None)
@given(raw=messaging_desks())
def test_messaging_properties_over_generated_desks(raw):
    res = sim.run(scenario(raw))
    c, legs = res.contact_view(), res.messages
    conv = c[c["channel"].isin(["social", "email"])]
    out = conv["outcome"].astype(str)
    assert set(out) <= {"served", "silent", "ignored", "open"}
    msg = legs[legs["stage"] == "message"]
    # one reply in hand per agent; threads held never over the cap
    for _, g in msg.groupby(["agent_group", "agent_id"]):
        s = g.sort_values("start_at_s")
        assert (s["start_at_s"].to_numpy()[1:] >= s["end_at_s"].to_numpy()[:-1] - 1e-9).all()
    k = raw["agents"]["team"]["concurrency"]
    if k != "unlimited":
        assert (msg["open_conversations"] <= k).all()
    # replies posted never exceed replies needed; served threads got every reply they needed
    assert (conv["exchanges"] <= conv["exchanges_planned"]).all()
    assert (conv.loc[out == "served", "exchanges"] == conv.loc[out == "served", "exchanges_planned"]).all()
    # busy time = reply work + calls (agents table, whole run)
    horizon = 6 * 3600.0
    work = float((msg["end_at_s"].fillna(horizon).clip(upper=horizon) - msg["start_at_s"]).sum())
    assert work <= res.agents["busy_agent_s"].sum() + 1e-6
    # a message's reply never starts before the message entered its queue
    assert (msg["start_at_s"] >= msg["ready_at_s"] - 1e-9).all()


# --- chat: messaging with short think times; live chat as sessions; a plain queue on request -------------------------
def chat_raw(mode=None, **chat) -> dict:
    ch = {"arrivals": {"rate": "40/h"}, "message_time": {"dist": "exponential", "mean": "40s"}, **chat}
    if mode is not None:
        ch["mode"] = mode
    return {"schema": 1, "run": {"horizon": "12h", "warmup": "0s", "replications": 1, "seed": 4},
            "channels": {"chat": ch}, "agents": {"team": {"serves": ["chat"], "count": 3, "concurrency": 3}}}


def test_chat_is_messaging_with_short_think_times_and_live_chat_holds_the_slot():
    sc = scenario(chat_raw())
    spec = conversation_spec(sc.channels["chat"])
    assert spec.messaging and spec.public == 0.0 and spec.reach is None and spec.to_dm == 0.0
    assert math.exp(spec.think_time.mu) == pytest.approx(30.0) and spec.affinity_window_s == 300.0  # median 30 s
    assert spec.exchanges.mean == 4.5
    res = sim.run(sc)
    c, msg = res.contacts, res.messages[res.messages["stage"] == "message"]
    assert set(c["outcome"].astype(str)) <= {"served", "silent", "ignored", "open"} and (c["outcome"] == "served").any()
    work = (msg["end_at_s"].fillna(12 * 3600.0) - msg["start_at_s"]).sum()
    assert res.agents["busy_agent_s"].sum() == pytest.approx(work, rel=1e-9)  # busy only on reply work
    # live chat: the agent who opened the chat holds it to the end (every reply of a chat by one agent), where messaging
    # hands a thread to any agent once the affinity window lapses
    live = sim.run(scenario(chat_raw("session")))
    lmsg = live.messages[live.messages["stage"] == "message"]
    assert (lmsg.groupby("contact_id")["agent_id"].nunique() == 1).all()
    assert set(live.contacts["outcome"].astype(str)) <= {"served", "silent", "ignored", "abandoned", "open"}
    assert conversation_spec(scenario(chat_raw("session")).channels["chat"]).inactivity_timeout_s == 300.0


def test_chat_mode_queue_is_the_plain_queue():
    plain = {"arrivals": {"rate": "40/h"}, "handle_time": {"dist": "exponential", "mean": "4min"},
             "patience": {"dist": "exponential", "mean": "3min"},
             "targets": {"answer_within": "60s", "service_level": 0.8}}
    cols = ["contact_id", "arrival_at_s", "answer_at_s", "end_at_s", "outcome"]
    runs = []
    for kind in ({"kind": "chat", "mode": "queue"}, {"kind": "phone"}):
        raw = chat_raw()
        raw["channels"]["chat"] = {**plain, **kind}
        raw["agents"]["team"].pop("concurrency")
        runs.append(sim.run(scenario(raw)).contacts[cols].astype({"outcome": str}).reset_index(drop=True))
    pd.testing.assert_frame_equal(runs[0], runs[1])
    assert len(runs[0]) > 100


def test_chat_keys_are_refused_with_the_way_to_keep_a_plain_queue():
    raw = chat_raw()
    raw["channels"]["chat"]["handle_time"] = raw["channels"]["chat"].pop("message_time")
    with pytest.raises(ScenarioError) as e:
        scenario(raw, source="scenarios/x.toml")
    assert str(e.value).splitlines() == [
        'scenarios/x.toml: channels.chat.handle_time: expected message_time (work per reply: chat is messaging by '
        'default) or mode = "queue" (a plain queue, one handle_time per chat), got a table']
    raw["channels"]["chat"].update(mode="queue", think_time={"dist": "exponential", "mean": "30s"})
    raw["agents"]["team"].pop("concurrency")
    with pytest.raises(ScenarioError, match='channels.chat.think_time: expected mode = "messaging" or "session"'):
        scenario(raw)


def test_a_chat_conversation_is_refused_as_a_source_of_callers_complaining_in_public():
    """Spillover (sim.reputation) reacts to calls that end; a chat in messaging or session mode ends no call, so it is
    refused as a source (never silently inert); a plain-queue chat is accepted."""
    raw = messaging_raw(agents=2, rate="20/h", horizon="6h", warmup="0s", reps=1)
    raw["channels"]["chat"] = {"arrivals": {"rate": "10/h"}, "message_time": {"dist": "exponential", "mean": "1min"}}
    raw["agents"]["chat_team"] = {"serves": ["chat"], "count": 1}
    raw["reputation"] = {"spillover": {"from": ["chat"], "to": "social"}}
    with pytest.raises(ScenarioError, match=r'reputation\.spillover\.from\[0\]: expected a phone channel, or a chat '
                                            r'channel with mode = "queue"'):
        scenario(raw)
    raw["channels"]["chat"] = {"mode": "queue", "arrivals": {"rate": "10/h"},
                               "handle_time": {"dist": "exponential", "mean": "4min"}}
    assert scenario(raw).channels["chat"].kind == "chat"
