"""The spillover is a row of the next-try rule (sim.next_try.provided): run by sim.next_try.follow_up, its probability
from the reputation model, on its own keyed stream; a feature's rows are run the same way (about 20 s)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import sim
import sim.engine
from sim.core import Model
from sim.distributions import Deterministic
from sim.extensions import FEATURES, NEXT_TRY_RUN, Feature
from sim.next_try import next_try_table
from sim.next_try.rows import Row
from sim.outcomes import OUTCOMES
from sim.reputation.config import reputation_of
from sim.reputation.keyed import KeyedDraws
from sim.streams import Streams
from tests.conftest import scenario
from tests.test_reputation_model import ONLY_EXPOSURE, social_raw

COEF = {"intercept": -1.0, "per_wait_minute": 0.3, "failed": 1.0, "per_transfer": 0.0, "per_ivr_minute": 0.0,
        "unresolved": 0.0}


def _raw(spillover, horizon="8h", **extra) -> dict:
    """Phone (plain queue, callers who wait and give up) and social posts; only exposure and the spillover on."""
    raw = social_raw(rate="10/h", horizon=horizon, agents=1, reps=1, seed=11, triage={"answer": 0.0},
                     reputation={**ONLY_EXPOSURE, "spillover": spillover})
    raw["channels"]["phone"]["arrivals"] = {"rate": "120/h"}
    raw["agents"]["phone"]["count"] = 8
    raw.update(extra)
    return raw


def test_the_spillover_is_a_row_the_follow_up_part_runs():
    sc = scenario(_raw(COEF))
    t = next_try_table(sc).set_index("key")
    row = t.loc["reputation.spillover"]
    assert (row["from_channel"], row["to_channel"], row["after"]) == ("phone", "social", "any end of a call")
    assert row["executed_by"] == "sim.next_try.follow_up" and math.isnan(row["probability"])
    model = sim.engine.Model(sc, 0, sc.run.seed)
    part = model.parts["next_try_run"]
    assert not part.own  # no row of the scenario's own: only the one the reputation model offers, on its stream
    assert [(g.stream, g.every_end) for g in part.by_from[("phone", "served")]] == [("reputation.spillover", True)]
    assert not hasattr(model.parts["reputation"], "contact_ended")  # the reputation model no longer decides it
    assert "next_try_of" not in model.book["contacts"].columns  # no contact of the part's own: no column


def test_each_call_decides_on_its_own_keyed_uniform_against_its_experience():
    """posted_publicly is exactly u < p(call): u the first draw of the stream reputation.spillover keyed by the call's
    id, p the logistic of the call's wait and failure (the row's probability, supplied by the reputation model)."""
    sc = scenario(_raw(COEF))
    res = sim.run(sc)
    c = res.contact_view()
    calls = c[(c["channel"] == "phone") & c["outcome"].isin(["served", "abandoned"])]
    draws = KeyedDraws(Streams(sc.run.seed, 0), "reputation.spillover")
    u = np.array([float(draws.at((int(i),)).random()) for i in calls["contact_id"]])
    end = np.where(calls["answer_at_s"].notna(), calls["answer_at_s"], calls["end_at_s"])
    wait = np.maximum(0.0, end - calls["arrival_at_s"].to_numpy())
    sp = reputation_of(sc).spillover
    p = np.array([sp.probability(w, 0.0, 0.0, o == "abandoned", False)
                  for w, o in zip(wait, calls["outcome"].astype(object))])
    posted = calls["posted_publicly"].to_numpy(bool)
    assert 30 < posted.sum() < len(posted) - 30  # both kinds of callers
    assert (posted == (u < p)).all()
    spill = c[c["caused_by"] == "spillover"]
    assert set(spill["cause_contact_id"]) <= set(calls.loc[posted, "contact_id"]) and len(spill) > 0.9 * posted.sum()


def test_the_row_delay_and_the_caller_carry_over_to_the_post():
    """A fixed delay: every spillover post reaches the brand exactly that long after its call ended, by the caller."""
    sc = scenario(_raw({**COEF, "delay": {"dist": "deterministic", "value": "7min"}}))
    c = sim.run(sc).contact_view()
    spill = c[c["caused_by"] == "spillover"]
    calls = c.set_index("contact_id").loc[spill["cause_contact_id"]]
    assert len(spill) > 30
    np.testing.assert_allclose(spill["arrival_at_s"].to_numpy() - calls["end_at_s"].to_numpy(), 420.0, atol=1e-6)
    assert (spill["customer_id"].to_numpy() == calls["customer_id"].to_numpy()).all()
    assert calls["posted_publicly"].all()


def test_probability_zero_is_no_spillover_and_leaves_every_other_row_identical():
    off = sim.run(scenario(_raw(False)))
    zero = sim.run(scenario(_raw({**COEF, "intercept": -1000.0})))
    calls = zero.contacts[zero.contacts["channel"] == "phone"]  # (a public post is posted_publicly too)
    assert len(calls) > 500 and not calls["posted_publicly"].any()
    assert (zero.contacts["caused_by"] != "spillover").all()
    cols = list(off.contacts.columns)  # (spillover off, nothing of reputation acts during the run: no caused_by)
    pd.testing.assert_frame_equal(off.contacts[cols], zero.contacts[cols])
    pd.testing.assert_frame_equal(off.intervals, zero.intervals)


def test_the_spillover_and_the_redials_decide_independently():
    """Rows of different streams: a caller who gives up may both redial (next_try stream) and post (the spillover's
    stream). Every caller posts; every failed caller redials, until the attempts cap."""
    raw = _raw({**COEF, "intercept": 50.0})
    raw["channels"]["phone"]["redials"] = {"probability": 1.0, "delay": {"dist": "exponential", "mean": "2min"},
                                           "max_attempts": 3}
    c = sim.run(scenario(raw)).contact_view()
    calls = c[(c["channel"] == "phone") & (c["outcome"].astype(object) != "open")]
    assert calls["posted_publicly"].all()
    failed = calls[calls["outcome"].isin(["abandoned", "blocked", "abandoned_ivr"]) & (calls["attempt"] < 3)
                   & (calls["end_at_s"] < 8 * 3600 - 3600)]
    assert len(failed) > 30 and failed["followed_by"].notna().all()


def test_a_next_try_row_where_the_spillover_posts_is_refused_with_the_way_out():
    row = [{"from": "phone", "after": ["abandoned"], "to": "social", "probability": 0.3}]
    with pytest.raises(sim.ScenarioError, match=r"next_try\[0\]\.to: expected another channel than social: "
                                                r"reputation\.spillover is already the row from phone to social"):
        scenario(_raw(COEF, next_try=row))
    sc = scenario(_raw(False, next_try=row))  # the spillover off: the row is the scenario's
    assert list(next_try_table(sc)["key"]) == ["next_try[0]"]


class _Echo:
    """A feature's part offering one row: after every end of a phone call, answered or abandoned, with probability
    1, a fixed 60 s later (it only records what the follow-up part tells it)."""

    def __init__(self, model):
        self.model, self.chosen, self.started = model, [], []

    def next_try_rows(self):
        return [Row("phone", OUTCOMES, "phone", math.nan, Deterministic(60.0), math.inf, "echo", stream="test.echo",
                    every_end=True)]

    def next_try_probability(self, row, c) -> float:
        return 1.0 if c.outcome in ("served", "abandoned") else 0.0

    def next_try_chosen(self, row, c) -> None:
        self.chosen.append(c.id)

    def next_try_start(self, row, contact_id, customer_id, attempt) -> None:
        self.started.append((self.model.now, contact_id, customer_id, attempt))


def test_a_feature_row_is_run_with_the_feature_probability_and_delay():
    i = FEATURES.index(NEXT_TRY_RUN)
    features = (*FEATURES[:i], Feature("echo", "a test row", attach=_Echo), *FEATURES[i:])
    sc = scenario(_raw(False, horizon="4h"))
    model = Model(sc, 0, sc.run.seed, features)
    model.run()
    echo = model.parts["echo"]
    ended = [c for c in model.contacts if c.channel == "phone" and c.outcome in ("served", "abandoned")]
    assert sum(c.outcome == "served" for c in ended) > 100 and sum(c.outcome == "abandoned" for c in ended) > 5
    assert sorted(echo.chosen) == sorted(c.id for c in ended)  # served calls too: the row follows every end
    due = sorted((c.end + 60.0, c.id, c.customer_id, c.attempt + 1) for c in ended if c.end + 60.0 < model.horizon)
    assert sorted(echo.started) == due


def test_the_first_uniform_without_the_generator_is_the_generators_first_draw():
    """KeyedDraws.uniform / uniform_of (PCG64's first step and output in integers) give at(key).random() exactly, and
    at(key) after them still starts at that draw (the row's delay comes next)."""
    draws = KeyedDraws(Streams(2024, 3), "reputation.spillover")
    ids = [0, 1, -1, 2**63 - 1, -2**63, 700_000_017, *np.random.default_rng(5).integers(-2**63, 2**63 - 1, 3000)]
    assert all(draws.uniform_of(int(i)) == float(draws.at((int(i),)).random()) for i in ids)
    assert all(draws.uniform((int(i), 2, 0)) == float(draws.at((int(i), 2, 0)).random()) for i in ids[:300])
    assert draws.uniform_of(np.int64(12)) == draws.uniform_of(12) == draws.uniform((12.0,))
    three = draws.at((99,)).random(3).tolist()
    first = draws.uniform_of(99)
    g = draws.at((99,))
    g.random()  # the uniform taken without it
    assert [first, *g.random(2).tolist()] == three
