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


# The [[next_try]] section: social follow-ups, social → phone, shorthands as rows, bad rows ----------------------------
def _social(p: float | None = None, rate: str = "640/h", horizon: str = "1d", agents: int = 0, **row) -> dict:
    """One social channel in messaging mode. With no agent nobody opens a message: every customer leaves silently when
    their reply patience (exponential, mean 1 s) runs out, and with a row social → social after silent they post again
    with probability p — attempts per customer geometric with mean 1 / (1 − p)."""
    raw = {"schema": 1, "run": {"horizon": horizon, "replications": 1, "seed": 11},
           "channels": {"social": {"kind": "social", "arrivals": {"rate": rate},
                                   "message_time": {"dist": "exponential", "mean": "2min"}, "exchanges": 2,
                                   "think_time": {"dist": "exponential", "mean": "3min"},
                                   "reply_patience": {"dist": "exponential", "mean": "1s" if not agents else "40min"}}},
           "agents": {"social": {"serves": ["social"], "count": agents}}}
    if p is not None:
        raw["next_try"] = [{"from": "social", "after": ["silent"], "to": "social", "probability": p,
                            "delay": {"dist": "exponential", "mean": "1min"}, "max_attempts": 1000, **row}]
    return raw


def test_social_follow_ups_follow_the_geometric_law():
    p = 0.6
    res = sim.run(scenario(_social(p)))
    c = res.contacts
    assert (c["outcome"].astype(object) == "silent").all()
    first = c.groupby("customer_id")["arrival_at_s"].min()
    per = c[c["customer_id"].isin(first[first < 86400 - 3600].index)].groupby("customer_id").size().to_numpy(float)
    mean, se = per.mean(), per.std(ddof=1) / np.sqrt(len(per))
    exact = 1 / (1 - p)
    assert 0.02 * exact > 3 * se  # about 14,000 customers: a 2% error would show
    assert abs(mean - exact) <= 4 * se, (mean, exact, se)
    later = c[c["next_try_of"] >= 0]
    assert len(later) == len(c) - c["customer_id"].nunique()  # every later attempt names the contact it follows
    prev = c.set_index("contact_id").loc[later["next_try_of"]]
    assert (prev["customer_id"].to_numpy() == later["customer_id"].to_numpy()).all()  # the same customer
    assert (later["attempt"].to_numpy() == prev["attempt"].to_numpy() + 1).all()
    m = res.replications.set_index(["channel", "metric"])["value"]
    assert m[("social", "customers_unique")] == c["customer_id"].nunique()
    assert m[("social", "attempts_all_channels")] == len(c)


def test_a_social_row_with_probability_zero_reproduces_the_single_try_tables_exactly():
    one = sim.run(scenario(_social(None, rate="60/h", horizon="6h", agents=2)))
    zero = sim.run(scenario(_social(0.0, rate="60/h", horizon="6h", agents=2, after=["silent", "ignored", "served"])))
    cols = list(one.contacts.columns)
    pd.testing.assert_frame_equal(one.contacts, zero.contacts[cols])
    pd.testing.assert_frame_equal(one.intervals, zero.intervals[list(one.intervals.columns)])
    pd.testing.assert_frame_equal(one.agents, zero.agents)
    assert (zero.contacts["next_try_of"] == -1).all()


def test_a_higher_social_next_try_probability_means_more_social_attempts_for_the_same_customers():
    get = lambda r, k: float(r[(r["channel"] == "social") & (r["metric"] == k)]["value"].iloc[0])
    out = [sim.run(scenario(_social(p, rate="60/h", horizon="6h", agents=1, after=["silent", "ignored", "served"])))
           .replications for p in (0.2, 0.7)]
    assert get(out[0], "customers_unique") == get(out[1], "customers_unique")  # the same customers
    assert get(out[1], "attempts_all_channels") > get(out[0], "attempts_all_channels")


def test_social_to_phone_keeps_the_customer_and_the_phone_funnel_is_unchanged_for_first_callers():
    raw = _social(None, rate="60/h", horizon="8h", agents=1)
    raw["channels"]["phone"] = {"arrivals": {"rate": "30/h"}, "handle_time": {"dist": "exponential", "mean": "4min"},
                                "patience": {"dist": "exponential", "mean": "2min"}}
    raw["agents"]["phone"] = {"serves": ["phone"], "count": 3}
    base = sim.run(scenario(raw)).contacts
    raw["next_try"] = [{"from": "social", "after": ["silent", "served"], "to": "phone", "probability": 0.5,
                        "delay": {"dist": "exponential", "mean": "10min"}},
                       {"from": "phone", "after": ["abandoned"], "to": "social", "probability": 0.5}]
    c = sim.run(scenario(raw)).contacts
    later = c[c["next_try_of"] >= 0]
    prev = c.set_index("contact_id").loc[later["next_try_of"]]
    assert (prev["customer_id"].to_numpy() == later["customer_id"].to_numpy()).all()
    moved = later["channel"].astype(object).to_numpy() != prev["channel"].astype(object).to_numpy()
    assert moved.all() and (later["channel"].astype(object) == "phone").any() \
        and (later["channel"].astype(object) == "social").any()
    # the first posts and calls are the same customers with the same draws (common random numbers)
    firsts = c[c["next_try_of"] < 0]
    assert len(firsts) == len(base)
    assert sorted(firsts["arrival_at_s"]) == sorted(base["arrival_at_s"])


def test_the_phone_shorthands_are_rows_of_the_one_rule():
    """channels.phone.redials and a [[next_try]] row with the same values give identical tables."""
    short = _redialing(0.5, rate="200/h", horizon="6h")
    row = _redialing(0.5, rate="200/h", horizon="6h")
    red = row["channels"]["phone"]["redials"]
    row["channels"]["phone"]["lines"] = 10_000  # a funnel key: the funnel without the redials key
    short["channels"]["phone"]["lines"] = 10_000
    del row["channels"]["phone"]["redials"]
    row["next_try"] = [{"from": "phone", "after": ["blocked", "abandoned", "abandoned_ivr"], "to": "phone",
                        "probability": red["probability"], "delay": red["delay"], "max_attempts": 1000}]
    a, b = sim.run(scenario(short)), sim.run(scenario(row))
    pd.testing.assert_frame_equal(a.contacts, b.contacts)
    pd.testing.assert_frame_equal(a.intervals, b.intervals)
    t = next_try_table(scenario(row))
    assert list(t["key"]) == ["next_try[0]"] and t["executed_by"].iloc[0] == "sim.funnel.flow"


def test_bad_next_try_rows_get_one_line_errors_naming_file_and_key():
    import pytest

    from sim.errors import ScenarioError

    cases = [({"from": "fax", "after": ["silent"]}, "next_try[0].from"),
             ({"from": "social", "after": ["lost"]}, "next_try[0].after"),
             ({"from": "social", "after": ["blocked"]}, "next_try[0].after"),
             ({"from": "social", "after": ["silent"], "to": "pager"}, "next_try[0].to"),
             ({"from": "social", "after": ["silent"], "probability": 1.5}, "next_try[0].probability"),
             ({"from": "social", "after": ["silent"], "delay": {"dist": "exponential"}}, "next_try[0].delay.mean")]
    for row, key in cases:
        raw = _social(None)
        raw["next_try"] = [row]
        with pytest.raises(ScenarioError) as e:
            scenario(raw, source="rows.toml")
        lines = str(e.value).strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"rows.toml: {key}:"), (row, str(e.value))


def test_the_study_counts_a_social_customer_once_with_their_follow_ups():
    """experiments/funnel_vs_social.py: a post and its follow-up are one customer, resolved when the follow-up is."""
    from tests.test_studies import load_study

    mod = load_study("funnel_vs_social")
    base = 3_000_000_000
    c = pd.DataFrame({"contact_id": [base + 1, base + 900_000_001, base + 2], "customer_id": [base + 1, base + 1, base + 2],
                      "channel": "social", "arrival_at_s": [0.0, 5000.0, 100.0],
                      "first_response_s": [np.nan, 600.0, 60.0], "resolved": pd.array([False, True, False], "boolean"),
                      "resolved_at_s": [np.nan, 6000.0, np.nan], "next_try_of": [-1, base + 1, -1],
                      "origin": None, "transfers": 0.0, "first_answer_at_s": np.nan, "answer_at_s": np.nan,
                      "end_at_s": np.nan, "outcome": "served", "kind": "question"})
    m = mod.customer_metrics(c, None, 86400.0)
    assert m["social_customers"] == 2 and m["resolved_share"] == 0.5
    assert m["time_to_resolution_mean_min"] == 100.0  # 6000 s after the customer's first post
    assert m["reached_human_share"] == 1.0


def test_named_rows_are_reached_by_dotted_keys():
    """[next_try.<name>] rows: a sweep or --set reaches next_try.<name>.probability (the same rows as a list)."""
    from sim.scenario import set_dotted

    raw = _social(None, rate="60/h", horizon="4h", agents=1)
    row = {"from": "social", "after": ["silent", "ignored", "served"], "probability": 0.3}
    raw["next_try"] = {"again": row}
    named = set_dotted(raw, "next_try.again.probability", 0.6)
    listed = {**raw, "next_try": [{**row, "probability": 0.6}]}
    t = next_try_table(scenario(named))
    assert list(t["key"]) == ["next_try.again"] and t["probability"].iloc[0] == 0.6
    a, b = sim.run(scenario(named)), sim.run(scenario(listed))
    pd.testing.assert_frame_equal(a.contacts, b.contacts)


def test_session_mode_conversations_are_followed_up_too():
    """mode = "session": a conversation abandoned in the queue, ignored or closed quiet is followed up; probability 0
    is the single try, and a positive one gives the same customers more attempts."""
    from tests.test_reputation_model import social_raw

    def raw(p):
        r = social_raw(rate="120/h", horizon="6h", reps=1, agents=1, phone=False,
                       patience={"dist": "exponential", "mean": "20min"})
        if p is not None:
            r["next_try"] = [{"from": "social", "after": ["abandoned", "ignored", "silent"], "probability": p}]
        return r

    one, zero, half = (sim.run(scenario(raw(p))) for p in (None, 0.0, 0.5))
    pd.testing.assert_frame_equal(one.contacts, zero.contacts[list(one.contacts.columns)])
    c = half.contacts
    assert c["customer_id"].nunique() == len(one.contacts)  # the same customers
    later = c[c["next_try_of"] >= 0]
    assert len(later) > 0.2 * len(one.contacts)
    prev = c.set_index("contact_id").loc[later["next_try_of"]]
    assert set(prev["outcome"].astype(object)) <= {"abandoned", "ignored", "silent"}
