"""The bracketing root search of Erlang X's fixed point (``sim.analytic.roots.brent_root``) against scipy's brentq,
and the fixed point built on it against the one built on brentq. About 1 s."""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import brentq

from sim.analytic.roots import brent_root

FUNCTIONS = [
    (lambda x: x ** 3 - 2 * x - 5, 2.0, 3.0),                 # Wallis's cubic
    (lambda x: math.cos(x) - x, 0.0, 1.0),
    (lambda x: math.exp(x) - 1e6, 0.0, 20.0),
    (lambda x: (x - 0.3) ** 3, 0.0, 1.0),                     # a triple root: slow for interpolation
    (lambda x: math.atan(50 * (x - 0.7)), -5.0, 5.0),         # nearly a step
    (lambda x: 1e-12 * (x - 1.234567), 0.0, 10.0),            # a tiny slope
    (lambda x: x, -1.0, 0.0),                                 # a root on the bracket's end
]


@pytest.mark.parametrize("f,a,b", FUNCTIONS)
@pytest.mark.parametrize("xtol,rtol", [(2e-12, 8.9e-16), (1e-6, 1e-10), (1e-15, 1e-13)])
def test_brent_root_takes_the_steps_of_scipy_brentq(f, a, b, xtol, rtol):
    calls: list[float] = []

    def counted(x):
        calls.append(x)
        return f(x)

    def solve(method):
        try:
            return method(counted, a, b, xtol=xtol, rtol=rtol)
        except RuntimeError:  # no convergence in 100 steps (the triple root at the tightest tolerance)
            return "no convergence"

    ours = solve(brent_root)
    ours_calls, calls[:] = list(calls), []
    ref = solve(brentq)
    assert ours == ref and ours_calls == calls  # the same points, in the same order


def test_brent_root_refuses_a_bracket_without_a_sign_change():
    with pytest.raises(ValueError, match="different signs"):
        brent_root(lambda x: x * x + 1, -1.0, 1.0)


def test_erlang_x_fixed_point_is_the_root_scipy_finds():
    from sim.analytic.erlang_x import _birth_death, _fixed_point

    for n, lam, lines, r in [(5, 0.02, 8, 0.5), (18, 0.07, 40, 0.5), (30, 0.2, 32, 0.9), (3, 0.05, 3, 0.2)]:
        mu, theta = 1 / 240.0, 1 / 300.0
        queued = np.maximum(np.arange(lines + 1) - n, 0)

        def excess(x, n=n, lam=lam, lines=lines, r=r, mu=mu, theta=theta, queued=queued):
            pi = _birth_death(n, lam + x, mu, theta, lines)
            return r * ((lam + x) * pi[-1] + theta * float(queued @ pi)) - x

        top = r * lam / (1 - r)
        ref = top if excess(top) >= 0 else brentq(excess, 0.0, top, xtol=1e-15 * lam, rtol=1e-13)
        assert _fixed_point(n, lam, mu, theta, lines, r)[2] == ref
