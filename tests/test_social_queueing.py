"""Simulated vs exact queueing results for conversations (sim.social).

- One agent, k = 1: a conversation holds the agent for its message times plus the think times between them, so the
  wait for an agent is the M/G/1 wait: Pollaczek–Khinchine.
- n agents, k = 1, one exchange, no think time: Erlang C, and Erlang A when customers give up.
- k > 1 on one agent with exponential message, think and patience times and a fixed number of exchanges: a finite
  Markov chain (posts in the inbox; conversations waiting for the agent, in FIFO order; conversations waiting for the
  customer; the load the message in hand started with), solved here.

Each check is |estimate − exact| ≤ 4·SE, SE across independent replications (long runs after a warm-up), with two
control variates of exactly known mean per replication (tests/control_variates.py): the conversations that arrived
after the warm-up (Poisson, mean λ·(horizon − warm-up)) and their mean drawn agent work (``base_work_s``, drawn for
every conversation when it arrives, answered or not: mean exchanges × mean message time). A check marked powered also
requires 4·SE ≤ 2% of the exact value, so a 2% error would fail it.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
import scipy.sparse.linalg as spla

import sim
from sim import analytic
from tests.conftest import scenario
from tests.control_variates import controlled_mean

POWER = 0.02


def social_raw(agents=1, rate="10/h", message=None, exchanges=1, think=None, patience=None, k=1, slowdown=0.18,
               horizon="100d", warmup="1d", reps=16, seed=7, within="60min") -> dict:
    """A social-only scenario: every post answered, nobody goes silent, no inactivity timeout."""
    ch = {"arrivals": {"rate": rate}, "message_time": message or {"dist": "exponential", "mean": "60s"},
          "exchanges": exchanges, "silence": 0.0, "inactivity_timeout": "3650d", "mode": "session",
          "targets": {"answer_within": within, "service_level": 0.8}}
    if think is not None:
        ch["think_time"] = think
    if patience is not None:
        ch["patience"] = {"dist": "exponential", "mean": patience}
    return {"schema": 1, "run": {"horizon": horizon, "warmup": warmup, "replications": reps, "seed": seed,
                                 "interval": "1d"},
            "channels": {"social": ch},
            "agents": {"team": {"serves": ["social"], "count": agents, "concurrency": k,
                                "concurrency_slowdown": slowdown}}}


def controls(res, rate_per_s: float, work_s: float) -> np.ndarray:
    """Per replication: offered conversations after the warm-up and their mean drawn work, each as its relative
    deviation from its exact mean."""
    c = res.contact_view()
    clock = res.provenance["clock"]
    g = c.groupby("replication")
    expected = rate_per_s * (clock["horizon_s"] - clock["warmup_s"])
    return np.column_stack([g.size().to_numpy(float) / expected - 1, g["base_work_s"].mean().to_numpy() / work_s - 1])


def check(name: str, values, exact: float, x: np.ndarray, powered: bool = True) -> None:
    v = np.asarray(values, float)
    mean, se = controlled_mean(v, x)
    print(f"{name}: {mean:.6g} ± {se:.3g} (SE/exact {se / abs(exact):.4f}), exact {exact:.6g}")
    assert abs(mean - exact) <= 4 * se, f"{name}: simulated {mean:.6g} ± {se:.3g} (SE), exact {exact:.6g}"
    if powered:
        assert 4 * se <= POWER * abs(exact), f"{name}: SE {se:.3g} too large to expose a 2% error of {exact:.6g}"


def per_rep(contacts: pd.DataFrame, fn) -> pd.Series:
    return contacts.groupby("replication").apply(fn, include_groups=False)


def metric(res, channel: str, name: str) -> pd.Series:
    """One metric of the replications table, by replication (the order of ``controls``)."""
    m = res.replications
    return m[(m["channel"] == channel) & (m["metric"] == name)].set_index("replication")["value"].sort_index()


# --- M/G/1 ------------------------------------------------------------------------------------------------------
def test_one_agent_one_conversation_at_a_time_is_m_g_1():
    # Two agent messages (lognormal, mean 40 s, CV 0.5) with one think time between them (uniform 60–180 s):
    # the agent is held H = S1 + T + S2, E[H] = 200 s, Var[H] = 2·20² + 120²/12 = 2000 s².
    mean_s, cv, lo, hi = 40.0, 0.5, 60.0, 180.0
    eh = 2 * mean_s + (lo + hi) / 2
    eh2 = 2 * (cv * mean_s) ** 2 + (hi - lo) ** 2 / 12 + eh**2
    rho = 0.4
    lam = rho / eh
    raw = social_raw(rate=f"{lam * 3600:.10g}/h", exchanges=2, horizon="160d", warmup="1d",
                     message={"dist": "lognormal", "mean": f"{mean_s}s", "cv": cv},
                     think={"dist": "uniform", "low": f"{lo}s", "high": f"{hi}s"})
    res = sim.run(scenario(raw))
    c = res.contact_view()
    x = controls(res, lam, 2 * mean_s)
    assert (c["outcome"].isin(["served", "open"])).all()
    wq = lam * eh2 / (2 * (1 - rho))  # Pollaczek–Khinchine
    check("P(wait > 0) = ρ", per_rep(c, lambda g: (g["wait_s"] > 0).mean()), rho, x)
    check("mean wait (Pollaczek–Khinchine)", per_rep(c, lambda g: g["wait_s"].mean()), wq, x)
    check("mean first response = wait + first message", per_rep(c, lambda g: g["first_response_s"].mean()),
          wq + mean_s, x)
    check("occupancy = λ·(message work)", metric(res, "social", "occupancy"), lam * 2 * mean_s, x)


def test_one_agent_is_held_for_messages_plus_think_times_in_arrival_order():
    raw = social_raw(rate="12/h", exchanges=3, horizon="5d", reps=1,
                     think={"dist": "exponential", "mean": "90s"})
    res = sim.run(scenario(raw))
    c = res.contact_view().sort_values("arrival_at_s")
    c = c[c["outcome"] == "served"]
    legs = res.messages
    # every served conversation: three messages and two replies, back to back, and nothing else in between
    held = legs.groupby("contact_id")[["start_at_s", "end_at_s"]].agg({"start_at_s": "min", "end_at_s": "max"})
    span = (legs["end_at_s"] - legs["start_at_s"]).groupby(legs["contact_id"]).sum()
    np.testing.assert_allclose(held.loc[c["contact_id"], "start_at_s"], c["answer_at_s"])
    np.testing.assert_allclose(held.loc[c["contact_id"], "end_at_s"], c["end_at_s"])
    np.testing.assert_allclose(span.loc[c["contact_id"]], c["end_at_s"] - c["answer_at_s"], rtol=1e-9)
    # one server, first come first served, work-conserving: answer_n = max(arrival_n, end_{n−1})
    ans, arr, end = (c[k].to_numpy() for k in ("answer_at_s", "arrival_at_s", "end_at_s"))
    np.testing.assert_allclose(ans[1:], np.maximum(arr[1:], end[:-1]), rtol=1e-12)
    assert (legs.groupby("contact_id").size().loc[c["contact_id"]] == 5).all()


# --- Erlang C and Erlang A -----------------------------------------------------------------------------------------
def test_n_agents_single_message_matches_erlang_c():
    n, aht, rho, within = 3, 60.0, 0.7, 30.0
    lam = rho * n / aht
    raw = social_raw(agents=n, rate=f"{lam * 3600:.10g}/h", horizon="13d", warmup="2h", reps=16, seed=3,
                     within=f"{within}s")
    res = sim.run(scenario(raw))
    c = res.contact_view()
    ex = analytic.erlang_c_metrics(n, lam, aht, within)
    x = controls(res, lam, aht)
    check("P(wait > 0) = C(n, R)", per_rep(c, lambda g: (g["wait_s"] > 0).mean()), ex["p_wait"], x)
    check("P(wait ≤ T)", per_rep(c, lambda g: (g["wait_s"] <= within).mean()), ex["sl_offered"], x)
    # the mean wait is checked at 4·SE but not powered at this size (it would need ~10× the customers)
    check("mean wait", per_rep(c, lambda g: g["wait_s"].mean()), ex["mean_wait_s"], x, powered=False)
    check("occupancy", metric(res, "social", "occupancy"), ex["occupancy"], x)


def test_n_agents_with_impatient_customers_matches_erlang_a():
    n, aht, patience, within = 3, 60.0, 90.0, 30.0
    lam = 1.0 * n / aht  # offered load equals the number of agents: stable only through abandonment
    raw = social_raw(agents=n, rate=f"{lam * 3600:.10g}/h", horizon="5d", warmup="2h", reps=16, seed=4,
                     patience=f"{patience}s", within=f"{within}s")
    res = sim.run(scenario(raw))
    c = res.contact_view()
    ex = analytic.erlang_a_metrics(n, lam, aht, patience, within)
    x = controls(res, lam, aht)
    check("P(abandon)", per_rep(c, lambda g: (g["outcome"] == "abandoned").mean()), ex["p_abandon"], x)
    check("mean wait (answered and abandoned)", per_rep(c, lambda g: g["wait_s"].mean()), ex["mean_wait_s"], x)
    check("P(answered within T)", per_rep(c, lambda g: (g["answer_at_s"].notna() & (g["wait_s"] <= within)).mean()),
          ex["sl_offered"], x)
    check("occupancy", metric(res, "social", "occupancy"), ex["occupancy"], x)


# --- k > 1: the one-agent Markov chain --------------------------------------------------------------------------------
def conversation_chain(lam, k, n_ex, mu, nu, theta, s, qmax=60) -> dict:
    """Stationary metrics of one agent holding up to k conversations of n_ex exponential messages (rate μ, slowed to
    μ/(1 + s(w − 1)) with w conversations open when the message was started), exponential think times (rate ν) and
    exponential patience in the inbox (rate θ). State: (posts in the inbox, phase of the message in hand (0: none),
    w, phases waiting for the agent in FIFO order, phases waiting for the customer). Phase = index of the next agent
    message. The rules are the engine's: a new post is opened at once while fewer than k are open; a freed slot takes
    the oldest waiting post before the next message is started."""
    index, states, rows, cols, vals = {}, [], [], [], []

    def idx(st):
        if st not in index:
            index[st] = len(states)
            states.append(st)
        return index[st]

    def start(q, serving, w, ready, thinking):
        if serving == 0 and ready:
            serving, ready = ready[0], ready[1:]
            w = 1 + len(ready) + len(thinking)
        return q, serving, (w if serving else 0), ready, thinking

    todo = [(0, 0, 0, (), ())]
    idx(todo[0])
    while todo:
        st = todo.pop()
        q, serving, w, ready, thinking = st
        out = []
        n_open = (serving > 0) + len(ready) + len(thinking)
        if n_open < k:
            out.append((lam, start(q, serving, w, ready + (1,), thinking)))
        elif q < qmax:
            out.append((lam, (q + 1, serving, w, ready, thinking)))
        if q:
            out.append((q * theta, (q - 1, serving, w, ready, thinking)))
        if serving:
            if serving == n_ex:  # conversation closes; the freed slot takes the oldest waiting post
                nq, nready = (q - 1, ready + (1,)) if q else (q, ready)
                nxt = start(nq, 0, 0, nready, thinking)
            else:
                nxt = start(q, 0, 0, ready, tuple(sorted(thinking + (serving + 1,))))
            out.append((mu / (1 + s * (w - 1)), nxt))
        for ph in sorted(set(thinking)):
            rest = list(thinking)
            rest.remove(ph)
            out.append((thinking.count(ph) * nu, start(q, serving, w, ready + (ph,), tuple(rest))))
        i = index[st]
        for rate, nxt in out:
            new = nxt not in index
            j = idx(nxt)
            if new:
                todo.append(nxt)
            rows.append(i)
            cols.append(j)
            vals.append(rate)
    n = len(states)
    gen = sp.csr_matrix((vals, (rows, cols)), shape=(n, n))
    gen = (gen - sp.diags(np.asarray(gen.sum(axis=1)).ravel())).T.tolil()
    gen[0, :] = 1.0
    rhs = np.zeros(n)
    rhs[0] = 1.0
    pi = spla.spsolve(gen.tocsc(), rhs)
    f = np.array([(st[0], st[1] > 0, (st[1] > 0) + len(st[3]) + len(st[4]), (st[1] == 1) + st[3].count(1),
                   st[0] == qmax) for st in states], float)
    eq, working, n_open, opened_unanswered, full = pi @ f
    assert full < 1e-12  # the inbox bound never matters
    served_rate = lam - theta * eq
    return {"mean_wait_s": eq / lam, "abandon_rate": theta * eq / lam, "occupancy": working,
            "open_conversations": n_open, "to_first_response_s": opened_unanswered / served_rate,
            "throughput_per_h": 3600 * served_rate}


def test_concurrent_conversations_match_the_markov_chain():
    lam, k, n_ex, msg, think, patience, s = 1 / 60, 3, 2, 30.0, 120.0, 300.0, 0.18
    ex = conversation_chain(lam, k, n_ex, 1 / msg, 1 / think, 1 / patience, s)
    raw = social_raw(rate="60/h", exchanges=n_ex, k=k, slowdown=s, horizon="7d", warmup="2h", reps=16, seed=6,
                     message={"dist": "exponential", "mean": f"{msg}s"},
                     think={"dist": "exponential", "mean": f"{think}s"}, patience=f"{patience}s")
    res = sim.run(scenario(raw))
    c = res.contact_view()
    x = controls(res, lam, n_ex * msg)
    check("mean wait in the inbox", metric(res, "social", "mean_wait_s"), ex["mean_wait_s"], x)
    check("share who give up", metric(res, "social", "abandon_rate"), ex["abandon_rate"], x)
    check("agent occupancy", metric(res, "agents.team", "occupancy"), ex["occupancy"], x)
    check("mean open conversations", metric(res, "agents.team", "open_conversations"), ex["open_conversations"], x)
    check("opened → first response", per_rep(c, lambda g: (g["first_response_s"] - g["wait_s"]).mean()),
          ex["to_first_response_s"], x)
    length_h = 7 * 24 - 2  # arrivals counted after the warm-up
    check("conversations completed per hour", per_rep(c, lambda g: (g["outcome"] == "served").sum() / length_h),
          ex["throughput_per_h"], x)
