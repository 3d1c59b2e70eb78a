"""Lesson 3's next try and deflection (sim/app/tries.py): one rule written for both designs, and what it does to the
same customers (common random numbers: same seed, same replication)."""
from __future__ import annotations

from dataclasses import replace

import sim
from sim.app import social, tries
from sim.next_try import next_try_table


def test_one_next_try_rule_is_written_for_the_phone_and_for_social():
    """The same probability and delay after a failed or unresolved call and after a silent, ignored or unresolved
    thread: two rows of the scenario's next-try table, run by the funnel and by the follow-up part."""
    raw = social.SocialInputs(next_try=0.25, next_try_delay="4 h").scenario(None, 1)
    rep = raw["reputation"]
    assert rep["deflection"] == {"enabled": True, "fraction": 0.2} and rep["repeat"] is False
    assert all(rep[m] is False for m in tries.OFF)  # lesson 3 compares service: the rest of reputation is off
    table = next_try_table(sim.parse_scenario(raw, source="lesson 3")).set_index("key")
    assert set(table.index) == {"next_try.phone_again", "next_try.social_again"}
    for key, after in (("next_try.phone_again", "blocked, abandoned, abandoned_ivr, served"),
                       ("next_try.social_again", "silent, ignored, served")):
        row = table.loc[key]
        assert row["from_channel"] == row["to_channel"] and row["after"] == after
        assert row["probability"] == 0.25 and row["delay"] == "exponential, mean 4h"
    single = social.SocialInputs(next_try=0.0, deflection=0.0).scenario(None, 1)
    assert single["reputation"]["deflection"] is False
    assert (next_try_table(sim.parse_scenario(single, source="lesson 3"))["probability"] == 0.0).all()


def test_deflected_customers_are_the_same_customers_resolved_at_once():
    """Deflection removes posts, not customers: the population counted is the same with and without it, the
    deflected are resolved, and the contacts left are fewer by exactly the deflected."""
    base = social.SocialInputs(next_try=0.0)
    on = social.design_rows(replace(base, deflection=0.4).scenario(None, 1))
    off = social.design_rows(replace(base, deflection=0.0).scenario(None, 1))
    assert on["deflected"].iloc[0] > 0 and off["deflected"].iloc[0] == 0
    assert on["customers"].iloc[0] == off["customers"].iloc[0]
    assert on["resolved"].iloc[0] >= on["deflected"].iloc[0]


def test_a_next_try_gives_the_same_customers_more_contacts_on_both_sides():
    """Each design with a next try (deflection off: which questions it removes depends on the answers before): the
    same customers (same count), more calls or posts, and no fewer resolved."""
    for share, channel in ((0.0, "phone"), (1.0, "social")):
        rows = {}
        for p in (0.0, 0.8):
            raw = social.SocialInputs(next_try=p, deflection=0.0).scenario(share, 1)  # deflection apart
            res = sim.run(sim.parse_scenario(raw, source="lesson 3"))
            c = res.contact_view()
            mine = c[c["channel"].astype(str) == channel]
            rows[p] = (mine["customer_id"].nunique(), len(mine), social.resolved_shares(res, c)["resolved"].iloc[0])
        assert rows[0.8][0] == rows[0.0][0], channel
        assert rows[0.8][1] > rows[0.0][1], channel
        assert rows[0.8][2] >= rows[0.0][2], channel
