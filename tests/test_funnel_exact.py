"""The phone funnel against exact results: the IVR as a Markov chain (Khudyakov, Feigin & Mandelbaum 2010), two
priority classes against the non-preemptive M/M/n priority formula, and the tree's misroute and transfer expectations.

Each check is |estimate − exact| ≤ 4·SE over independent replications, with samples large enough that SE ≤ 0.5% of the
exact value (a 2% error would be exposed). The runs are long, so the collector is paused while they run (speed only).
"""
from __future__ import annotations

import gc
from contextlib import contextmanager

import numpy as np
import pytest
import scipy.sparse as sp
import scipy.sparse.linalg as spla

import sim
from sim.funnel.ivr import expected
from tests.conftest import erlang_raw, scenario


@contextmanager
def collector_paused():
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def check(estimates: np.ndarray, exact: float, rel_se: float = 0.005) -> None:
    est = float(np.mean(estimates))
    se = float(np.std(estimates, ddof=1) / np.sqrt(len(estimates)))
    assert se <= rel_se * abs(exact), f"SE {se:.4g} too large to expose a 2% error of {exact:.4g}"
    assert abs(est - exact) <= 4 * se, f"estimate {est:.5g} vs exact {exact:.5g} (SE {se:.3g})"


# The IVR with N lines as a Markov chain ------------------------------------------------------------------------------
def ivr_chain(lam, lines, ivr_rate, p, n, mu, theta) -> dict[str, float]:
    """Stationary distribution of (callers in the IVR, callers with the agents) with N trunk lines; IVR completion
    rate γ each, self-served with probability p, else to n agents (rate μ), waiting callers abandon at rate θ."""
    idx = {(i, j): k for k, (i, j) in enumerate((i, j) for i in range(lines + 1) for j in range(lines + 1 - i))}
    rows, cols, vals = [], [], []

    def rate(a, b, r):
        if r > 0:
            rows.append(idx[a])
            cols.append(idx[b])
            vals.append(r)

    for (i, j) in idx:
        if i + j < lines:
            rate((i, j), (i + 1, j), lam)
        if i > 0:
            rate((i, j), (i - 1, j), i * ivr_rate * p)
            rate((i, j), (i - 1, j + 1), i * ivr_rate * (1 - p))
        if j > 0:
            rate((i, j), (i, j - 1), min(j, n) * mu + max(j - n, 0) * theta)
    m = len(idx)
    q = sp.csr_matrix((vals, (rows, cols)), shape=(m, m))
    q = (q - sp.diags(np.asarray(q.sum(axis=1)).ravel())).T.tolil()
    q[0, :] = 1.0
    b = np.zeros(m)
    b[0] = 1.0
    pi = spla.spsolve(q.tocsc(), b)
    blocked = sum(pi[k] for (i, j), k in idx.items() if i + j == lines)
    waiting = sum(pi[k] * max(j - n, 0) for (i, j), k in idx.items())
    return {"blocked": blocked, "self_served": (1 - blocked) * p, "abandoned": waiting * theta / lam,
            "mean_wait_s": waiting / (lam * (1 - blocked) * (1 - p))}


def test_ivr_with_lines_and_self_service_matches_the_markov_chain():
    lam_h, lines, n, p, ivr_s, aht_s, patience_s = 170, 10, 4, 0.3, 60, 240, 120
    raw = erlang_raw(n=n, rate=f"{lam_h}/h", aht=f"{aht_s}s", patience=f"{patience_s}s", horizon="61h", warmup="1h",
                     reps=36, seed=3)
    ph = raw["channels"]["phone"]
    ph["lines"] = lines
    ph["ivr"] = {"misroute": 0.0, "zero_out": 0.0, "hang_up": 0.0,
                 "decision_time": {"dist": "exponential", "mean": f"{ivr_s}s"},
                 "menu": {"prompt": "0s", "options": [{"share": 1.0, "queue": "phone", "self_service": {
                     "p": p, "duration": {"dist": "deterministic", "value": "0s"}}}]}}
    with collector_paused():
        res = sim.run(scenario(raw))
    exact = ivr_chain(lam_h / 3600, lines, 1 / ivr_s, p, n, 1 / aht_s, 1 / patience_s)
    iv = res.interval_view().groupby("replication").sum(numeric_only=True)
    check((iv["blocked_count"] / iv["attempts_count"]).to_numpy(), exact["blocked"], 0.0075)
    check((iv["self_served_count"] / iv["attempts_count"]).to_numpy(), exact["self_served"])
    check((iv["abandoned"] / iv["attempts_count"]).to_numpy(), exact["abandoned"])
    check((iv["wait_sum_s"] / (iv["answered"] + iv["abandoned"])).to_numpy(), exact["mean_wait_s"])
    # the summary carries the same numbers as ratios of totals
    summ = res.summary.set_index(["channel", "metric"])
    assert summ.loc[("phone", "blocked_rate"), "mean"] == pytest.approx((iv["blocked_count"] / iv["attempts_count"]).mean())


# Two priority classes ------------------------------------------------------------------------------------------------
def erlang_c(c: int, a: float) -> float:
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b / (1 - (a / c) * (1 - b))


def test_two_priority_classes_match_the_non_preemptive_mmn_formula():
    """Non-preemptive priority M/M/c, equal service rates (Cobham; Kleinrock vol. 2): the mean wait of class k is
    W0 / ((1 − σ_{k−1})(1 − σ_k)) with W0 = C(c, a)/(cμ) and σ_k the load of classes 1..k (highest first). Calls in
    service are not interrupted (phone calls are not preempted), so the preemptive formula does not apply.

    Variance reduction by control variates: per replication, the mean wait of all calls (exactly the Erlang C
    E[W], work conservation) and the share who waited (exactly C) — both independent of the priority rule."""
    c, aht, rho, share = 4, 240.0, 0.8, 0.3
    lam = rho * c / aht
    raw = erlang_raw(n=c, rate=f"{lam * 3600}/h", aht=f"{aht}s", patience=None, horizon="242h", warmup="2h",
                     reps=24, seed=5)
    raw["channels"]["phone"]["priorities"] = {"0": 1 - share, "2": share}
    with collector_paused():
        res = sim.run(scenario(raw))
    C = erlang_c(c, lam * aht)
    w0 = C * aht / c
    exact = {"p2": w0 / (1 - share * rho), "p0": w0 / ((1 - share * rho) * (1 - rho))}
    iv = res.interval_view().groupby("replication").sum(numeric_only=True)
    w_all = (iv["answered_wait_sum_s"] / iv["answered"]).to_numpy()
    waited = res.contact_view().assign(w=res.contact_view()["wait_s"] > 0).groupby("replication")["w"].mean().to_numpy()
    controls = np.column_stack([w_all - C / (c / aht - lam), waited - C])
    for k, ex in exact.items():
        y = (iv[f"answered_wait_{k}_sum"] / iv[f"answered_{k}_count"]).to_numpy()
        xc, yc = controls - controls.mean(axis=0), y - y.mean()
        beta = np.linalg.lstsq(xc, yc, rcond=None)[0]
        adjusted = y - controls @ beta
        r, q = len(y), controls.shape[1]
        se = np.sqrt(np.sum((yc - xc @ beta) ** 2) / (r - q - 1) / r * (1 + q / (r - q - 2)))
        assert se <= 0.005 * ex * 1.25, f"class {k}: SE {se:.3g} too large"
        assert abs(adjusted.mean() - ex) <= 4 * se, f"class {k}: {adjusted.mean():.4g} vs exact {ex:.4g} (SE {se:.3g})"
    # and plainly: premium callers wait less, and the summary reports per-class metrics
    summ = res.summary.set_index(["channel", "metric"])["mean"]
    assert summ[("phone", "asa_p2_s")] < summ[("phone", "asa_p0_s")]


# The tree's probabilities: misrouting, zero-outs, hang-ups, transfers ---------------------------------------------------
def binary_tree(levels: int, eps: float, zero: float, hang: float) -> tuple[dict, list[str]]:
    """A menu tree with 2 options per level and one department per leaf (2^levels departments)."""
    depts = []

    def menu(depth: int, prefix: str) -> dict:
        opts = []
        for b in (0, 1):
            name = f"{prefix}{b}"
            if depth == levels - 1:
                depts.append(f"d{name}")
                opts.append({"label": name, "share": 0.6 if b == 0 else 0.4, "queue": f"d{name}"})
            else:
                opts.append({"label": name, "share": 0.6 if b == 0 else 0.4, "menu": menu(depth + 1, name)})
        return {"options": opts}

    ivr = {"misroute": eps, "zero_out": zero, "hang_up": hang, "menu": menu(0, "")}
    return ivr, depts


def test_misroute_share_and_transfers_per_call_match_the_tree():
    """P(right department) = (1 − ε)^L for every caller who chooses through L levels; every misrouted or zero-out
    caller is diagnosed and transferred, each transfer going wrong again with probability δ (misdiagnosis), so
    E[transfers | reached an agent] = P(wrong first department | reached) / (1 − δ)."""
    levels, eps, zero, hang, delta = 3, 0.1, 0.04, 0.03, 0.2
    ivr, depts = binary_tree(levels, eps, zero, hang)
    raw = erlang_raw(n=1, rate="1800/h", aht="20s", patience=None, horizon="8h", warmup="30min", reps=14, seed=9)
    ph = raw["channels"]["phone"]
    ph["queue"] = "general"
    ph["ivr"] = ivr
    ph["transfers"] = {"misdiagnosis": delta, "diagnosis_time": {"dist": "exponential", "mean": "5s"}}
    raw["agents"] = {d: {"serves": [d], "count": 6} for d in depts}
    raw["agents"]["general"] = {"serves": ["general"], "count": 6}
    sc = scenario(raw)
    with collector_paused():
        res = sim.run(sc)
    keep = (1 - hang) * (1 - zero)
    routed = keep ** levels
    zeroed = sum(keep ** d * (1 - hang) * zero for d in range(levels))
    hung = sum(keep ** d * hang for d in range(levels))
    mis = 1 - (1 - eps) ** levels
    exact_tree = expected(sc.channels["phone"].extra["ivr"])
    assert exact_tree["routed"] == pytest.approx(routed) and exact_tree["zero_out"] == pytest.approx(zeroed)
    assert exact_tree["hang_up"] == pytest.approx(hung) and exact_tree["misrouted_share"] == pytest.approx(mis)

    iv = res.interval_view().groupby("replication").sum(numeric_only=True)
    check((iv["misrouted_count"] / iv["routed_count"]).to_numpy(), mis)
    check((iv["zero_out_count"] / iv["ivr_entered_count"]).to_numpy(), zeroed, 0.01)
    check((iv["abandoned_ivr_count"] / iv["ivr_entered_count"]).to_numpy(), hung, 0.01)
    wrong_first = (routed * mis + zeroed) / (routed + zeroed)
    check((iv["transfers_count"] / iv["reached_agent_count"]).to_numpy(), wrong_first / (1 - delta))
    # every transferred call ends with an agent of its own department
    c = res.contact_view()
    done = c[(c["outcome"] == "served")]
    assert (done["queue"].astype(str) == done["department"].astype(str)).all()
    assert done["transfers"].max() >= 2  # misdiagnosis makes second transfers happen
