"""Direction checks: one-sided paired comparisons under common random numbers (replication r of both designs meets the
same customers; reputation draws are keyed by contact). Conditions: repeat complaints off (with them a larger team
replies to more complaints and so invites more later complaints, Ma, Sun & Kekre 2015), everything else on.

A one-sided check fails when the paired mean difference lies more than 4 standard errors on the wrong side. In both
settings the effect is also large enough to be significant the right way, so a sign error in the model would show.
"""
from __future__ import annotations

import math

from sim.experiment import paired_difference
from tests.test_reputation_model import run, social_raw

REPS = 10


def _diff(a, b, channel: str, metric: str) -> tuple[float, float]:
    d = paired_difference(a.replications, b.replications).set_index(["channel", "metric"]).loc[(channel, metric)]
    return float(d["diff"]), float(d["diff_sd"]) / math.sqrt(float(d["n"]))


def test_a_larger_social_team_does_not_lower_net_reputation():
    rep = {"repeat": False, "value_per_customer": 100.0}
    small = run(social_raw(rate="60/h", agents=2, reps=REPS, reputation=rep))
    large = run(social_raw(rate="60/h", agents=4, reps=REPS, reputation=rep))
    faster, se_f = _diff(small, large, "social", "first_response_median_s")
    assert faster < -4 * se_f  # the premise: the larger team answers sooner
    diff, se = _diff(small, large, "reputation", "net_reputation")
    assert diff >= -4 * se, (diff, se)
    assert diff > 4 * se, (diff, se)  # and here it clearly raises it
    # fewer people see unanswered complaints
    neg, se_n = _diff(small, large, "reputation", "impressions_negative")
    assert neg <= 4 * se_n


def test_a_higher_spillover_coefficient_does_not_lower_complaint_volume():
    """Callers' posting odds × e² (intercept −4 → −2): complaints on the social channel (pile-ons included)."""
    counts = []
    for intercept in (-4.0, -2.0):
        raw = social_raw(rate="60/h", reps=REPS, reputation={"repeat": False, "spillover": {"intercept": intercept}})
        raw["agents"]["phone"]["count"] = 3  # long waits and abandonment: calls worth complaining about
        c = run(raw).contact_view()
        counts.append(c[c["kind"] == "complaint"].groupby("replication").size().reindex(range(REPS), fill_value=0))
    d = (counts[1] - counts[0]).to_numpy(float)
    se = d.std(ddof=1) / math.sqrt(len(d))
    assert d.mean() >= -4 * se, (d.mean(), se)
    assert d.mean() > 4 * se, (d.mean(), se)
