"""The funnel's mechanisms one at a time, each against what its parameters say exactly: hold announcements,
redials, first-contact resolution after transfers, callbacks behind live calls, warm transfers ahead of the queue."""
from __future__ import annotations

import numpy as np

import sim
from tests.conftest import erlang_raw, scenario


def within_4se(hits: int, n: int, p: float, rel: float = 0.02) -> None:
    """A Bernoulli share against its exact value: |estimate − p| ≤ 4·SE with 4·SE ≤ rel·p."""
    se = np.sqrt(p * (1 - p) / n)
    assert 4 * se <= rel * p, f"only {n} trials: SE {se:.3g} cannot expose a {rel:.0%} error of {p}"
    assert abs(hits / n - p) <= 4 * se, f"{hits}/{n} = {hits / n:.4f}, exact {p} (SE {se:.3g})"


def two_queues(rate: str, n_a: int, horizon: str = "1d", reps: int = 1, seed: int = 1) -> dict:
    raw = erlang_raw(n=1, rate=rate, aht="240s", patience=None, horizon=horizon, reps=reps, seed=seed)
    ph = raw["channels"]["phone"]
    ph["queue"] = "a"
    ph["ivr"] = {"misroute": 0.0, "zero_out": 0.0, "hang_up": 0.0, "menu": {"prompt": "0s", "options": [
        {"share": 0.5, "queue": "a"}, {"share": 0.5, "queue": "b"}]}}
    raw["agents"] = {"a": {"serves": ["a"], "count": n_a}, "b": {"serves": ["b"], "count": n_a}}
    return raw


def test_hold_announcements_lose_the_stated_share_of_callers_at_each():
    """No patience: a waiting caller hangs up only at announcements (every 30 s), with probability 0.1 at each one
    heard. So abandonments happen at whole multiples of 30 s, and of all announcements heard, 10% end the wait."""
    raw = erlang_raw(n=3, rate="55/h", aht="240s", patience=None, horizon="30d", reps=1, seed=3)
    raw["channels"]["phone"]["hold"] = {"announce_every": "30s", "abandon": 0.1}
    res = sim.run(scenario(raw))
    q = res.legs[res.legs["stage"] == "queue"].dropna(subset=["end_at_s"])
    dur = (q["end_at_s"] - q["start_at_s"]).to_numpy()
    gone = (q["result"] == "abandoned").to_numpy()
    k = dur[gone] / 30.0
    assert len(k) > 0 and np.allclose(k, np.round(k), atol=1e-6) and (np.round(k) >= 1).all()
    heard = np.floor(dur[~gone] / 30.0 + 1e-9).sum() + np.round(k).sum()
    within_4se(int(gone.sum()), int(heard), 0.1, rel=0.05)


def test_redials_follow_the_stated_probability_and_delay():
    raw = erlang_raw(n=2, rate="60/h", aht="240s", patience="60s", horizon="20d", reps=1, seed=8)
    raw["channels"]["phone"]["open"] = "08:00-18:00"
    raw["channels"]["phone"]["lines"] = 4
    raw["channels"]["phone"]["redials"] = {"probability": 0.4, "delay": {"dist": "exponential", "mean": "15min"},
                                           "max_attempts": 50}
    res = sim.run(scenario(raw))
    c = res.contact_view()
    failed = c[c["outcome"].isin(["blocked", "abandoned"])]
    within_4se(int((failed["followed_by"] == "redial").sum()), len(failed), 0.4, rel=0.1)
    assert set(c["outcome"].astype(str)) >= {"blocked", "abandoned"}
    # the delay: from the failed attempt's end to the redial's arrival, exponential with mean 15 min (the lines are
    # closed at night, far longer than the delays, so censoring by the horizon is negligible)
    cc = c.sort_values(["customer_id", "attempt"])
    nxt = cc.groupby("customer_id")["arrival_at_s"].shift(-1)
    d = (nxt - cc["end_at_s"])[cc["followed_by"] == "redial"].dropna().to_numpy()
    se = d.std(ddof=1) / np.sqrt(len(d))
    assert abs(d.mean() - 900.0) <= 4 * se and 4 * se <= 0.1 * 900
    s = res.summary.set_index(["channel", "metric"])["mean"]
    assert s[("phone", "attempts_per_customer")] > 1.0
    assert 0 < s[("phone", "unique_abandon_rate")] < (failed.shape[0] / len(c))  # redials win some customers back


def test_first_contact_resolution_is_lower_after_a_transfer():
    """Served calls resolve with probability 0.8, and 0.8 × (1 − 0.14) after a transfer (SQM: −14%)."""
    raw = two_queues("200/h", n_a=8, horizon="14d", seed=5)
    ph = raw["channels"]["phone"]
    ph["ivr"]["misroute"] = 0.3
    ph["resolution"] = {"first_contact": 0.8, "transfer_penalty": 0.14, "call_again": 0.0}
    res = sim.run(scenario(raw))
    served = res.contact_view()[res.contact_view()["outcome"] == "served"]
    direct, moved = served[served["transfers"] == 0], served[served["transfers"] > 0]
    within_4se(int(direct["resolved"].sum()), len(direct), 0.8)
    within_4se(int(moved["resolved"].sum()), len(moved), 0.8 * 0.86, rel=0.025)
    s = res.summary.set_index(["channel", "metric"])["mean"]
    assert s[("phone", "fcr")] == served["resolved"].mean()


def test_callbacks_are_offered_when_the_wait_is_long_and_returned_behind_live_calls():
    raw = two_queues("100/h", n_a=3, horizon="3d", seed=6)
    ph = raw["channels"]["phone"]
    ph["patience"] = {"dist": "exponential", "mean": "10min"}
    ph["callbacks"] = {"offer_above": "0s", "accept": 0.3, "within": "1h"}
    res = sim.run(scenario(raw))
    c, legs = res.contact_view(), res.legs
    first = c[c["origin"].astype(str) != "callback"]
    # offered to every caller who found no free agent (expected wait > 0); 30% accept
    offered = first[(first["outcome"] == "callback") | (first["wait_s"] > 0)]
    within_4se(int((offered["outcome"] == "callback").sum()), len(offered), 0.3, rel=0.1)
    # a return call starts only when no live caller waits in its queue
    back = legs[(legs["stage"] == "callback_queue") & (legs["result"] == "answered")]
    live = legs[legs["stage"] == "queue"]
    for q, b in back.groupby("queue", observed=True):
        lq = live[live["queue"] == q]
        s, e = lq["start_at_s"].to_numpy(), lq["end_at_s"].fillna(np.inf).to_numpy()
        for t in b["end_at_s"].to_numpy():
            assert not ((s < t - 1e-9) & (e > t + 1e-9)).any()
    ret = c[c["origin"].astype(str) == "callback"]
    assert len(ret) == (first["outcome"] == "callback").sum()
    delay = (ret["answer_at_s"] - ret["arrival_at_s"]).dropna()
    s = res.summary.set_index(["channel", "metric"])["mean"]
    assert s[("phone", "callback_delay_s")] == delay.mean()
    assert s[("phone", "callback_on_time")] == (delay <= 3600).sum() / len(ret)


def test_warm_transfers_jump_the_queue_and_cold_ones_repeat_the_issue():
    raw = two_queues("130/h", n_a=5, horizon="2d", seed=7)
    ph = raw["channels"]["phone"]
    ph["ivr"]["misroute"] = 0.25
    ph["patience"] = {"dist": "exponential", "mean": "20min"}
    out = {}
    for mode in ("warm", "cold"):
        ph["transfers"] = {"mode": mode, "repeat_time": {"dist": "deterministic", "value": "60s"}}
        res = sim.run(scenario(raw))
        legs = res.legs.sort_values(["contact_id", "leg"])
        prev = legs.groupby("contact_id")["stage"].shift(1).astype(str)
        after = legs[(legs["stage"] == "queue") & (prev == "diagnosis")]
        out[mode] = (after["end_at_s"] - after["start_at_s"]).mean()
        if mode == "warm":  # nobody is answered while a warm-transferred caller waits in the same queue
            starts = legs[legs["stage"].isin(["service", "diagnosis"])]
            for q, a in after.groupby("queue", observed=True):
                s, e = a["start_at_s"].to_numpy(), a["end_at_s"].fillna(np.inf).to_numpy()
                for _, r in starts[starts["queue"] == q].iterrows():
                    if r["contact_id"] in set(a["contact_id"]):
                        continue
                    assert not ((s < r["start_at_s"] - 1e-9) & (e > r["start_at_s"] + 1e-9)).any()
        c = res.contact_view()
        served = c[(c["outcome"] == "served") & c["answer_at_s"].notna()]
        # handle time of the last service: the draw, plus 60 s after a cold transfer (the caller repeats the issue)
        svc = legs[legs["stage"] == "service"].groupby("contact_id").last()
        t = served.set_index("contact_id")["transfers"]
        extra = (svc["end_at_s"] - svc["start_at_s"]).reindex(t.index)
        assert extra.notna().all()
        out[mode + "_min_after"] = extra[t > 0].min()
    assert out["warm"] < out["cold"]
    assert out["cold_min_after"] >= 60.0
