"""The reputation model inside runs: exposure of real posts, pile-ons, spillover, deflection, churn and word of mouth,
the ledger's bookkeeping, and switching it off.

Statistical checks compare counts with their exact expectation given the run (a compensator: the sum of the
probabilities or intensities the model used, computed independently from the result tables) within 4·SE, with SE ≤ 0.5%
of the expectation so a 2% error would show.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import sim
from sim.engine import Model
from sim.reputation.config import reputation_of
from sim.reputation.customers import response_times
from sim.reputation.experience import BAD, valence
from sim.reputation.hawkes import mean_power_of_reach
from sim.reputation.ledger import POST_STATES
from sim.social.spec import conversation_spec
from tests.conftest import scenario

PASSIVE_ONLY = {"pile_on": False, "spillover": False, "deflection": False, "repeat": False}
ONLY_EXPOSURE = {**PASSIVE_ONLY, "word_of_mouth": False, "churn": False}


def social_raw(rate="120/h", horizon="8h", agents=3, reps=2, seed=5, reputation=None, phone=True, **social) -> dict:
    """Phone (plain queue with patience) and social posts, a team for each."""
    raw = {
        "schema": 1,
        "run": {"horizon": horizon, "replications": reps, "seed": seed},
        "channels": {"social": {
            "kind": "social", "arrivals": {"rate": rate},
            "message_time": {"dist": "exponential", "mean": "2min"},
            "exchanges": 2, "think_time": {"dist": "exponential", "mean": "3min"},
            "patience": {"dist": "exponential", "mean": "3h"},
            "mode": "session",  # the slot-holding model these checks were written for
            **social,
        }},
        "agents": {"social": {"serves": ["social"], "count": agents, "concurrency": 2}},
    }
    if phone:
        raw["channels"]["phone"] = {"arrivals": {"rate": "60/h"},
                                    "handle_time": {"dist": "exponential", "mean": "4min"},
                                    "patience": {"dist": "exponential", "mean": "2min"}}
        raw["agents"]["phone"] = {"serves": ["phone"], "count": 4}
    if reputation is not None:
        raw["reputation"] = reputation
    return raw


def run(raw: dict, reps=None, seed=None) -> sim.Results:
    return sim.run(scenario(raw), replications=reps, seed=seed)


# Switching off ------------------------------------------------------------------------------------------------------
def test_switching_reputation_off_leaves_every_other_row_identical():
    """No section, ``enabled = false``, and a model without the mechanisms that act during the run give the same
    contacts, intervals and agents tables (the last only adds its own columns)."""
    base = run(social_raw())
    for rep in ({"enabled": False}, dict(PASSIVE_ONLY)):
        other = run(social_raw(reputation=rep))
        cols = list(base.contact_view().columns)
        pd.testing.assert_frame_equal(base.contact_view(), other.contact_view()[cols])
        pd.testing.assert_frame_equal(base.intervals, other.intervals)
        pd.testing.assert_frame_equal(base.agents, other.agents)
    assert other.reputation is not None and "impressions" in other.contact_view()
    assert run(social_raw(reputation={"enabled": False})).reputation is None


# Exposure -----------------------------------------------------------------------------------------------------------
def test_posts_nobody_answers_earn_reach_times_the_integral_of_the_curve():
    """Every public post earns reach × c·F(H − posted) (DMs nothing); the interval table holds the same impressions.
    The total over the run agrees with its expectation λ·P(public)·E[R]·c·∫₀^H F(u) du (reach exponent 6 keeps
    its variance low enough for a 2% check)."""
    raw = social_raw(rate="2000/h", horizon="1d", agents=1, reps=2, phone=False, public=0.6,
                     triage={"answer": 0.0}, reach={"exponent": 6.0, "min": 50, "cap": 10_000_000},
                     reputation=dict(ONLY_EXPOSURE))
    sc = scenario(raw)
    res = sim.run(sc)
    c = res.contact_view()
    curve = reputation_of(sc).exposure
    horizon = sc.run.horizon_s
    public = c["public"].to_numpy(bool)
    exact = c["reach"].to_numpy() * curve.integral(0.0, horizon - c["arrival_at_s"].to_numpy())
    np.testing.assert_allclose(c["impressions"].to_numpy()[public], exact[public], rtol=1e-9)
    assert (c["impressions"].to_numpy()[~public] == 0).all()
    led = res.reputation
    states = [f"impressions_{s}" for s in POST_STATES]
    assert led[states].to_numpy().sum() == pytest.approx(c["impressions"].sum(), rel=1e-9)
    assert led["impressions_answered"].sum() == led["impressions_resolved"].sum() == 0
    # the whole chain against its expectation
    reach = conversation_spec(sc.channels["social"]).reach
    mean_reach = mean_power_of_reach(reach, 1.0, 1.0)
    lam = 2000 / 3600 * 0.6
    grid = np.linspace(0.0, horizon, 200_001)
    f_int = float(np.trapezoid(curve.share(grid), grid))
    expected = 2 * lam * mean_reach * curve.impressions_per_follower * f_int  # two replications
    # Var of a compound Poisson sum: λ·E[R²]·c²·∫F²
    ex2 = float(np.mean(reach.sample(np.random.default_rng(0), 2_000_000).astype(float) ** 2))
    var = 2 * lam * ex2 * curve.impressions_per_follower ** 2 * float(np.trapezoid(curve.share(grid) ** 2, grid))
    se = math.sqrt(var)
    assert 4 * se <= 0.02 * expected
    assert abs(c["impressions"].sum() - expected) <= 4 * se, (c["impressions"].sum(), expected, se)


def test_a_reply_after_a_fixed_delay_splits_the_impressions_by_state():
    """Every post answered publicly exactly 10 minutes after it was posted (fixed message time, agents always free):
    the unanswered state holds reach·c·F(10 min), the answered state the rest, weighted by the reply's value."""
    raw = social_raw(rate="60/h", horizon="12h", agents=40, reps=1, phone=False, public=1.0, to_dm=0.0,
                     message_time={"dist": "deterministic", "value": "10min"}, exchanges=1,
                     resolve={"complaint": 0.0, "question": 0.0, "praise": 0.0}, reputation=dict(ONLY_EXPOSURE))
    sc = scenario(raw)
    res = sim.run(sc)
    c = res.contact_view()
    horizon = sc.run.horizon_s
    r = c["first_response_s"].to_numpy()
    late = c["arrival_at_s"].to_numpy() > horizon - 600.0
    assert np.allclose(r[~late], 600.0, atol=1e-6) and np.isnan(r[late]).all()  # the premise: replies 10 min later
    spec = reputation_of(sc)
    curve, s = spec.exposure, spec.sentiment
    reach, age_end = c["reach"].to_numpy(), horizon - c["arrival_at_s"].to_numpy()
    cut = np.minimum(np.nan_to_num(r, nan=np.inf), age_end)
    before = reach * curve.integral(0.0, cut)
    after = reach * curve.integral(cut, age_end)
    kind = c["kind"].astype(object).to_numpy()
    w_first = np.select([kind == "complaint", kind == "question"], [s.unanswered_complaint, s.unanswered_question],
                        s.praise)
    w_after = np.where(kind == "praise", s.praise, s.answered_weight(600.0))
    np.testing.assert_allclose(c["impressions"], before + after, rtol=1e-9)
    np.testing.assert_allclose(c["net_sentiment"], w_first * before + w_after * after, rtol=1e-9, atol=1e-9)
    led = res.reputation
    assert led["impressions_unanswered_complaint"].sum() == pytest.approx(before[kind == "complaint"].sum())
    assert led["impressions_answered"].sum() == pytest.approx(after[kind != "praise"].sum())
    assert led["net_sentiment"].sum() == pytest.approx(c["net_sentiment"].sum())


# Pile-ons -----------------------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_pile_on_posts_match_their_compensator_with_replies_as_they_come():
    """The pile-on posts of a run equal in expectation Σ over public complaints of κ·w(reach)·[G(min(r, H−t)) +
    δ·(G(H−t) − G(r))⁺], r the complaint's first public reply after posting (∞: none) — the intensity the thinning
    used, whatever the replies' timing. Replies here come from a busy team, so some are fast, some slow, some never."""
    raw = social_raw(rate="900/h", horizon="1d", agents=18, reps=2, phone=False, kinds={"complaint": 1.0},
                     public=1.0, exchanges=1, message_time={"dist": "exponential", "mean": "1min"},
                     triage={"answer": 0.8},
                     reputation={**ONLY_EXPOSURE, "pile_on": {"excitation": 0.45, "kernel": "exponential",
                                                              "kernel_mean": "20min", "damping": 0.3}})
    sc = scenario(raw)
    res = sim.run(sc)
    pile = reputation_of(sc).pile_on
    reach = conversation_spec(sc.channels["social"]).reach
    c = res.contact_view()
    horizon = sc.run.horizon_s
    left = horizon - c["arrival_at_s"].to_numpy()
    r = np.nan_to_num(c["first_response_s"].to_numpy(), nan=np.inf)
    g = pile.kernel.cdf
    comp = pile.mark(c["reach"].to_numpy(), reach) * (g(np.minimum(r, left))
                                                      + pile.damping * np.maximum(g(left) - g(np.minimum(r, left)), 0))
    replied = np.isfinite(r).mean()
    assert 0.3 < replied < 0.95  # replies matter here, and not every complaint gets one
    n = (c["caused_by"] == "pile_on").sum()
    lam = comp.sum()
    assert 4 * math.sqrt(lam) <= 0.02 * lam
    assert abs(n - lam) <= 4 * math.sqrt(lam), (n, lam)
    # every pile-on names an earlier public complaint of the same replication as its cause
    piles = c[c["caused_by"] == "pile_on"]
    parents = c.set_index(["replication", "contact_id"])
    par = parents.loc[list(zip(piles["replication"], piles["cause_contact_id"]))]
    assert (par["arrival_at_s"].to_numpy() < piles["arrival_at_s"].to_numpy()).all()
    assert (par["kind"] == "complaint").all()
    assert res.summary.set_index(["channel", "metric"]).loc[("reputation", "branching_ratio"), "mean"] == \
        pytest.approx(pile.branching_ratio(reach))


def test_an_explosive_pile_on_is_refused():
    raw = social_raw(reputation={"pile_on": {"excitation": 0.8}})
    with pytest.raises(sim.ScenarioError, match=r"reputation\.pile_on\.excitation: expected a branching ratio below 1"):
        scenario(raw)
    assert reputation_of(scenario(social_raw(reputation={"pile_on": {"excitation": 0.7}}))).pile_on is not None


# Spillover ----------------------------------------------------------------------------------------------------------
def test_callers_post_with_the_logistic_probability_of_their_experience():
    """Σ posted_publicly over finished calls against Σ p(call) from the contacts table (wait from queue entry to
    answer or hang-up; abandonment counts as failed). Coefficients make p large so the Bernoulli sum is precise."""
    coef = {"intercept": 1.5, "per_wait_minute": 0.3, "failed": 1.0, "per_transfer": 0.0, "per_ivr_minute": 0.0,
            "unresolved": 0.0}
    raw = social_raw(rate="10/h", horizon="1d", agents=1, reps=2, triage={"answer": 0.0},
                     reputation={**ONLY_EXPOSURE, "spillover": coef})
    raw["channels"]["phone"]["arrivals"] = {"rate": "300/h"}
    raw["agents"]["phone"]["count"] = 19
    sc = scenario(raw)
    res = sim.run(sc)
    c = res.contact_view()
    calls = c[(c["channel"] == "phone") & c["outcome"].isin(["served", "abandoned"])]
    end = np.where(calls["answer_at_s"].notna(), calls["answer_at_s"], calls["end_at_s"])
    wait = end - calls["arrival_at_s"].to_numpy()
    x = coef["intercept"] + coef["per_wait_minute"] * wait / 60 + coef["failed"] * (calls["outcome"] == "abandoned")
    p = 1 / (1 + np.exp(-x.to_numpy(float)))
    posted = calls["posted_publicly"].to_numpy(bool)
    se = math.sqrt((p * (1 - p)).sum())
    assert 4 * se <= 0.02 * p.sum()
    assert abs(posted.sum() - p.sum()) <= 4 * se, (posted.sum(), p.sum(), se)
    assert 0.05 < (calls["outcome"] == "abandoned").mean()  # waits and abandonment vary
    # the posts: complaints in public on the social channel, after the call, by the same customer
    spill = c[c["caused_by"] == "spillover"]
    assert len(spill) > 0.95 * posted.sum() and (spill["kind"] == "complaint").all() and spill["public"].all()
    src = c.set_index(["replication", "contact_id"]).loc[list(zip(spill["replication"], spill["cause_contact_id"]))]
    assert (src["end_at_s"].to_numpy() <= spill["arrival_at_s"].to_numpy()).all()
    assert (src["customer_id"].to_numpy() == spill["customer_id"].to_numpy()).all()
    assert res.reputation["spillover_posts"].sum() == len(spill)


# Deflection ---------------------------------------------------------------------------------------------------------
def test_deflected_questions_match_their_probabilities():
    """Questions on 3 topics, answered in public at once: later questions are deflected with P = 1 − Π(1 − f·e^(−Δ/τ));
    the deflected count agrees with Σ P over the questions that arrived (4·SE), and the ledger books each one."""
    raw = social_raw(rate="300/h", horizon="1d", agents=30, reps=1, phone=False, kinds={"question": 1.0},
                     public=1.0, exchanges=1, message_time={"dist": "deterministic", "value": "1min"},
                     reputation={**ONLY_EXPOSURE, "deflection": {"fraction": 0.9, "duration": "2h", "topics": 3}})
    sc = scenario(raw)
    raw_out = Model(sc, 0, sc.run.seed).run()
    ev = raw_out["reputation"]
    p = ev["deflection_p"]
    n = len(ev["deflected_at_s"])
    se = math.sqrt((p * (1 - p)).sum())
    assert 4 * se <= 0.02 * p.sum()
    assert abs(n - p.sum()) <= 4 * se, (n, p.sum(), se)
    res = sim.run(sc, replications=[0])
    assert res.reputation["deflected"].sum() == n
    assert len(res.contact_view()) + n == len(p)  # every question either became a contact or was deflected


# Word of mouth, churn, money ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("as_categories", [True, False])
def test_a_call_chain_is_answered_from_its_first_attempt(as_categories):
    """R of a call runs from the arrival of its chain's first attempt (redials and callbacks continue a chain, a repeat
    call starts one) to its answer; a conversation's R is its first response, self-service's 0 — whatever the rows'
    order and whether labels are category columns or text."""
    rows = [  # customer, attempt, origin, channel kind, arrival, answer, first response, outcome
        (7, 3, "callback", "phone", 300.0, 900.0, np.nan, "served"),
        (7, 1, "first", "phone", 100.0, np.nan, np.nan, "abandoned"),
        (8, 1, "first", "phone", 50.0, 80.0, np.nan, "served"),
        (7, 2, "redial", "phone", 200.0, np.nan, np.nan, "callback"),
        (7, 4, "repeat", "phone", 2000.0, 2100.0, np.nan, "served"),
        (9, 1, None, "social", 10.0, np.nan, 40.0, "served"),
        (8, 2, "repeat", "phone", 500.0, np.nan, np.nan, "self_served"),
    ]
    cust, att, origin, kinds, arrival, answer, first, outcome = map(list, zip(*rows))
    label = (lambda v: pd.Categorical(v)) if as_categories else (lambda v: pd.Series(v, dtype=object))
    c = pd.DataFrame({"customer_id": cust, "attempt": att, "origin": label(origin), "arrival_at_s": arrival,
                      "answer_at_s": answer, "first_response_s": first, "outcome": label(outcome)})
    r = response_times(c, np.array(kinds, dtype=object))
    np.testing.assert_array_equal(r, [900.0 - 100.0, np.nan, 30.0, np.nan, 100.0, 40.0, 0.0])


def test_word_of_mouth_churn_and_revenue_at_risk_on_a_phone_queue():
    """A phone queue alone (nothing public): each finished call tells share × told people, good or bad; the customers
    who leave are bad experiences, in the number their churn probabilities give (disconfirmation module notes)."""
    raw = {"schema": 1, "run": {"horizon": "1d", "replications": 2, "seed": 9},
           "channels": {"phone": {"arrivals": {"rate": "400/h"}, "handle_time": {"dist": "exponential", "mean": "4min"},
                                  "patience": {"dist": "exponential", "mean": "1min"}}},
           "agents": {"phone": {"serves": ["phone"], "count": 24, "cost_per_hour": 30.0}},
           "reputation": {"value_per_customer": 400.0, "churn": {"probability": 0.95}}}
    sc = scenario(raw)
    res = sim.run(sc)
    spec = reputation_of(sc)
    c = res.contact_view()
    v = valence(c)
    wom = spec.word_of_mouth
    ended = c["end_at_s"].notna().to_numpy()
    told = np.where(ended, wom.share * np.select([v == 1, v == -1], [wom.told_good, wom.told_bad], 0.0), 0.0)
    np.testing.assert_allclose(c["impressions"], told)
    np.testing.assert_allclose(c["net_sentiment"], told * np.select([v == 1, v == -1], [wom.good, wom.bad], 0.0))
    cand = ended & (v == BAD)
    churned = c["churned"].to_numpy(bool)
    assert not churned[~cand].any()  # a served call comes well within the 2 h expected: nobody else leaves
    # a bad experience leaves with 0.95; a caller never answered was also late (d = 1): 1 − 0.05·(1 − churn_late)
    late = cand & c["answer_at_s"].isna().to_numpy()
    p = np.where(late, 1 - 0.05 * (1 - reputation_of(sc).disconfirmation.churn_late), 0.95)[cand]
    k = p.sum()
    se = math.sqrt((p * (1 - p)).sum())
    assert 4 * se <= 0.02 * k and abs(churned.sum() - k) <= 4 * se
    led = res.reputation
    assert led["churned"].sum() == churned.sum()
    assert led["revenue_at_risk"].sum() == pytest.approx(400.0 * churned.sum())
    assert led["money_equivalent"].sum() == pytest.approx(-400.0 * churned.sum())  # no replies on a phone queue
    s = res.summary.set_index(["channel", "metric"])["mean"]
    assert s[("reputation", "churned")] == pytest.approx(churned.sum() / 2)
    assert s[("reputation", "net_reputation")] == pytest.approx(c["net_sentiment"].sum() / 2)


def test_the_same_customers_churn_in_both_designs():
    """Churn draws are keyed by contact: a contact that is a candidate in two designs churns in both or neither."""
    raw = {"schema": 1, "run": {"horizon": "8h", "replications": 1, "seed": 9},
           "channels": {"phone": {"arrivals": {"rate": "400/h"}, "handle_time": {"dist": "exponential", "mean": "4min"},
                                  "patience": {"dist": "exponential", "mean": "1min"}}},
           "agents": {"phone": {"serves": ["phone"], "count": 26}}, "reputation": {}}
    a = run(raw).contact_view().set_index("contact_id")
    raw["agents"]["phone"]["count"] = 24
    b = run(raw).contact_view().set_index("contact_id")
    both = a.index.intersection(b.index)
    cand = (valence(a.loc[both]) == BAD) & (valence(b.loc[both]) == BAD)
    assert cand.sum() > 50
    assert (a.loc[both, "churned"].to_numpy(bool)[cand] == b.loc[both, "churned"].to_numpy(bool)[cand]).all()


# Scenario errors ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("rep,key", [
    ({"pile_on": {"excitation": -1}}, "reputation.pile_on.excitation"),
    ({"pile_on": {"kernel": "gaussian"}}, "reputation.pile_on.kernel"),
    ({"pile_on": {"kernel_mean": "10min"}}, "reputation.pile_on.kernel_mean"),
    ({"exposure": {"peak": "10min", "half_life": "12min"}}, "reputation.exposure.half_life"),
    ({"sentiment": {"reply_value": [["60min", 2.0], ["6min", 20.0]]}}, "reputation.sentiment.reply_value"),
    ({"spillover": {"to": "phone"}}, "reputation.spillover.to"),
    ({"spillover": {"from": ["social"]}}, "reputation.spillover.from[0]"),
    ({"churn": {"probability": 2}}, "reputation.churn.probability"),
    ({"deflection": {"topics": 0}}, "reputation.deflection.topics"),
    ({"word_of_mouth": {"shares": 0.4}}, "reputation.word_of_mouth.shares"),
    ({"value_per_customer": "a lot"}, "reputation.value_per_customer"),
])
def test_bad_reputation_keys_are_named(rep, key):
    with pytest.raises(sim.ScenarioError) as err:
        scenario(social_raw(reputation=rep))
    assert key in str(err.value)


def test_mechanisms_that_need_a_social_channel_say_so():
    raw = {"schema": 1, "channels": {"phone": {"arrivals": {"rate": "60/h"},
                                               "handle_time": {"dist": "exponential", "mean": "4min"}}},
           "agents": {"phone": {"serves": ["phone"], "count": 5}}, "reputation": {"spillover": {"intercept": -3.0}}}
    with pytest.raises(sim.ScenarioError, match=r"reputation\.spillover: expected a scenario with a social channel"):
        scenario(raw)
    raw["reputation"] = {}  # by default they are simply off without one
    assert reputation_of(scenario(raw)) is not None


def test_results_write_the_ledger_and_its_figure(tmp_path):
    res = run(social_raw(reps=1, reputation={"value_per_customer": 100.0}))
    paths = res.write(tmp_path)
    assert (tmp_path / "reputation.parquet") in paths and (tmp_path / "reputation_ledger.png").stat().st_size > 10_000
    back = pd.read_parquet(tmp_path / "reputation.parquet")
    pd.testing.assert_frame_equal(back, res.reputation, check_dtype=False)
    contacts = pd.read_parquet(tmp_path / "contacts.parquet")
    assert {"impressions", "net_sentiment", "posted_publicly", "churned", "caused_by"} <= set(contacts.columns)
