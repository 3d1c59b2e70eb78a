"""Erlang X: the phone queue with trunk lines, impatient callers and redials, solved as a Markov chain.

Model (the "Erlang X" of planners' calculators; Koole, "Call Center Optimization", 2013, ch. 4): fresh calls arrive at
rate λ; ``lines`` = N trunk lines hold every call in the system (waiting or talking), so a call finding N calls gets a
busy signal; n ≤ N agents serve at rate μ = 1/E[S]; a waiting caller hangs up at rate θ = 1/E[patience] (exponential
patience, none when ``mean_patience_s`` is None). After a busy signal or an abandonment the caller redials with
probability r after an exponential delay of mean 1/ν, every attempt alike (Aguir et al. 2004; the funnel's
``redials`` with ``max_attempts`` out of reach).

Exact: the state (i, j) = (calls in the system, callers waiting to redial) is a two-dimensional Markov chain; it is
truncated at j ≤ J, J grown until the probability of the last column is below 1e-12, and its stationary distribution
solved level by level (linear level reduction; a sparse LU of the whole generator, scipy.sparse, is the tested
reference). Attempts reach the trunk at rate λ + jν in state (i, j), so the state seen by
an attempt is π weighted by λ + jν (PASTA for fresh calls, the retrial rate for redials). A caller who enters with k
callers ahead waits through stages of rate nμ + mθ (m = k … 0) and hangs up at rate θ meanwhile (as in Erlang A);
its answer-within-T and abandon-within-T probabilities come from that absorbing chain by uniformization (the sparse
matrix exponential, scipy.sparse expm_multiply, is the reference and the fallback). The planner's day imports none of
scipy: the bracketing root search is ``sim.analytic.roots`` (Brent's method, as scipy's brentq).

Fixed point (``method="fixed_point"``): the approximation of the calculators — redials are taken as extra Poisson
arrivals at rate ρ_r, the one-dimensional M/M/n/N+M chain is solved at λ + ρ_r, and ρ_r = r × (busy signals +
abandonments per second) iterated to a fixed point. It is exact without redials (r = 0) and drifts from the exact
chain as redials grow, because redials are not Poisson (they follow congestion). With lines = agents (no queue) it is
Extended Erlang B, and reproduces the published calculator examples (tests/test_erlang_x.py).

Metrics per attempt reaching the trunk, as the funnel's interval table counts them (sim.funnel.tables): ``blocked_rate``
(busy signals / attempts); the queue metrics of ``METRIC_KEYS`` over attempts that got a line; ``attempts_per_customer``
(attempts / fresh calls), ``unique_abandon_rate`` (callers who give up after a failure / fresh calls),
``mean_redialing`` (callers waiting to redial).
"""
from __future__ import annotations

import functools
import math

import numpy as np

from sim.analytic.erlang_c import METRIC_KEYS, check_agents, check_nonnegative, check_positive
from sim.analytic.redial_chain import _solve_chain
from sim.analytic.roots import brent_root
from sim.analytic.waiting_chain import _waiting_chain

X_KEYS = (*METRIC_KEYS, "blocked_rate", "attempts_per_customer", "unique_abandon_rate", "mean_redialing")
METHODS = ("exact", "fixed_point")
_TAIL = 1e-12
_MAX_STATES = 2_000_000


def erlang_x_metrics(
    n: int,
    rate: float,
    mean_service_s: float,
    answer_within_s: float,
    lines: int,
    mean_patience_s: float | None = None,
    redial_probability: float = 0.0,
    mean_redial_delay_s: float = 900.0,
    method: str = "exact",
) -> dict[str, float]:
    """Metrics of the phone queue with ``lines`` trunk lines, ``n`` agents, exponential patience and redials.

    ``rate`` fresh calls per second; durations in seconds; ``redial_probability`` r in [0, 1) applies after every busy
    signal and every abandonment; ``method`` "exact" (the 2-D chain) or "fixed_point" (the approximation). Returns
    the keys of ``X_KEYS``.
    """
    n = check_agents(n, "n", minimum=1)
    lines = check_agents(lines, "lines", minimum=1)
    if lines < n:
        raise ValueError(f"lines: expected at least as many trunk lines as agents ({n}), got {lines}")
    lam = check_nonnegative(rate, "rate")
    mu = 1.0 / check_positive(mean_service_s, "mean_service_s")
    target = check_nonnegative(answer_within_s, "answer_within_s", allow_inf=True)
    theta = 0.0
    if mean_patience_s is not None:
        theta = 1.0 / check_positive(mean_patience_s, "mean_patience_s", allow_inf=True)
    r = check_nonnegative(redial_probability, "redial_probability")
    if r >= 1.0:
        raise ValueError(f"redial_probability: expected a probability below 1, got {redial_probability!r}")
    nu = 1.0 / check_positive(mean_redial_delay_s, "mean_redial_delay_s")
    if method not in METHODS:
        raise ValueError(f"method: expected one of {', '.join(METHODS)}, got {method!r}")
    if lam == 0.0:
        return _idle()
    if method == "fixed_point" or r == 0.0:
        pi, seen, redial_rate = _fixed_point(n, lam, mu, theta, lines, r)
        mean_redialing = float(redial_rate / nu)
    else:
        pi, seen, mean_redialing = _exact(n, lam, mu, theta, lines, r, nu)
    return _metrics(n, lam, mu, theta, lines, r, target, pi, seen, mean_redialing)


def unlimited_lines(n: int, rate: float, mean_service_s: float, mean_patience_s: float | None = None,
                    redial_probability: float = 0.0, tail: float = 1e-10) -> int:
    """Trunk lines that (almost) never bind: the fewest N with P(N or more calls in the system) below ``tail`` even
    if every failed call redialed at once (attempt rate λ/(1 − r)); at most n + 1000."""
    lam = rate / (1.0 - redial_probability)
    mu = 1.0 / mean_service_s
    theta = 0.0 if mean_patience_s is None else 1.0 / mean_patience_s
    cap = n + 1000
    if lam == 0.0:
        return n
    p = _birth_death(n, lam, mu, theta, cap)
    above = np.cumsum(p[::-1])[::-1]  # P(i ≥ k)
    ok = np.flatnonzero(above < tail)
    return int(max(n, ok[0])) if len(ok) else cap


def _idle() -> dict[str, float]:
    out = dict.fromkeys(X_KEYS, 0.0)
    out.update(sl_offered=1.0, sl_answered=1.0, sl_excl_short_abandons=1.0, attempts_per_customer=1.0)
    return out


def _birth_death(n: int, lam: float, mu: float, theta: float, lines: int) -> np.ndarray:
    """Stationary distribution of M/M/n/N+M (calls in the system 0..N), in log space so large N cannot overflow."""
    i = np.arange(1, lines + 1)
    death = np.minimum(i, n) * mu + np.maximum(i - n, 0) * theta
    logp = np.concatenate([[0.0], np.cumsum(math.log(lam) - np.log(death))])
    p = np.exp(logp - logp.max())
    return p / p.sum()


@functools.lru_cache(maxsize=1024)
def _fixed_point(n, lam, mu, theta, lines, r) -> tuple[np.ndarray, np.ndarray, float]:
    """Redials as Poisson arrivals at rate ρ_r = r × (failures per second) at the fixed point ρ_r = g(ρ_r), found by
    bracketing (Brent) on [0, rλ/(1 − r)]: failures never exceed attempts, so g(x) ≤ r(λ + x) and the root lies there."""
    queued = np.maximum(np.arange(lines + 1) - n, 0)

    def excess(extra: float) -> float:
        pi = _birth_death(n, lam + extra, mu, theta, lines)
        return r * ((lam + extra) * pi[-1] + theta * float(queued @ pi)) - extra

    extra = 0.0
    if r > 0.0:
        top = r * lam / (1.0 - r)
        extra = top if excess(top) >= 0.0 else brent_root(excess, 0.0, top, xtol=1e-15 * lam, rtol=1e-13)
    pi = _birth_death(n, lam + extra, mu, theta, lines)
    seen = (lam + extra) * pi
    pi.setflags(write=False)  # cached: shared by every caller
    seen.setflags(write=False)
    return pi, seen, extra


_WIDTH_HINT: dict[tuple, tuple[int, float]] = {}  # by the chain's durations, lines and redials: the last width
#                                                     that sufficed and the fixed point's mean redialing there


def _guess(mean: float) -> float:
    """A truncation for a mean of ``mean`` callers redialing when no chain like it was solved yet."""
    return mean + 10.0 * math.sqrt(mean + 1.0) + 10.0


def _exact(n, lam, mu, theta, lines, r, nu) -> tuple[np.ndarray, np.ndarray, float]:
    """Marginal of calls in the system, the same weighted by the attempt rate, and the mean number redialing.

    The truncation J is predicted from the last chain solved with the same durations, lines and redials (the
    neighbouring staffing level or interval): the width that sufficed there, scaled by how ``_guess`` of the fixed
    point's mean redialing moved, plus 3 levels (and at least that mean plus 10 standard deviations of a Poisson count);
    so it follows the day up and down and the chain is rarely solved twice. When the last level still holds more
    than 1e-12, J is extended to where the levels' geometric decay puts it below (and checked again); the width
    recorded is the level after the last one holding 1e-12 or more."""
    family = (mu, theta, lines, r, nu)
    mean = _fixed_point(n, lam, mu, theta, lines, r)[2] / nu
    hint = _WIDTH_HINT.get(family)
    width = int(_guess(mean))
    if hint is not None:  # never inside the bulk of the redialers (a truncation there is a different chain)
        width = max(math.ceil(hint[0] * _guess(mean) / _guess(hint[1])) + 3, width - 10)
    while True:
        if (lines + 1) * (width + 1) > _MAX_STATES:
            raise ValueError(f"the redial chain needs more than {_MAX_STATES} states; use method='fixed_point'")
        p = _solve_chain(n, lam, mu, theta, lines, r, nu, width)
        cols = p.sum(axis=0)
        if cols[-1] < _TAIL:
            break
        ratio = cols[-1] / cols[-2] if cols[-2] > 0 else 0.5
        more = math.log(_TAIL / cols[-1]) / math.log(ratio) if 0 < ratio < 1 else width
        width = int(width + max(8, 1.25 * more + 4))
    if len(_WIDTH_HINT) > 4096:
        _WIDTH_HINT.clear()
    _WIDTH_HINT[family] = (int(np.flatnonzero(cols >= _TAIL)[-1]) + 1, mean)
    j = np.arange(width + 1)
    return p.sum(axis=1), p @ (lam + j * nu), float(cols @ j)


def _metrics(n, lam, mu, theta, lines, r, target, pi, seen, mean_redialing) -> dict[str, float]:
    attempts = float(seen.sum())
    blocked = float(seen[-1])
    entries = attempts - blocked
    w = seen[:-1] / entries  # state found by an attempt that gets a line: 0 … N − 1 calls in the system
    queued = np.maximum(np.arange(lines + 1) - n, 0)
    mean_queue = float(queued @ pi)
    abandons = theta * mean_queue
    p_wait = float(w[n:].sum())
    positions = lines - n
    if positions > 0:
        p_ans, ans_t, ab_t, time_w = _waiting_chain(n, mu, theta, positions, target)
        wq = w[n:]
        answered_waiting, within_waiting = float(wq @ p_ans), float(wq @ ans_t)
        short_abandons, wait_answered = float(wq @ ab_t), float(wq @ time_w)
    else:
        answered_waiting = within_waiting = short_abandons = wait_answered = 0.0
    immediate = 1.0 - p_wait
    answered = immediate + answered_waiting
    within = immediate + within_waiting
    p_abandon = abandons / entries
    failures = blocked + abandons
    return {
        "p_wait": p_wait,
        "sl_offered": within,
        "sl_answered": within / answered if answered > 0 else math.nan,
        "sl_excl_short_abandons": within / (1.0 - short_abandons),
        "asa_s": wait_answered / answered if answered > 0 else math.nan,
        "mean_wait_s": mean_queue / entries,
        "p_abandon": p_abandon,
        "occupancy": float(np.minimum(np.arange(lines + 1), n) @ pi) / n,
        "mean_queue": mean_queue,
        "blocked_rate": blocked / attempts,
        "attempts_per_customer": attempts / lam,
        "unique_abandon_rate": (1.0 - r) * failures / lam,
        "mean_redialing": mean_redialing,
    }
