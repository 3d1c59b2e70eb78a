"""Lesson 3's next try and deflection (sim/app/tries.py): one rule written for both designs, and what it does to the
same customers (common random numbers: same seed, same replication)."""
from __future__ import annotations

from dataclasses import replace

import sim
from sim.app import social, tries


def test_one_next_try_rule_is_written_for_the_phone_and_for_social():
    raw = social.SocialInputs(next_try=0.25, next_try_delay="4 h").scenario(None, 1)
    phone, rep = raw["channels"]["phone"], raw["reputation"]
    delay = {"dist": "exponential", "mean": "240min"}
    assert phone["redials"] == {"probability": 0.25, "delay": delay}
    assert phone["resolution"]["call_again"] == 0.25 and phone["resolution"]["delay"] == delay
    assert rep["repeat"] == {"enabled": True, "probability": 0.25, "delay": delay}
    assert rep["deflection"] == {"enabled": True, "fraction": 0.2}
    assert all(rep[m] is False for m in tries.OFF)  # lesson 3 compares service: the rest of reputation is off
    single = social.SocialInputs(next_try=0.0, deflection=0.0).scenario(None, 1)
    assert single["reputation"]["repeat"] is False and single["reputation"]["deflection"] is False
    assert single["channels"]["phone"]["redials"]["probability"] == 0.0
    sim.parse_scenario(raw, source="lesson 3")  # both validate
    sim.parse_scenario(single, source="lesson 3")


def test_deflected_customers_are_the_same_customers_resolved_at_once():
    """Deflection removes posts, not customers: the population counted is the same with and without it, the
    deflected are resolved, and the contacts left are fewer by exactly the deflected."""
    base = social.SocialInputs(next_try=0.0)
    on = social.design_rows(replace(base, deflection=0.4).scenario(None, 1))
    off = social.design_rows(replace(base, deflection=0.0).scenario(None, 1))
    assert on["deflected"].iloc[0] > 0 and off["deflected"].iloc[0] == 0
    assert on["customers"].iloc[0] == off["customers"].iloc[0]
    assert on["resolved"].iloc[0] >= on["deflected"].iloc[0]


def test_a_next_try_gives_the_same_phone_customers_more_calls():
    """The phone design with a next try: the same customers (same count), more calls, and no fewer resolved."""
    rows = {}
    for p in (0.0, 0.8):
        raw = social.SocialInputs(next_try=p).scenario(0.0, 1)
        res = sim.run(sim.parse_scenario(raw, source="lesson 3"))
        c = res.contact_view()
        phone = c[c["channel"].astype(str) == "phone"]
        rows[p] = (phone["customer_id"].nunique(), len(phone), social.resolved_shares(res, c)["resolved"].iloc[0])
    assert rows[0.8][0] == rows[0.0][0]
    assert rows[0.8][1] > rows[0.0][1]
    assert rows[0.8][2] >= rows[0.0][2]
