"""A root of a function of one variable on a bracketing interval, by Brent's method (Brent 1973, "Algorithms for
Minimization without Derivatives", ch. 4): inverse quadratic interpolation or secant steps while they shrink the
bracket fast enough, bisection otherwise, so it never needs more steps than bisection would.

The steps and the stopping rule are those of scipy.optimize.brentq (its C routine ``brentq.c``): the answer is
within ``xtol + rtol·|x|`` of a sign change. It is here so that the planner's day (``contactsim erlang --forecast``)
does not import scipy.optimize; ``tests/test_erlang_x_roots.py`` checks it against brentq.
"""
from __future__ import annotations

import math
from collections.abc import Callable


def brent_root(f: Callable[[float], float], a: float, b: float, xtol: float = 2e-12, rtol: float = 8.9e-16,
               maxiter: int = 100) -> float:
    """A point within ``xtol + rtol·|x|`` of a root of ``f`` in [a, b]; f(a) and f(b) must differ in sign."""
    xpre, xcur = float(a), float(b)
    fpre, fcur = f(xpre), f(xcur)
    if fpre * fcur > 0:
        raise ValueError("f(a) and f(b) must have different signs")
    if fpre == 0:
        return xpre
    if fcur == 0:
        return xcur
    xblk = fblk = spre = scur = 0.0
    for _ in range(maxiter):
        if fpre != 0 and fcur != 0 and math.copysign(1.0, fpre) != math.copysign(1.0, fcur):
            xblk, fblk = xpre, fpre
            spre = scur = xcur - xpre
        if abs(fblk) < abs(fcur):
            xpre, xcur, xblk = xcur, xblk, xcur
            fpre, fcur, fblk = fcur, fblk, fcur
        delta = (xtol + rtol * abs(xcur)) / 2
        sbis = (xblk - xcur) / 2
        if fcur == 0 or abs(sbis) < delta:
            return xcur
        if abs(spre) > delta and abs(fcur) < abs(fpre):
            if xpre == xblk:  # secant
                stry = -fcur * (xcur - xpre) / (fcur - fpre)
            else:  # inverse quadratic interpolation
                dpre = (fpre - fcur) / (xpre - xcur)
                dblk = (fblk - fcur) / (xblk - xcur)
                stry = -fcur * (fblk * dblk - fpre * dpre) / (dblk * dpre * (fblk - fpre))
            if 2 * abs(stry) < min(abs(spre), 3 * abs(sbis) - delta):
                spre, scur = scur, stry
            else:
                spre = scur = sbis
        else:
            spre = scur = sbis
        xpre, fpre = xcur, fcur
        xcur += scur if abs(scur) > delta else (delta if sbis > 0 else -delta)
        fcur = f(xcur)
    raise RuntimeError(f"no convergence in {maxiter} steps")
