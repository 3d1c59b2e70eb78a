"""The next-try table (sim.next_try): attempts per customer against the geometric law, probability 0 as a single
try, unique customers and attempts reported apart (about 10 s)."""
from __future__ import annotations

import numpy as np
import pandas as pd

import sim
from sim.next_try import next_try_metrics, next_try_table
from tests.conftest import erlang_raw, scenario


def _redialing(p: float, rate: str = "640/h", horizon: str = "1d") -> dict:
    """Nobody is ever answered (no agent; patience 1 s): every call fails, and the caller redials with probability p
    after an exponential delay — one channel, attempts per customer geometric with mean 1 / (1 − p)."""
    raw = erlang_raw(n=0, rate=rate, patience="1s", horizon=horizon, reps=1, seed=7)
    raw["channels"]["phone"]["redials"] = {"probability": p, "delay": {"dist": "exponential", "mean": "1min"},
                                           "max_attempts": 1000}
    return raw


def test_attempts_per_customer_follow_the_geometric_law():
    p = 0.6
    res = sim.run(scenario(_redialing(p)))
    c = res.contacts
    c = c[c["customer_id"].isin(c.loc[c["arrival_at_s"] < 86400 - 3600, "customer_id"])]  # no try cut by the horizon
    per = c.groupby("customer_id").size().to_numpy(float)
    mean, se = per.mean(), per.std(ddof=1) / np.sqrt(len(per))
    exact = 1 / (1 - p)
    assert 0.02 * exact > 3 * se  # enough customers (about 15,000) that a 2% error would show
    assert abs(mean - exact) <= 4 * se, (mean, exact, se)
    # the metric reports the same customers and attempts apart
    m = res.replications.set_index(["channel", "metric"])["value"]
    assert m[("phone", "customers_unique")] == res.contacts["customer_id"].nunique()
    assert m[("phone", "attempts_all_channels")] == len(res.contacts)
    assert m[("phone", "switched_channel_share")] == 0


def test_probability_zero_reproduces_the_single_try_tables_exactly():
    one = sim.run(scenario(erlang_raw(n=3, rate="60/h", patience="2min", horizon="6h", reps=1, seed=3)))
    raw = erlang_raw(n=3, rate="60/h", patience="2min", horizon="6h", reps=1, seed=3)
    raw["channels"]["phone"]["redials"] = {"probability": 0.0, "delay": {"dist": "exponential", "mean": "5min"}}
    zero = sim.run(scenario(raw))
    cols = list(one.contacts.columns)
    pd.testing.assert_frame_equal(one.contacts[cols], zero.contacts[cols])
    pd.testing.assert_frame_equal(one.intervals[list(one.intervals.columns)],
                                  zero.intervals[list(one.intervals.columns)])
    assert (zero.contact_view()["origin"].astype(object) == "first").all()  # origin: a column of funnel_calls


def test_a_higher_next_try_probability_means_more_attempts_for_the_same_customers():
    lo = sim.run(scenario(_redialing(0.3, rate="200/h", horizon="6h"))).replications
    hi = sim.run(scenario(_redialing(0.7, rate="200/h", horizon="6h"))).replications
    get = lambda r, k: float(r[(r["channel"] == "phone") & (r["metric"] == k)]["value"].iloc[0])
    assert get(lo, "customers_unique") == get(hi, "customers_unique")  # common random numbers: the same customers
    assert get(hi, "attempts_all_channels") > get(lo, "attempts_all_channels")


def test_the_table_lists_every_next_try_of_a_scenario_in_one_form():
    t = next_try_table(sim.load_scenario("scenarios/retail_reputation.toml"))
    assert list(t.columns[:4]) == ["from_channel", "after", "to_channel", "probability"]
    keys = set(t["key"])
    assert any(k.endswith(".redials") for k in keys) and "reputation.spillover" in keys
    spill = t[t["key"] == "reputation.spillover"].iloc[0]
    assert spill["from_channel"] == "phone" and spill["to_channel"] == "social"
    assert next_try_table(scenario(erlang_raw())).empty


def test_customers_who_switch_channel_are_one_customer_with_two_attempts():
    c = pd.DataFrame({"replication": 0, "customer_id": [1, 1, 2, 3], "channel": ["phone", "social", "phone", "social"],
                      "arrival_at_s": [0.0, 600.0, 10.0, 20.0],
                      "caused_by": pd.Categorical([None, "spillover", None, "pile_on"])})
    m = next_try_metrics(c).set_index(["channel", "metric"])["value"]
    assert m[("phone", "customers_unique")] == 2 and m[("phone", "attempts_all_channels")] == 3
    assert m[("phone", "switched_channel_share")] == 0.5
    assert ("social", "customers_unique") not in m  # the pile-on post is another person's


def test_deflection_on_means_fewer_contacts_for_the_same_customers():
    """Paired (common random numbers, deflection draws keyed by post): with questions deflected by public answers,
    fewer posts become contacts in every replication, and the deflected are counted as customers with an issue."""
    from tests.test_reputation_model import social_raw

    reps = 4
    off = {"pile_on": False, "spillover": False, "repeat": False, "deflection": False}
    base = sim.run(scenario(social_raw(rate="60/h", horizon="4h", reps=reps, phone=False, reputation=off)))
    on = sim.run(scenario(social_raw(rate="60/h", horizon="4h", reps=reps, phone=False,
                                     reputation={**off, "deflection": {"fraction": 0.4}})))
    n = lambda r: r.contacts.groupby("replication").size().reindex(range(reps), fill_value=0).to_numpy()
    deflected = on.reputation.groupby("replication")["deflected"].sum().to_numpy()
    assert (n(on) < n(base)).all() and (deflected > 0).all()
    assert (n(on) + deflected == n(base)).all()  # a deflected question is a customer who never posted
