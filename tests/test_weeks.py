"""Reputation over weeks (sim.weeks, docs/reputation_weeks.md): thinning against the integral of the rate, common
candidates across designs, incident volume, the state's decay, delay-sensitive choice, paired direction checks.

The exact checks use numpy only (no kernel); the direction checks run one week of the kernel per design (~15 s).
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.demand import candidates, thin
from sim.incidents import Incident, incident_times, status_post
from sim.population import Population, PopulationSpec
from sim.reputation.deflection import Deflection, DeflectionBoard, StatusPost
from sim.reputation.state import ReputationState, StateSpec
from sim.streams import Streams
from sim.weeks.model import DAY, WeeksRun, day_plan, run_weeks, with_design

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "weeks_reputation.toml"


@pytest.fixture
def scenario():
    return sim.load_scenario(SCENARIO)


def test_thinning_with_a_clamped_piece_gives_the_integral_of_min_rate_bound():
    starts = np.array([0.0, 3600.0, 7200.0])
    bound = np.array([0.3, 0.3, 0.1])
    rate = np.array([0.2, 0.05, 0.4])  # the last piece would exceed the bound: clamped at it
    exact = 3600 * (0.2 + 0.05 + 0.1)
    rng = np.random.default_rng(7)
    counts, clamps, in_last = [], 0, 0
    for _ in range(200):
        c = candidates(starts, bound, 10800.0, rng)
        at = rate[np.searchsorted(starts, c.times, side="right") - 1]
        b = bound[np.searchsorted(starts, c.times, side="right") - 1]
        ok, n_clamped = thin(c, at, b)
        counts.append(ok.sum())
        clamps += n_clamped
        in_last += int((c.times >= 7200).sum())
    counts = np.array(counts, float)
    se = counts.std(ddof=1) / math.sqrt(len(counts))
    assert 4 * se < 0.02 * exact
    assert abs(counts.mean() - exact) <= 4 * se
    assert clamps == in_last  # every candidate of the clamped piece is counted, no other


def test_with_the_state_held_fixed_arrivals_per_day_equal_the_integral_of_the_rate(scenario):
    sc = with_design(scenario, feedback=False)
    run = WeeksRun(sc, (), 0, 11)
    counts = []
    for d in range(60):
        plan = day_plan(sc, sc.sections["weeks"], run.streams, d)
        new, ret = run.rates(plan)
        idx = np.searchsorted(plan.starts, plan.regular.times, side="right") - 1
        ok, clamped = thin(plan.regular, (new + ret)[idx], plan.bound[idx])
        assert clamped == 0
        counts.append(ok.sum())
    exact = float(np.sum((new + ret) * np.diff(np.append(plan.starts, DAY))))
    assert exact == pytest.approx(840.0)  # the scenario's demand: 30 half-hours × (20 + 8)
    counts = np.array(counts, float)
    se = counts.std(ddof=1) / math.sqrt(len(counts))
    assert 4 * se < 0.02 * exact
    assert abs(counts.mean() - exact) <= 4 * se


def test_two_designs_meet_identical_candidate_tables(scenario):
    a = with_design(scenario, feedback=True, incident=Incident(DAY + 36000, 6 * 3600, 300))
    b = sim.load_scenario(SCENARIO, overrides={"agents.social.count": 9})
    b = with_design(b, incident=Incident(DAY + 36000, 6 * 3600, 300, proactive=True))
    for d in range(3):
        pa = day_plan(a, a.sections["weeks"], Streams(5, 2), d)
        pb = day_plan(b, b.sections["weeks"], Streams(5, 2), d)
        pd.testing.assert_frame_equal(pa.regular.table(), pb.regular.table())
        pd.testing.assert_frame_equal(pa.incident.table(), pb.incident.table())
    assert len(pa.regular) > 1000 and len(day_plan(a, a.sections["weeks"], Streams(5, 2), 1).incident) > 0


def test_incident_volume_equals_its_configured_integral():
    inc = Incident(start_s=DAY - 2 * 3600, duration_s=6 * 3600, volume=800)  # spans midnight
    rng = np.random.default_rng(3)
    totals = []
    for _ in range(100):
        t0 = incident_times(inc, 0, DAY, rng)
        t1 = incident_times(inc, DAY, 2 * DAY, rng)
        assert np.all((t0 >= inc.start_s) & (t0 < DAY)) and np.all(t1 < inc.start_s + inc.duration_s - DAY)
        totals.append(len(t0) + len(t1))
    assert inc.expected(0, DAY) + inc.expected(DAY, 2 * DAY) == pytest.approx(800)
    totals = np.array(totals, float)
    se = totals.std(ddof=1) / math.sqrt(len(totals))
    assert 4 * se < 0.02 * 800
    assert abs(totals.mean() - 800) <= 4 * se


def test_a_status_post_is_a_public_answer_of_the_deflection_board():
    assert status_post(Incident(0.0, 3600.0)) is None  # reactive: no post
    post = status_post(Incident(0.0, 3600.0, topic="outage", proactive=True))
    assert post == StatusPost(1800.0, "outage", 0.3)
    board = DeflectionBoard(Deflection(fraction=0.2, duration_s=3600.0), (post,))
    assert [board.probability("phone", "outage", t) for t in (0.0, 1799.0)] == [0.0, 0.0]
    assert board.probability("phone", "outage", 1800.0) == pytest.approx(0.3)
    assert board.probability("social", "outage", 90000.0) == pytest.approx(0.3)  # every channel, stays up
    assert board.probability("social", 3, 5000.0) == 0.0  # another topic
    board.answered("social", "outage", 2000.0)  # an answer to a question on the topic: independent chances
    assert board.probability("social", "outage", 5600.0) == pytest.approx(1 - 0.7 * (1 - 0.2 * math.exp(-1.0)))
    assert board.probability("phone", "outage", 5600.0) == pytest.approx(0.3)  # the answer was on social only
    # the decisions: deflected with the probability, each recorded (the reputation table's deflected)
    u = np.random.default_rng(4).random(100_000)
    board = DeflectionBoard(Deflection(), (post,))
    hits = np.array([board.decide("phone", "outage", 2000.0, x) for x in u])
    se = math.sqrt(0.3 * 0.7 / len(u))
    assert abs(hits.mean() - 0.3) <= 4 * se and 4 * se < 0.02 * 0.3
    assert len(board.deflected) == hits.sum() and board.p == [pytest.approx(0.3)] * len(u)


def test_a_proactive_status_post_deflects_through_the_board_and_counts_as_resolved(scenario):
    """A post that deflects every incident contact: they make no contact, and every one is in ``deflected`` and in
    ``resolved``, as a deflected question is; the day's other customers meet the same candidates as without it."""
    one = dict(weeks=1, warmup_weeks=0)
    calm = run_weeks(with_design(scenario, **one), replications=1, seed=3)
    inc = Incident(10 * 3600, 6 * 3600, 300, proactive=True, post_after_s=0.0, deflect=1.0)
    post = run_weeks(with_design(scenario, **one, incident=inc), replications=1, seed=3)
    d0 = post.iloc[0]
    assert d0["incident"] > 200 and d0["deflected"] == d0["incident"]
    for col in ("accepted", "contacts_phone", "contacts_social"):
        assert d0[col] == calm.iloc[0][col]
    quiet = sim.load_scenario(SCENARIO, overrides={"channels.phone.arrivals.volumes": [0] * 48,
                                                   "channels.social.arrivals.volumes": [0] * 48})
    only = run_weeks(with_design(quiet, **one, incident=inc), replications=1, seed=3).iloc[0]
    assert only["incident"] > 200 and only["contacts_phone"] + only["contacts_social"] == 0
    assert only["resolved"] == only["deflected"] == only["incident"]
    # questions deflected by public answers within a day land in the same column
    rep = sim.load_scenario(SCENARIO, overrides={"reputation.enabled": True})
    assert run_weeks(with_design(rep, weeks=1, warmup_weeks=0), replications=1, seed=3)["deflected"].sum() > 0
    assert calm["deflected"].sum() == 0


def test_customers_won_follow_word_of_mouth_and_the_customer_ledger_balances(scenario):
    from sim.reputation.word_of_mouth import WordOfMouth

    days = _week(scenario)
    assert (days["won"] >= 0).all() and days["won"].sum() > 0
    prev = np.append(scenario.sections["weeks"].population.known, days["active"].to_numpy()[:-1])
    assert np.array_equal(days["active"] - prev, days["new"] + days["won"] - days["lost"] - days["gone"])
    wom = WordOfMouth()
    good_social = days["contacts_social"] - days["public_bad"]
    good_phone = days["contacts_phone"] - (days["bad"] - days["public_bad"])
    told = wom.share * wom.told_good * (good_phone + wom.social_multiplier * good_social)
    expected = wom.conversion * told.sum()  # expected customers won; whole ones join, the rest carries over
    assert expected - 1 < days["won"].sum() <= expected + 1e-9
    assert (days["value_won"] == 400.0 * days["won"]).all() and (days["value_lost"] == 400.0 * days["lost"]).all()
    fixed = _week(scenario, feedback=False)
    assert fixed["won"].sum() == 0 and fixed["deterred"].sum() == 0


def test_the_state_decays_by_its_half_life():
    spec = StateSpec(half_life_days=5.0, initial=100.0)
    s = ReputationState(spec)
    for d in range(1, 11):
        s.end_of_day(0.0)
        assert s.value == pytest.approx(100.0 * 0.5 ** (d / 5.0), rel=1e-12)
    b = [3.0, 0.0, 7.0, 1.0]
    s = ReputationState(StateSpec(half_life_days=2.0))
    for x in b:
        s.end_of_day(x)
    delta = 0.5 ** 0.5
    assert s.value == pytest.approx(sum(x * delta ** (len(b) - 1 - k) for k, x in enumerate(b)), rel=1e-12)
    assert s.demand_multiplier() == pytest.approx(math.exp(-spec.sensitivity * s.value))


def test_choice_is_the_delay_sensitive_logit_and_a_bad_call_pushes_customers_to_post():
    spec = PopulationSpec(known=400_000, shares={"phone": 0.7, "social": 0.3}, delay_scale_s=600.0)
    pop = Population(spec, ("phone", "social"))
    ids = np.arange(400_000)
    u = np.random.default_rng(1).random(len(ids))
    published = np.array([600.0, 1200.0])
    social = pop.choose(ids, u, published) == 1
    w = np.array([0.7 * math.exp(-1.0), 0.3 * math.exp(-2.0)])
    p = w[1] / w.sum()
    se = math.sqrt(p * (1 - p) / len(ids))
    assert abs(social.mean() - p) <= 4 * se and 4 * se < 0.02 * p
    slower_phone = pop.choose(ids, u, np.array([1800.0, 1200.0])) == 1
    assert np.all(slower_phone >= social) and slower_phone.mean() > social.mean()  # same uniforms: only moves to social
    half = ids[:200_000]
    pop.record(half, np.zeros(len(half), np.int64), np.full(len(half), 600.0), np.ones(len(half), bool),
               np.ones(len(half)))  # a bad call each, nobody lost (loss uniforms 1)
    after = pop.choose(ids, u, published) == 1
    assert np.all(after >= social) and after[:200_000].mean() > social[:200_000].mean()
    assert np.array_equal(after[200_000:], social[200_000:])


def _week(scenario, **changes):
    return run_weeks(with_design(scenario, weeks=1, warmup_weeks=0, **changes), replications=1, seed=3)


def test_a_larger_social_team_retains_more_customers(scenario):
    small = _week(sim.load_scenario(SCENARIO, overrides={"agents.social.count": 1}))
    large = _week(sim.load_scenario(SCENARIO, overrides={"agents.social.count": 6}))
    assert (small["candidates"] == large["candidates"]).all()  # the same candidates every day
    assert small["lost"].sum() > large["lost"].sum()
    assert small["state"].iloc[-1] > large["state"].iloc[-1]
    assert small["active"].iloc[-1] < large["active"].iloc[-1]
    assert small["won"].sum() < large["won"].sum() and small["deterred"].sum() > large["deterred"].sum()


def test_an_incident_handled_proactively_brings_fewer_contacts(scenario):
    inc = Incident(DAY + 10 * 3600, 6 * 3600, 400)
    reactive = _week(scenario, incident=inc)
    proactive = _week(scenario, incident=Incident(DAY + 10 * 3600, 6 * 3600, 400, proactive=True))
    contacts = lambda t: (t["contacts_phone"] + t["contacts_social"]).to_numpy()  # noqa: E731
    assert reactive["incident"].sum() == proactive["incident"].sum() > 300
    assert proactive["deflected"].sum() > 0 and reactive["deflected"].sum() == 0
    # paired: the same until the incident's day, fewer contacts on it (later days also differ by the state)
    assert np.array_equal(contacts(proactive)[:1], contacts(reactive)[:1])
    assert contacts(proactive)[1] < contacts(reactive)[1]
    assert proactive["lost"].sum() < reactive["lost"].sum()


def test_bad_weeks_input_is_one_line_naming_file_key_and_expectation(tmp_path):
    for old, new, line in (("loss = 0.1", "loss = 2", "weeks.population.loss: expected a number from 0 to 1, got 2"),
                           ('horizon = "1d"', 'horizon = "2d"', 'run.horizon: expected "1d" (a run of [weeks]'),
                           ("phone = 0.7, social", "phone = 0.6, social", "weeks.population.shares: expected shares "
                            "summing to 1")):
        p = tmp_path / "bad.toml"
        p.write_text(SCENARIO.read_text().replace(old, new))
        with pytest.raises(sim.ScenarioError) as e:
            sim.load_scenario(p)
        lines = str(e.value).splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"{p}: {line}"), lines


def test_newest_first_triage_takes_the_latest_waiting_post():
    from types import SimpleNamespace

    from sim.social.spec import Triage
    from sim.social.triage import Inbox

    box = Inbox("social", "social", Triage(order="newest"), 3600.0)
    posts = [SimpleNamespace(arrival=float(t)) for t in range(5)]
    for p in posts:
        box.push(p)  # type: ignore[arg-type]
    box.drop(posts[4])  # the latest gave up
    assert [box.pop(10.0).arrival for _ in range(4)] == [3.0, 2.0, 1.0, 0.0]
    assert box.pop(10.0) is None and box.n == 0


def test_answering_29_percent_of_complaints_loses_more_customers_than_answering_all():
    def week(share):
        sc = sim.load_scenario(SCENARIO, overrides={"channels.social.triage": {
            "answer": {"complaint": share, "question": 1.0, "praise": 1.0}, "order": "fifo", "expire_after": "12h"}})
        return _week(sc)
    some, every = week(0.29), week(1.0)
    assert (some["candidates"] == every["candidates"]).all()
    assert some["public_bad"].sum() > every["public_bad"].sum()
    assert some["lost"].sum() > every["lost"].sum()


def test_warm_up_days_are_simulated_not_counted_and_the_state_decays_day_by_day(scenario):
    quiet = [0] * 48  # no demand: the days run on the kernel in no time
    sc = sim.load_scenario(SCENARIO, overrides={"channels.phone.arrivals.volumes": quiet,
                                                "channels.social.arrivals.volumes": quiet})
    sc = with_design(sc, weeks=1, warmup_weeks=1, state=StateSpec(half_life_days=7.0, initial=50.0))
    days = run_weeks(sc, replications=1, seed=1)
    assert days["day"].tolist() == list(range(-7, 7)) and days["counted"].tolist() == [False] * 7 + [True] * 7
    assert np.allclose(days["state"], 50.0 * 0.5 ** (np.arange(14) / 7.0), rtol=1e-12)
    assert days["candidates"].sum() == 0 and days["active"].eq(sc.sections["weeks"].population.known).all()
    from sim.weeks.study import per_week

    assert per_week(days.assign(design="quiet", contacts=0))["week"].tolist() == [0]


def test_posts_a_reputation_model_adds_within_a_day_count_as_contacts_of_no_customer():
    sc = sim.load_scenario(SCENARIO, overrides={"reputation.enabled": True})
    days = _week(sc)
    plain = _week(sim.load_scenario(SCENARIO))
    assert days["added"].sum() > 0 and plain["added"].sum() == 0
    assert (days["candidates"] == plain["candidates"]).all()


def test_a_closed_channel_is_never_chosen():
    pop = Population(PopulationSpec(known=10_000), ("phone", "social"))
    ids = np.arange(10_000)
    u = np.random.default_rng(2).random(len(ids))
    open_ = np.ones((2, len(ids)), bool)
    open_[0, ::2] = False  # the phone closed for every other customer
    open_[:, 1::4] = False  # and nothing open for some: they keep both
    got = pop.choose(ids, u, np.zeros(2), open_)
    assert (got[::2] == 1).all()
    assert np.array_equal(got[1::4], pop.choose(ids, u, np.zeros(2))[1::4])


def test_the_retailer_runs_over_weeks_with_its_funnel_and_reputation_model():
    """retail_reputation.toml under [weeks]: the funnel's redials and the reputation model's posts are added contacts,
    the day's busyness is applied and the customer ledger balances."""
    from sim.extensions import FEATURES

    weeks = {"weeks": 1, "warmup_weeks": 0,
             "population": {"known": 100_000, "shares": {"phone": 0.914, "social": 0.086}}}
    sc = sim.load_scenario(ROOT / "scenarios" / "retail_reputation.toml", overrides={"weeks": weeks})
    run = WeeksRun(sc, FEATURES, 0, 1)
    plan = day_plan(sc, sc.sections["weeks"], run.streams, 0)
    assert plan.busyness != 1.0 and np.allclose(plan.by_channel.sum(axis=0), plan.base)
    row = run.day(0)
    assert row["added"] > 0 and row["contacts_phone"] > 0 and row["contacts_social"] > 0
    assert row["active"] == 100_000 + row["new"] + row["won"] - row["lost"] - row["gone"]
