"""Erlang A (M/M/n+M, Palm 1943): the phone queue with impatient callers, computed exactly.

Calls arrive at rate λ, n agents serve at rate μ = 1/E[S] each, and a waiting caller hangs up at rate θ = 1/E[patience]
(exponential patience). The number in system is a birth–death chain with birth rate λ and death rate
min(j, n)·μ + (j − n)⁺·θ (domain notes §1; Mandelbaum & Zeltyn, "The Palm/Erlang-A queue, with applications to call
centers", 2007). It is stable at any load.

How it is computed (all sums have positive terms; scaled in log space, so 10,000+ agents are fine). Write c = nμ,
a = c/θ, x = λ/θ and B = Erlang B(n, R). Relative to π_n the chain puts 1/B − 1 on states below n and
w_k = x^k / ((a+1)(a+2)…(a+k)) on n + k (k callers waiting), so P(wait > 0) = J/(1/B − 1 + J), J = Σ w_k.

A tagged caller who finds k waiting (PASTA) reaches an agent after S_k, a sum of exponential stages with rates
c + mθ (m = k, …, 0: those ahead leave by service or by hanging up); it hangs up at rate θ meanwhile. Its density
is ∝ e^{−cs}(1 − e^{−θs})^k, i.e. 1 − e^{−θ S_k} ~ Beta(k + 1, a), which gives per k:

- P(served) = a/(a + k + 1), P(abandon) = (k + 1)/(a + k + 1) (so P(abandon) = θ·E[wait] holds exactly),
- E[wait | served] = Σ_{i=1..k+1} 1/(c + iθ),
- mixed over k with weights w_k, the probabilities of being served or abandoning after T reduce to the same sums
  at x·e^{−θT} times e^{−θT}·e^{x(1−e^{−θT}) − cT} (the Mandelbaum–Zeltyn incomplete-gamma closed forms, written
  as series).

For extreme parameters (an overloaded system with patience millions of times the service time) the series would need
millions of terms; there the closed forms with regularized incomplete gamma functions P(a, ·) are used instead, with
one numerical integral for the mean wait of answered calls.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.analytic.erlang_c import (
    check_agents,
    check_nonnegative,
    check_positive,
    erlang_b,
    erlang_c_metrics,
)

#: Series longer than this switch to the incomplete-gamma closed forms.
MAX_SERIES_TERMS = 2_000_000
# A term this far (in natural log) below the largest one, with the rest decaying geometrically, ends a series.
_LOG_CUTOFF = 45.0


@dataclass(frozen=True)
class _Queued:
    """What a caller who has to wait experiences, averaged over the queue it finds (given wait > 0)."""

    log_j: float  # log J = log Σ_k w_k
    p_abandon: float  # P(abandon | wait > 0)
    p_served: float  # P(served | wait > 0)
    served_after_t: float  # P(served, wait > T | wait > 0)
    abandoned_after_t: float  # P(abandon, wait > T | wait > 0)
    served_wait_s: float  # E[wait · 1{served} | wait > 0]
    mean_queue: float  # E[number waiting | all agents busy]


@dataclass(frozen=True)
class _Sums:
    """Scaled sums over k of w_k(y) = y^k/((a+1)…(a+k)) times: 1, (k+1)/(a+k+1), a/(a+k+1), k, a/(a+k+1)·H_k."""

    log_scale: float
    total: float
    abandon: float
    served: float
    queue: float
    served_wait_s: float


def _series_terms(a: float, y: float) -> int:
    """A first guess at how many terms Σ w_k(y) needs; ``_series`` extends it if the tail is not yet negligible."""
    if y <= 0.0:
        return 1
    if y < a:
        geometric = _LOG_CUTOFF / math.log((a + 1.0) / y)
        return int(min(geometric, 15.0 * math.sqrt(a + 1.0)) + 30)
    return int((y - a) + 15.0 * math.sqrt(y) + 30)


def _series(a: float, y: float, c: float, theta: float, max_terms: int) -> _Sums | None:
    """The sums of ``_Sums`` at y, or None when they would need more than ``max_terms`` terms."""
    if y <= 0.0:
        return _Sums(0.0, 1.0, 1.0 / (a + 1.0), a / (a + 1.0), 0.0, a / (a + 1.0) / (c + theta))
    n_terms = _series_terms(a, y)
    while True:
        if n_terms > max_terms:
            return None
        k = np.arange(n_terms, dtype=float)
        log_w = np.empty(n_terms)
        log_w[0] = 0.0
        log_w[1:] = np.cumsum(math.log(y) - np.log(a + k[1:]))
        top = float(log_w.max())
        ratio = y / (a + n_terms)  # bound on every later term ratio
        w = np.exp(log_w - top)
        if ratio < 1.0:
            tail = w[-1] * ratio / (1.0 - ratio) * (n_terms + 1.0 / (1.0 - ratio))
            if log_w[-1] < top - _LOG_CUTOFF and tail < 1e-17:
                break
        n_terms *= 2
    served = a / (a + k + 1.0)
    stage_means = np.cumsum(1.0 / (c + theta * (k + 1.0)))  # H_k = Σ_{i=1..k+1} 1/(c + iθ), seconds
    return _Sums(
        log_scale=top,
        total=float(w.sum()),
        abandon=float(np.dot(w, (k + 1.0) / (a + k + 1.0))),
        served=float(np.dot(w, served)),
        queue=float(np.dot(w, k)),
        served_wait_s=float(np.dot(w, served * stage_means)),
    )


def _queued_by_series(lam, c, theta, target, max_terms) -> _Queued | None:
    a, x = c / theta, lam / theta
    at_x = _series(a, x, c, theta, max_terms)
    if at_x is None:
        return None
    p_ab = at_x.abandon / at_x.total
    p_sv = at_x.served / at_x.total
    if math.isinf(target) or theta * target > 745.0:
        served_after = abandoned_after = 0.0
    else:
        v = math.exp(-theta * target)
        at_y = at_x if target == 0 else _series(a, x * v, c, theta, max_terms)
        # log of e^{−θT}·e^{x(1 − e^{−θT}) − cT}, rescaled from the y-sums to the x-sums
        log_factor = -theta * target - x * math.expm1(-theta * target) - c * target
        factor = math.exp(log_factor + at_y.log_scale - at_x.log_scale) / at_x.total
        served_after = min(p_sv, factor * at_y.served)
        abandoned_after = min(p_ab, factor * at_y.abandon)
    return _Queued(
        log_j=at_x.log_scale + math.log(at_x.total),
        p_abandon=p_ab,
        p_served=p_sv,
        served_after_t=served_after,
        abandoned_after_t=abandoned_after,
        served_wait_s=at_x.served_wait_s / at_x.total,
        mean_queue=at_x.queue / at_x.total,
    )


def _log_gamma_remainder(a: float) -> float:
    """lgamma(a) − [(a − ½)·log a − a + ½·log 2π] (Stirling's series for large a, direct otherwise)."""
    if a < 10.0:
        return math.lgamma(a) - ((a - 0.5) * math.log(a) - a + 0.5 * math.log(2.0 * math.pi))
    inv, inv2 = 1.0 / a, 1.0 / (a * a)
    return inv * (1.0 / 12.0 - inv2 * (1.0 / 360.0 - inv2 * (1.0 / 1260.0 - inv2 / 1680.0)))


def _queued_by_gamma(lam, c, theta, target) -> _Queued:
    """The same quantities from the incomplete-gamma closed forms (Mandelbaum & Zeltyn 2007), for long series.

    With P(a, ·) the regularized lower incomplete gamma function and ρ = λ/c: J = a·e^x·x^{−a}·Γ(a)·P(a, x),
    P(abandon | wait > 0) = 1 − 1/ρ + 1/(ρJ), P(served, wait > T | wait > 0) = P(a+1, x·e^{−θT})/(ρ·P(a, x)),
    P(wait > T | wait > 0) = e^{−θT}·P(a, x·e^{−θT})/P(a, x), and
    E[wait·1{served} | wait > 0] = ∫_0^x P(a+1, y)/y dy / (θρ·P(a, x)).
    """
    from scipy import integrate, special  # only for these extreme cases: the series path needs no scipy

    a, x, rho = c / theta, lam / theta, lam / c
    p_ax = float(special.gammainc(a, x))
    if not p_ax > 0.0:
        raise ValueError(
            "mean_patience_s: patience too long for the Erlang A closed forms at this load; "
            "use mean_patience_s=math.inf (Erlang C)"
        )
    d = (lam - c) / theta / a  # (x − a)/a
    d_minus_log1p = d * d * (0.5 - d / 3.0 + d * d / 4.0 - d**3 / 5.0) if abs(d) < 1e-3 else d - math.log1p(d)
    log_j = (
        0.5 * math.log(a) + a * d_minus_log1p + 0.5 * math.log(2.0 * math.pi)
        + _log_gamma_remainder(a) + math.log(p_ax)
    )
    p_ab = 1.0 - 1.0 / rho + math.exp(-log_j) / rho
    p_ab = min(max(p_ab, 0.0), 1.0)
    if math.isinf(target) or theta * target > 745.0:
        served_after = abandoned_after = 0.0
    else:
        v = math.exp(-theta * target)
        waiting_after = v * float(special.gammainc(a, x * v)) / p_ax
        served_after = min(1.0 - p_ab, float(special.gammainc(a + 1.0, x * v)) / (rho * p_ax))
        abandoned_after = min(p_ab, max(0.0, waiting_after - served_after))
    spread = 40.0 * math.sqrt(a + 1.0)
    hi = min(x, a + 1.0 + spread)
    lo = min(hi, max(0.0, a + 1.0 - spread))
    inner, _ = integrate.quad(lambda y: special.gammainc(a + 1.0, y) / y, lo, hi, epsabs=0.0, epsrel=1e-12, limit=500)
    outer = math.log(x / hi) if x > hi else 0.0  # P(a+1, y) = 1 to double precision above hi
    return _Queued(
        log_j=log_j,
        p_abandon=p_ab,
        p_served=1.0 - p_ab,
        served_after_t=served_after,
        abandoned_after_t=abandoned_after,
        served_wait_s=(inner + outer) / (theta * rho * p_ax),
        mean_queue=x * p_ab,  # θ·E[queue] = λ·P(abandon) (flow balance)
    )


def erlang_a_metrics(
    n: int,
    rate: float,
    mean_service_s: float,
    mean_patience_s: float,
    answer_within_s: float,
    *,
    max_series_terms: int = MAX_SERIES_TERMS,
) -> dict[str, float]:
    """Exact steady-state metrics of the Erlang A queue (M/M/n+M, Palm 1943; Mandelbaum & Zeltyn 2007).

    ``n`` agents, ``rate`` calls per second, exponential handle time with mean ``mean_service_s``, exponential patience
    with mean ``mean_patience_s`` (``math.inf``: nobody hangs up, i.e. Erlang C), service-level target
    ``answer_within_s`` seconds. Waits run from arrival to answer or hang-up. Returns a dict with the keys of
    ``METRIC_KEYS``:

    - ``p_wait``: P(wait > 0), the share of callers who find every agent busy.
    - ``sl_offered``: P(answered within T) over all offered calls.
    - ``sl_answered``: P(answered within T | answered).
    - ``sl_excl_short_abandons``: P(answered within T) / (1 − P(abandoned within T)).
    - ``asa_s``: mean wait of answered calls; ``mean_wait_s``: mean wait of all arrivals (hang-ups' time included).
    - ``p_abandon``: share who hang up; equals θ·``mean_wait_s`` (exact identity, domain notes §1).
    - ``occupancy``: (1 − P(abandon))·λ/(nμ); ``mean_queue``: time-average number waiting (= λ·``mean_wait_s``).

    ``max_series_terms`` bounds the exact series before the incomplete-gamma closed forms take over (see module notes).
    """
    n = check_agents(n, minimum=1)
    lam = check_nonnegative(rate, "rate")
    service = check_positive(mean_service_s, "mean_service_s")
    patience = check_positive(mean_patience_s, "mean_patience_s", allow_inf=True)
    target = check_nonnegative(answer_within_s, "answer_within_s", allow_inf=True)
    if math.isinf(patience):
        return erlang_c_metrics(n, lam, service, target)
    if lam == 0.0:
        return {"p_wait": 0.0, "sl_offered": 1.0, "sl_answered": 1.0, "sl_excl_short_abandons": 1.0, "asa_s": 0.0,
                "mean_wait_s": 0.0, "p_abandon": 0.0, "occupancy": 0.0, "mean_queue": 0.0}
    c, theta = n / service, 1.0 / patience
    queued = _queued_by_series(lam, c, theta, target, max_series_terms)
    if queued is None:
        queued = _queued_by_gamma(lam, c, theta, target)
    b = erlang_b(n, lam * service)
    if b == 0.0:  # R far below n: nobody waits to double precision
        p_wait = 0.0
    else:
        # P(wait > 0) = J/(1/B − 1 + J), written to stay finite when J is astronomically large
        p_wait = 1.0 / (1.0 + (1.0 - b) / b * math.exp(-queued.log_j))
    p_abandon = p_wait * queued.p_abandon
    p_served = 1.0 - p_abandon
    answered_within = (1.0 - p_wait) + p_wait * (queued.p_served - queued.served_after_t)
    abandoned_within = p_wait * (queued.p_abandon - queued.abandoned_after_t)
    mean_queue = p_wait * queued.mean_queue
    mean_wait = mean_queue / lam
    return {
        "p_wait": p_wait,
        "sl_offered": answered_within,
        "sl_answered": answered_within / p_served,
        "sl_excl_short_abandons": answered_within / (1.0 - abandoned_within),
        "asa_s": p_wait * queued.served_wait_s / p_served,
        "mean_wait_s": mean_wait,
        "p_abandon": p_abandon,
        "occupancy": p_served * lam * service / n,
        "mean_queue": mean_queue,
    }
