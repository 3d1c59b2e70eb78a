"""[choice]: one population of customers choosing among channels (sim.choice). Every customer lands on exactly one
channel, designs that differ in shares meet the same customers with the same attributes, a customer moves only toward
the channel whose share grows, and the shares hold (binomial, 4·SE)."""
from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

import sim
from sim.errors import ScenarioError
from tests.conftest import ROOT, erlang_raw, scenario

STUDY = ROOT / "scenarios" / "study_funnel_vs_social.toml"


def two_channel_raw(phone: float, rate: str = "300/h", horizon: str = "4h", reps: int = 2) -> dict:
    """A plain phone queue and a social channel with the same arrivals, chosen with shares phone / 1 − phone."""
    raw = erlang_raw(n=3, rate=rate, horizon=horizon, reps=reps)
    raw["channels"]["social"] = {
        "kind": "social", "arrivals": copy.deepcopy(raw["channels"]["phone"]["arrivals"]),
        "message_time": {"dist": "exponential", "mean": "60s"},
    }
    raw["agents"]["social"] = {"serves": ["social"], "count": 2, "concurrency": 2}
    raw["choice"] = {"channels": {"phone": phone, "social": round(1 - phone, 12)}}
    return raw


def study(phone: float, reps: int = 1):
    sc = sim.load_scenario(STUDY, overrides={"choice.channels": {"phone": phone, "social": round(1 - phone, 12)},
                                             "agents.social_team.count": 25})
    return sim.run(sc, replications=reps, seed=3).contact_view()


def population_index(c: pd.DataFrame) -> pd.Series:
    return c["contact_id"] % 10**9


def test_choice_problems_are_reported_with_their_keys():
    raw = two_channel_raw(0.5)
    raw["choice"]["channels"] = {"phone": 0.5, "social": 0.4}
    with pytest.raises(ScenarioError, match=r'test.toml: choice.channels: expected shares summing to 1, got "shares '
                                            r'summing to 0.9"'):
        scenario(raw)
    raw["choice"]["channels"] = {"phone": 0.5, "sociall": 0.5}
    with pytest.raises(ScenarioError, match=r"choice.channels.sociall: expected a channel of this scenario"):
        scenario(raw)
    raw["choice"]["channels"] = {"phone": "half", "social": 0.5}
    with pytest.raises(ScenarioError, match=r"choice.channels.phone: expected a share from 0 to 1"):
        scenario(raw)
    raw["choice"]["channels"] = {"phone": 1.0}
    with pytest.raises(ScenarioError, match=r"choice.channels: expected .* with at least two channels"):
        scenario(raw)
    raw = two_channel_raw(0.5)
    raw["channels"]["social"]["arrivals"] = {"rate": "200/h"}
    with pytest.raises(ScenarioError, match=r"channels.social.arrivals: expected the same arrivals as channels.phone"):
        scenario(raw)
    raw = two_channel_raw(0.5)
    raw["choice"] = {"colour": 1, "channels": {"phone": 0.7, "social": 0.7}}
    with pytest.raises(ScenarioError) as e:
        scenario(raw)
    assert [p.key for p in e.value.problems] == ["choice.colour", "choice.channels"]  # both at once


def test_every_customer_lands_on_exactly_one_channel():
    full = sim.run(scenario(two_channel_raw(1.0)), seed=5).contact_view()
    half = sim.run(scenario(two_channel_raw(0.5)), seed=5).contact_view()
    for rep in (0, 1):
        everyone = set(population_index(full[full.replication == rep]))
        h = half[half.replication == rep]
        phone, social = set(population_index(h[h.channel == "phone"])), set(population_index(h[h.channel == "social"]))
        assert not phone & social
        assert phone | social == everyone == set(range(1, len(everyone) + 1))
        assert len(phone) > 0 and len(social) > 0


def test_designs_meet_the_same_customers_with_the_same_attributes():
    """The phone funnel's and the conversations' per-customer draws do not depend on who else chose the channel."""
    all_phone, blend, all_social = study(1.0), study(0.5), study(0.0)
    first = lambda c: c[(c.channel == "phone") & (c.attempt == 1)].set_index("contact_id")
    cols = ["arrival_at_s", "department", "priority", "ivr_s", "misrouted", "zero_out"]
    b, a = first(blend), first(all_phone)
    a = a.loc[b.index]
    # the IVR path and time are the customer's own draws, unless a busy signal kept them out (lines are shared) or
    # midnight cut the menu short
    both = (b["outcome"] != "blocked").to_numpy() & (a["outcome"] != "blocked").to_numpy()
    both &= (b["arrival_at_s"] + b["ivr_s"] < 86400 - 1).to_numpy()
    assert both.mean() > 0.95
    pd.testing.assert_frame_equal(b.loc[both, cols], a.loc[both, cols])
    # posts of the population (pile-ons and complaints of callers, caused by sim.reputation, are not customers of it)
    posts = lambda c: c[(c.channel == "social") & c["caused_by"].isna()].set_index("contact_id")
    cols = ["arrival_at_s", "kind", "reach", "public", "exchanges_planned", "base_work_s"]
    b, s = posts(blend), posts(all_social)
    pd.testing.assert_frame_equal(b[cols], s.loc[b.index, cols])
    assert len(b) + len(first(blend)) == len(first(all_phone)) == len(s)
    # the same arrival instants in every design
    assert np.array_equal(np.sort(np.r_[b["arrival_at_s"], first(blend)["arrival_at_s"]]),
                          np.sort(s["arrival_at_s"].to_numpy()))


def test_raising_a_share_only_moves_customers_to_that_channel():
    low = sim.run(scenario(two_channel_raw(0.3)), seed=9).contact_view()
    high = sim.run(scenario(two_channel_raw(0.6)), seed=9).contact_view()
    for rep in (0, 1):
        def on_phone(c, rep=rep):
            return set(population_index(c[(c.replication == rep) & (c.channel == "phone")]))
        assert on_phone(low) < on_phone(high)


def test_shares_and_population_size_hold():
    """Binomial choice and Poisson population: |estimate − exact| ≤ 4·SE, with 4·SE ≤ 2% of the exact value."""
    raw = two_channel_raw(0.5, rate="3000/h", horizon="12h", reps=2)
    raw["agents"]["phone"]["count"] = 1
    raw["agents"]["social"]["count"] = 1
    c = sim.run(scenario(raw), seed=11).contact_view()
    n = len(c)
    phone = int((c["channel"] == "phone").sum())
    se = np.sqrt(0.5 * 0.5 / n)
    assert 4 * se <= 0.02 * 0.5
    assert abs(phone / n - 0.5) <= 4 * se
    expected = 3000 * 12  # per replication
    se_n = np.sqrt(expected / 2)  # mean of 2 Poisson counts
    assert 4 * se_n <= 0.02 * expected
    assert abs(n / 2 - expected) <= 4 * se_n
