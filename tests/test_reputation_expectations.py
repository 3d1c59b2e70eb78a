"""Expectations, disconfirmation, the silent majority and the manager's ledger.

The exact checks run a social desk so large that nobody waits: a complaint's first response R is its first message's
work time, Exp(mean 12 h), and the complaint ends with it (one exchange, always resolved), so a complaint is a
contacting customer when R ≤ H − (its arrival). Given N complaints, uniform over [0, H], the expected churn (and word of
mouth) is N/H · ∫₀^H D(r) f(r) (H − r) dr with D(r) = E_E[d(r, E)] over the default expectation distribution —
computed here by quadrature, independently of the model's code paths — and the simulation must agree within 4·SE,
with 4·SE ≤ 2% of the exact value. Runtime: about 25 s for the module.
"""
from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from scipy import integrate

import sim
from sim.experiment import paired_difference
from sim.reputation.config import KEYS, MECHANISMS, reputation_of
from sim.reputation.expectations import PRESETS, Expectation
from tests.conftest import ROOT, scenario
from tests.test_reputation_model import PASSIVE_ONLY, run, social_raw

H = 5 * 86400.0
MEAN_R = 12 * 3600.0
K = 8.0  # a steep disappointment function: nearly everyone late leaves (keeps the Bernoulli SE small)


def big_desk_run():
    """(scenario, results) of the big desk (see the module notes)."""
    rep = {**PASSIVE_ONLY, "exposure": False, "silent_majority": False,
           "disconfirmation": {"exponent": K, "churn_late": 1.0}, "value_per_customer": 100.0}
    raw = social_raw(rate="180/h", horizon="5d", agents=3000, reps=1, phone=False, kinds={"complaint": 1.0},
                     public=1.0, exchanges=1, message_time={"dist": "exponential", "mean": "12h"}, silence=0.0,
                     resolve={"complaint": 1.0}, triage={"answer": 1.0},
                     patience={"dist": "exponential", "mean": "3000d"}, reputation=rep)
    raw["agents"]["social"]["concurrency"] = 1
    sc = scenario(raw)
    return sc, sim.run(sc)


@pytest.fixture(scope="module")
def big_desk():
    return big_desk_run()


def _d(r: float, e: np.ndarray) -> np.ndarray:
    """d(r, E) written out: 0 on time, 1 − (E/r)^k late."""
    return np.where(r <= e, 0.0, 1.0 - (e / r) ** K)


def _integral(g) -> float:
    """(1/H) ∫₀^H g(r) f(r) (H − r) dr for R ~ Exp(MEAN_R)."""
    f = lambda r: g(r) * math.exp(-r / MEAN_R) / MEAN_R * (H - r) / H  # noqa: E731
    pts = [300.0, 1800.0, 3600.0, 86400.0, 3 * 86400.0]
    return integrate.quad(f, 0.0, H, points=pts, limit=500, epsabs=1e-12)[0]


def _expectation_grid() -> np.ndarray:
    """The default social expectation at 40 000 midpoints of its quantile scale (inverse of the knots' CDF)."""
    share = np.array([0.0, 0.32, 0.42, 1.0])
    log_t = np.log([300.0, 1800.0, 3600.0, 86400.0])
    u = (np.arange(40_000) + 0.5) / 40_000
    return np.exp(np.interp(u, share, log_t))


def churn_check(sc, res) -> tuple[float, float, float]:
    """(simulated churn, exact expectation given the number of complaints, SE)."""
    n = len(res.contact_view())
    e = _expectation_grid()
    q = _integral(lambda r: float(_d(r, e).mean()))
    return float(res.contact_view()["churned"].sum()), n * q, math.sqrt(n * q * (1 - q))


def word_of_mouth_checks(sc, res) -> list[tuple[str, float, float, float]]:
    """(what, simulated, exact, SE) for the people told and the net sentiment of word of mouth."""
    c = res.contact_view()
    n = len(c)
    wom = reputation_of(sc).word_of_mouth
    a = wom.share * wom.social_multiplier * wom.told_good
    b = wom.share * wom.social_multiplier * wom.told_bad
    e = _expectation_grid()
    out = []
    for what, mark, got in (
            ("people told", lambda r: a + (b - a) * _d(r, e), float(c["impressions"].sum())),
            ("net sentiment", lambda r: a - (a + b) * _d(r, e), float(c["net_sentiment"].sum()))):
        m1 = _integral(lambda r, mark=mark: float(mark(r).mean()))
        m2 = _integral(lambda r, mark=mark: float((mark(r) ** 2).mean()))
        out.append((what, got, n * m1, math.sqrt(n * (m2 - m1 ** 2))))
    return out


def test_expected_churn_matches_the_integral_of_the_disappointment_function(big_desk):
    sc, res = big_desk
    got, exact, se = churn_check(sc, res)
    assert 4 * se <= 0.02 * exact, (se, exact)
    assert abs(got - exact) <= 4 * se, (got, exact, se)
    # the ledger books the same customers; retained + churned = contacting
    led = res.reputation
    assert led["churned"].sum() == got
    assert led["customers_retained"].sum() + got == led["customers_contacting"].sum()
    assert led["customer_value_lost"].sum() == pytest.approx(100.0 * (got + led["prospects_lost"].sum()))


def test_word_of_mouth_matches_the_integral_of_the_disappointment_function(big_desk):
    sc, res = big_desk
    c = res.contact_view()
    for what, got, exact, se in word_of_mouth_checks(sc, res):
        assert abs(got - exact) <= 4 * se, (what, got, exact, se)
        if what == "people told":  # enough complaints to see a 2% error (net sentiment nearly cancels: less power)
            assert 4 * se <= 0.02 * abs(exact), (se, exact)
    led = res.reputation
    told = led["impressions_word_of_mouth_good"].sum() + led["impressions_word_of_mouth_bad"].sum()
    assert told == pytest.approx(c["impressions"].sum())


def test_the_published_brackets_are_the_knots_of_each_expectation():
    cc, li, nm = (Expectation.preset(k) for k in ("convince_convert", "lithium", "nm_incite"))
    np.testing.assert_allclose(cc.cdf([1800.0, 3600.0]), [0.32, 0.42])
    assert li.cdf(3600.0) == pytest.approx(0.72)
    assert nm.cdf(86400.0) == pytest.approx(0.83)
    assert Expectation.preset("email").quantile([0.0, 0.5, 1.0]).tolist() == [3600.0] * 3
    assert Expectation.preset("callback").quantile([0.3]).tolist() == [7200.0]
    for name in PRESETS:
        e = Expectation.preset(name)
        u = np.linspace(0.01, 0.99, 99)
        if e.knots[0][0] != e.knots[-1][0]:
            np.testing.assert_allclose(e.cdf(e.quantile(u)), u, atol=1e-9)


def test_customers_keep_their_expectation_whatever_the_staffing():
    """Expectations are keyed by customer: the same post meets the same expectation under two team sizes."""
    from sim.reputation.customers import customer_outcomes
    from sim.streams import Streams

    out = []
    for agents in (2, 6):
        sc = scenario(social_raw(rate="60/h", agents=agents, reps=1, reputation={"repeat": False}))
        c = sim.run(sc).contact_view()
        o = customer_outcomes(sc, reputation_of(sc), Streams(sc.run.seed, 0), c, list(sc.channels))
        out.append(pd.Series(o.expected_s, index=c["contact_id"]).dropna())
    both = out[0].index.intersection(out[1].index)
    assert len(both) > 100
    np.testing.assert_array_equal(out[0][both].to_numpy(), out[1][both].to_numpy())


REPS = 10


def _diff(a, b, metric: str) -> tuple[float, float]:
    d = paired_difference(a.replications, b.replications).set_index(["channel", "metric"]).loc[("reputation", metric)]
    return float(d["diff"]), float(d["diff_sd"]) / math.sqrt(float(d["n"]))


def test_a_larger_social_team_retains_more_customers_and_loses_fewer():
    rep = {"repeat": False, "value_per_customer": 100.0}
    small = run(social_raw(rate="60/h", agents=2, reps=REPS, reputation=rep))
    large = run(social_raw(rate="60/h", agents=4, reps=REPS, reputation=rep))
    kept, se = _diff(small, large, "customers_retained")
    assert kept > 4 * se, (kept, se)
    lost, se = _diff(small, large, "customers_lost")
    assert lost < -4 * se, (lost, se)
    money, se = _diff(small, large, "revenue_net")
    assert money > 4 * se, (money, se)


def test_a_slower_team_loses_more_customers():
    """The same team writing each reply in 4 minutes instead of 2."""
    rep = {"repeat": False}
    fast = run(social_raw(rate="60/h", agents=3, reps=REPS, reputation=rep))
    slow = run(social_raw(rate="60/h", agents=3, reps=REPS, reputation=rep,
                          message_time={"dist": "exponential", "mean": "4min"}))
    lost, se = _diff(fast, slow, "customers_lost")
    assert lost > 4 * se, (lost, se)
    share, se = _diff(fast, slow, "unanswered_view_share")
    assert share > 4 * se, (share, se)


def test_switching_the_new_parts_off_leaves_every_other_row_identical():
    """Expectations, disconfirmation and the silent majority work on the records after the run: with them on or off
    the contacts (but for the reputation columns), intervals and agents tables are the same."""
    on = run(social_raw(reputation={}))
    off = run(social_raw(reputation={"expectations": False, "disconfirmation": False, "silent_majority": False}))
    rep_cols = {"impressions", "net_sentiment", "churned"}
    cols = [k for k in on.contacts.columns if k not in rep_cols]
    pd.testing.assert_frame_equal(on.contacts[cols], off.contacts[cols])
    pd.testing.assert_frame_equal(on.intervals, off.intervals)
    pd.testing.assert_frame_equal(on.agents, off.agents)
    assert off.reputation["silent_affected"].sum() == 0
    assert on.reputation["silent_affected"].sum() > 0


@pytest.mark.parametrize("rep,key", [
    ({"expectations": {"social": "gartner"}}, "reputation.expectations.social"),
    ({"expectations": {"social": [["30min", 0.3], ["10min", 1.0]]}}, "reputation.expectations.social"),
    ({"expectations": {"social": [["30min", 0.3]]}}, "reputation.expectations.social"),
    ({"expectations": {"fax": "email"}}, "reputation.expectations.fax"),
    ({"disconfirmation": {"exponent": 0}}, "reputation.disconfirmation.exponent"),
    ({"silent_majority": {"churn_seen": 1.5}}, "reputation.silent_majority.churn_seen"),
    ({"silent_majority": {"ratios": 3}}, "reputation.silent_majority.ratios"),
])
def test_bad_expectation_keys_are_named(rep, key):
    with pytest.raises(sim.ScenarioError) as err:
        scenario(social_raw(reputation=rep))
    assert key in str(err.value)


def test_the_docs_list_every_key_with_a_default_and_a_source():
    """docs/reputation.md has a table row for every key of every mechanism, under that mechanism's heading."""
    text = (ROOT / "docs" / "reputation.md").read_text()
    for m in MECHANISMS:
        if m == "expectations":
            continue
        head = re.search(rf"^###[^\n]*`\[reputation\.{m}\]`[^\n]*$", text, re.M)
        assert head, m
        nxt = text.find("\n### ", head.end())
        nxt2 = text.find("\n## ", head.end())
        section = text[head.end(): min(x for x in (nxt, nxt2, len(text)) if x > 0)]
        for key in KEYS[m]:
            if key == "enabled":
                continue
            row = re.search(rf"^\|[^|]*`{key}`[^|]*\|([^|]*)\|([^|]*)\|", section, re.M)
            assert row, (m, key)
            assert row.group(1).strip() and row.group(2).strip(), (m, key)
    head = text.index("`[reputation.expectations]`")
    for name in PRESETS:
        assert f"`{name}`" in text[head:], name
