"""The visibility curve (Pfeffer, Matter & Sargsyan 2023) and the booking of thread segments."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.integrate import quad

from sim.reputation.exposure import VisibilityCurve, book_segments
from sim.reputation.ledger import POST_STATES, ReplyValue, Sentiment, thread_segments

CURVE = VisibilityCurve()


def test_curve_peaks_at_72_seconds_and_half_its_impressions_come_within_80_minutes():
    h = 1e-3
    assert CURVE.rate(72.0 - h) < CURVE.rate(72.0) > CURVE.rate(72.0 + h)
    assert CURVE.share(80 * 60.0) == pytest.approx(0.5, abs=1e-9)
    assert CURVE.share(24 * 3600.0) > 0.999  # nothing relevant after a day (~95% of tweets: none)


@pytest.mark.parametrize("peak,half,c", [(72.0, 4800.0, 0.1), (30.0, 600.0, 1.0), (300.0, 86400.0, 0.02)])
def test_curve_integrates_to_its_impressions_per_follower(peak, half, c):
    curve = VisibilityCurve(peak, half, c)
    total = sum(quad(lambda a: float(curve.rate(a)), lo, hi, limit=200)[0]
                for lo, hi in ((0, 10 * peak), (10 * peak, 50 * half), (50 * half, 400 * half)))
    assert total == pytest.approx(c, rel=1e-6)
    assert float(curve.integral(0.0, 2 * half)) == pytest.approx(
        quad(lambda a: float(curve.rate(a)), 0, 2 * half, limit=500, points=[peak, 10 * peak], epsrel=1e-12)[0],
        rel=1e-8)


def test_impossible_shapes_are_refused():
    with pytest.raises(ValueError, match="half-life"):
        VisibilityCurve(100.0, 150.0)


def test_sampled_ages_follow_the_curve():
    """Ages from sample_ages: mean 1/λd + 1/λr and half of them before the half-life (4·SE, SE ≤ 0.5%)."""
    x = CURVE.sample_ages(np.random.default_rng(8), 400_000)
    exact = 1 / CURVE.lam_d + 1 / CURVE.lam_r
    se = x.std(ddof=1) / math.sqrt(len(x))
    assert 4 * se <= 0.02 * exact and abs(x.mean() - exact) <= 4 * se
    assert abs((x <= 4800.0).mean() - 0.5) <= 4 * math.sqrt(0.25 / len(x))


@given(posted=st.floats(0, 5000), gap=st.floats(0, 20000), length=st.floats(0, 50000), reach=st.floats(1, 1e6))
def test_a_segment_books_the_integral_over_its_ages_split_across_intervals(posted, gap, length, reach):
    edges = np.arange(0.0, 86400.0 + 1, 1800.0)
    start, end = posted + gap, posted + gap + length
    total, by = book_segments(CURVE, np.array([posted]), np.array([start]), np.array([end]), np.array([reach]), edges)
    exact = reach * float(CURVE.integral(start - posted, end - posted))
    assert total[0] == pytest.approx(exact, rel=1e-9, abs=1e-9)
    assert by.sum() == pytest.approx(total[0], rel=1e-9, abs=1e-9)
    j = np.searchsorted(edges, start, side="right") - 1  # nothing booked before the segment starts
    assert np.all(by[0, :j] == 0)


def test_never_answered_and_answered_threads_split_their_impressions_by_state():
    """A complaint never answered books everything as unanswered; answered after d, the unanswered share is F(d),
    the rest is booked as answered, then resolved."""
    s = Sentiment()
    arrival = np.array([0.0, 100.0, 200.0])
    reply = np.array([np.nan, 100.0 + 600.0, 200.0 + 60.0])
    resolved = np.array([np.nan, np.nan, 200.0 + 3600.0])
    seg = thread_segments(np.array(["complaint"] * 3, dtype=object), arrival, reply, resolved, 86400.0, s)
    total, _ = book_segments(CURVE, arrival[seg["row"]], seg["start"], seg["end"], np.full(len(seg["row"]), 10.0),
                             np.array([0.0, 86400.0]))
    by = {(r, POST_STATES[st_]): t for r, st_, t in zip(seg["row"], seg["state"], total)}
    assert by[(0, "unanswered_complaint")] == pytest.approx(10 * float(CURVE.integral(0, 86400.0)))
    assert by[(1, "unanswered_complaint")] == pytest.approx(10 * float(CURVE.integral(0, 600.0)))
    assert by[(1, "answered")] == pytest.approx(10 * float(CURVE.integral(600.0, 86400.0 - 100)))
    assert by[(2, "answered")] == pytest.approx(10 * float(CURVE.integral(60.0, 3600.0)))
    assert by[(2, "resolved")] == pytest.approx(10 * float(CURVE.integral(3600.0, 86400.0 - 200)))
    w = dict(zip(zip(seg["row"], (POST_STATES[k] for k in seg["state"])), seg["weight"]))
    assert w[(2, "answered")] == pytest.approx(s.reply)  # within 6 minutes: the full reply weight
    assert w[(1, "answered")] == pytest.approx(s.reply * float(s.reply_value.relative(600.0)))
    assert w[(1, "answered")] < w[(2, "answered")]


def test_reply_value_follows_the_willingness_to_pay_gradient():
    """$20 within 6 minutes, $2.33 after 60 (Twitter / Applied Marketing Science 2016), falling in between."""
    rv = ReplyValue()
    v = rv.value(np.array([10.0, 360.0, 1200.0, 3600.0, 86400.0]))
    assert v[0] == v[1] == 20.0 and v[3] == v[4] == pytest.approx(2.33)
    assert 2.33 < v[2] < 20.0
    assert np.all(np.diff(rv.value(np.geomspace(1, 1e5, 50))) <= 0)
