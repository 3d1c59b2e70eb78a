"""The control-variate estimate the statistical checks use (tests/control_variates.py)."""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from tests.control_variates import controlled_mean


def test_no_controls_is_the_plain_mean_and_its_standard_error():
    y = np.array([3.0, 5.0, 4.0, 8.0, 1.0])
    est, se = controlled_mean(y, np.empty((5, 0)))
    assert est == pytest.approx(y.mean())
    assert se == pytest.approx(y.std(ddof=1) / math.sqrt(5))


def test_one_control_matches_the_textbook_formula():
    rng = np.random.default_rng(3)
    x = rng.normal(size=20)
    y = 2.0 + 1.5 * x + rng.normal(scale=0.3, size=20)
    est, se = controlled_mean(y, x[:, None])
    b = np.cov(x, y)[0, 1] / x.var(ddof=1)
    assert est == pytest.approx(y.mean() - b * x.mean())
    resid = y - y.mean() - b * (x - x.mean())
    want = math.sqrt(resid @ resid / 18 * (1 / 20 + x.mean() ** 2 / ((x - x.mean()) @ (x - x.mean()))))
    assert se == pytest.approx(want)


def test_the_4_se_band_covers_the_mean_as_often_as_student_t_says():
    """20 replications, two controls that explain most of the quantity's variance: over 4000 independent data sets
    the 2·SE band covers the true mean with Student t's probability on 17 degrees of freedom (94%), within a binomial
    band of alpha 1e-4 (the plain mean's SE would cover nearly always, an SE that ignored the fitted slopes' own error
    too seldom), and the SE is well below the plain mean's."""
    rng = np.random.default_rng(20240611)
    trials, n, covered, ratio = 4000, 20, 0, []
    for _ in range(trials):
        x = rng.normal(size=(n, 2))
        y = 10.0 + x @ np.array([0.9, 0.9]) + rng.normal(scale=0.6, size=n)
        est, se = controlled_mean(y, x)
        covered += abs(est - 10.0) <= 2 * se
        ratio.append(se / (y.std(ddof=1) / math.sqrt(n)))
    p = 1 - 2 * stats.t.sf(2, n - 3)
    lo, hi = stats.binom.ppf([5e-5, 1 - 5e-5], trials, p)
    assert lo <= covered <= hi, (covered / trials, p)
    assert np.median(ratio) < 0.5


def test_too_few_replications_for_the_controls_are_refused():
    with pytest.raises(ValueError, match="too few"):
        controlled_mean([1.0, 2.0, 3.0], np.eye(3)[:, :2])
