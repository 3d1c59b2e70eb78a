"""Resolution horizons (sim.horizons): resolved by end of day, within 24 h and 72 h, for customers whose first
contact arrives in the measurement window; the same definitions on every channel (about 10 s)."""
from __future__ import annotations

import numpy as np
import pandas as pd

import sim
from sim.horizons import horizon_metrics
from tests.conftest import erlang_raw, scenario

H = 3600.0
CLOCK = {"warmup_s": 0.0, "horizon_s": 5 * 86400.0, "start_clock_s": 0.0}


def contacts(rows):
    """rows: (customer, channel, arrival_h, outcome, end_h, resolved, resolved_at_h)"""
    df = pd.DataFrame(rows, columns=["customer_id", "channel", "arrival", "outcome", "end", "resolved", "res_at"])
    return pd.DataFrame({"replication": 0, "customer_id": df["customer_id"], "channel": df["channel"],
                         "arrival_at_s": df["arrival"] * H, "outcome": df["outcome"], "end_at_s": df["end"] * H,
                         "resolved": pd.array(df["resolved"], dtype="boolean"),
                         "kind": np.where(df["channel"] == "social", "complaint", None),
                         "first_response_s": np.where(df["channel"] == "social", 60.0, np.nan),
                         "resolved_at_s": df["res_at"] * H})


def values(df, clock=CLOCK):
    m = horizon_metrics(df, clock)
    return m.set_index(["channel", "metric"])["value"]


def test_each_horizon_counts_customers_by_their_first_contact():
    df = contacts([
        # a caller resolved on a redial the next morning: not by end of day, within 24 h
        (1, "phone", 10, "abandoned", 10.1, None, np.nan), (1, "phone", 20, "served", 33, True, np.nan),
        # a caller served the same day but not resolved (the funnel's FCR), never resolved
        (2, "phone", 9, "served", 9.2, False, np.nan),
        # a plain served call (no resolution model): resolved at its end
        (3, "phone", 23.5, "served", 23.9, None, np.nan),
        # a post answered across two nights: within 72 h only
        (4, "social", 18, "served", 70, True, 70),
        # a post arriving after the window (later than horizon − 72 h) is not counted
        (5, "social", 49, "served", 50, True, 50),
        # a silent post: unresolved
        (6, "social", 12, "silent", 13, False, np.nan),
    ])
    v = values(df)
    assert v[("phone", "customers_counted")] == 3 and v[("social", "customers_counted")] == 2
    assert np.isclose(v[("phone", "resolved_by_end_of_day_share")], 1 / 3)
    assert np.isclose(v[("phone", "resolved_within_24h_share")], 2 / 3)
    assert np.isclose(v[("social", "resolved_within_24h_share")], 0.0)
    assert np.isclose(v[("social", "resolved_within_72h_share")], 0.5)
    # the day ends at midnight of the calendar: with t = 0 at 14:30, customer 1 first calls at 00:30 and the redial
    # resolves the issue at 23:30 the same day
    late = values(df, {**CLOCK, "start_clock_s": 14.5 * H})
    assert np.isclose(late[("phone", "resolved_by_end_of_day_share")], 2 / 3)


def test_a_run_shorter_than_warmup_plus_72h_reports_no_horizons():
    assert horizon_metrics(contacts([(1, "phone", 1, "served", 1.1, None, np.nan)]),
                           {**CLOCK, "horizon_s": 3 * 86400.0}).empty


def test_the_horizons_reach_the_summary_for_phone_and_messaging():
    raw = erlang_raw(n=2, rate="20/h", aht="4min", patience="3min", horizon="4d", reps=2, seed=3)
    raw["channels"]["social"] = {"arrivals": {"rate": "6/h"}, "open": "08:00-20:00",
                                 "message_time": {"dist": "exponential", "mean": "2min"}, "replies_needed": 2,
                                 "think_time": {"dist": "exponential", "mean": "5min"}}
    raw["agents"]["desk"] = {"serves": ["social"], "interval": "1h",
                             "count": [0] * 9 + [1] * 8 + [0] * 7}  # 09:00–17:00: the evening's posts wait a night
    res = sim.run(scenario(raw))
    s = res.summary.set_index(["channel", "metric"])["mean"]
    for ch in ("phone", "social"):
        eod, d1, d3 = (s[(ch, m)] for m in ("resolved_by_end_of_day_share", "resolved_within_24h_share",
                                              "resolved_within_72h_share"))
        assert 0 <= eod <= d1 <= d3 <= 1
    assert s[("social", "resolved_by_end_of_day_share")] < s[("social", "resolved_within_24h_share")] - 0.1


def deflections(rows):
    """rows: (contact, customer, deflected_at_h) — questions a public answer deflected on social."""
    return pd.DataFrame({"replication": 0, "contact_id": [r[0] for r in rows], "customer_id": [r[1] for r in rows],
                         "channel": pd.Categorical(["social"] * len(rows)),
                         "deflected_at_s": [r[2] * H for r in rows]})


def test_self_service_and_deflection_count_as_resolution_over_customers_with_an_issue():
    df = contacts([
        (1, "phone", 10, "self_served", 10.05, True, np.nan),   # self-served in the IVR: resolved at once
        (2, "phone", 11, "abandoned", 11.1, None, np.nan),
        (3, "social", 12, "silent", 13, False, np.nan),
        (4, "social", 14, "served", 15, True, 15),
    ])
    # two questions deflected in the window (a customer read a public answer to the same question), one outside it
    defl = deflections([(10, 10, 3), (11, 11, 9), (12, 12, 60)])
    m = horizon_metrics(df, CLOCK, defl).set_index(["channel", "metric"])["value"]
    assert np.isclose(m[("phone", "resolved_within_24h_share")], 0.5)
    assert m[("social", "customers_counted")] == 4 and m[("social", "deflected_counted")] == 2
    assert np.isclose(m[("social", "resolved_by_end_of_day_share")], 3 / 4)
    assert m[("phone", "deflected_counted")] == 0
    plain = values(df)  # no deflections: the same customers without the deflected
    assert plain[("social", "customers_counted")] == 2 and np.isclose(plain[("social", "resolved_within_72h_share")],
                                                                      0.5)


def test_a_deflected_follow_up_resolves_the_customer_already_counted_once():
    """A customer whose post went silent tries again (a next try) and a public answer deflects the follow-up: still one
    customer, resolved when the follow-up was deflected; a caller whose next try on social is deflected stays a phone
    customer, resolved then too."""
    df = contacts([
        (3, "social", 12, "silent", 13, False, np.nan),
        (4, "social", 14, "served", 15, True, 15),
        (5, "phone", 9, "abandoned", 9.1, None, np.nan),
    ])
    # customer 3's follow-up deflected 8 h after the first post (by midnight); customer 5's the next morning
    defl = deflections([(900_000_001, 3, 20), (900_000_002, 5, 33)])
    m = horizon_metrics(df, CLOCK, defl).set_index(["channel", "metric"])["value"]
    assert m[("social", "customers_counted")] == 2 and m[("social", "deflected_counted")] == 0
    assert np.isclose(m[("social", "resolved_by_end_of_day_share")], 1.0)
    assert m[("phone", "customers_counted")] == 1 and m[("phone", "deflected_counted")] == 0
    assert m[("phone", "resolved_by_end_of_day_share")] == 0 and m[("phone", "resolved_within_24h_share")] == 1


def test_a_run_counts_a_customer_whose_follow_up_is_deflected_once():
    """Questions answered in public (half of them; the rest ignored), a follow-up after an ignored post, deflection
    strong: some follow-ups are deflected. Each keeps its customer's id, so the customers counted are the distinct
    customers with a first try in the window (contacts and deflected questions together), never one per deflection."""
    from tests.test_reputation_model import ONLY_EXPOSURE, social_raw

    raw = social_raw(rate="30/h", horizon="4d", agents=2, reps=1, phone=False, kinds={"question": 1.0}, public=1.0,
                     triage={"answer": {"question": 0.5}},
                     reputation={**ONLY_EXPOSURE, "deflection": {"fraction": 0.6, "duration": "4h", "topics": 3}})
    social = raw["channels"]["social"]
    del social["mode"], social["patience"]
    social["reply_patience"] = {"dist": "exponential", "mean": "3h"}
    raw["next_try"] = [{"from": "social", "after": ["ignored"], "to": "social", "probability": 1.0,
                        "delay": {"dist": "exponential", "mean": "30min"}}]
    res = sim.run(scenario(raw))
    d, c = res.deflections, res.contacts
    assert len(d) == res.reputation["deflected"].sum()
    follow = d[d["contact_id"] != d["customer_id"]]  # deflected follow-ups: the customer's first post is a contact
    assert len(follow) >= 20 and follow["customer_id"].isin(c["customer_id"]).all()
    tries = pd.concat([c[["customer_id", "arrival_at_s"]],
                       d[["customer_id", "deflected_at_s"]].rename(columns={"deflected_at_s": "arrival_at_s"})])
    first = tries.groupby("customer_id")["arrival_at_s"].min()
    in_window = first[first < res.provenance["clock"]["horizon_s"] - 3 * 86400.0]
    s = res.replications.set_index(["channel", "metric"])["value"]
    assert s[("social", "customers_counted")] == len(in_window)
    new = d[~d["customer_id"].isin(c["customer_id"])]  # first tries deflected: customers the contacts do not hold
    assert s[("social", "deflected_counted")] == new["customer_id"].isin(in_window.index).sum() < len(d)


def test_replications_with_and_without_deflections_join_in_one_table():
    """A replication in which nothing was deflected still has the channel categories of the scenario."""
    from sim.core import concat
    from sim.reputation.deflection import Deflection, DeflectionBoard, deflections_table

    board = DeflectionBoard(Deflection(fraction=1.0))
    board.answered("social", 3, 0.0)
    assert board.decide("social", 3, 10.0, 0.5, contact_id=900_000_001, customer_id=7)
    tables = [deflections_table(0, board.records(), ["phone", "social"]),
              deflections_table(1, DeflectionBoard(Deflection()).records(), ["phone", "social"])]
    both = concat(tables)
    assert list(both["channel"].cat.categories) == ["phone", "social"]
    assert both[["replication", "contact_id", "customer_id"]].values.tolist() == [[0, 900_000_001, 7]]
