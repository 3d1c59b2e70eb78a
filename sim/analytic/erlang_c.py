"""Erlang B (blocking) and Erlang C (M/M/n: a queue without abandonment), the textbook phone-queue baselines.

Offered load R = λ·E[S] in Erlangs (λ calls per second, E[S] the mean handle time). With n agents:

- Erlang B, B(n, R): the share of calls that find every agent busy when there is no queue (Erlang 1917). Computed by
  the recursion B_k = R·B_{k−1} / (k + R·B_{k−1}), B_0 = 1, which never overflows and is stable for tens of thousands
  of agents (domain notes §1; Cooper, "Introduction to Queueing Theory", 2nd ed., §3.5).
- Erlang C, C(n, R) = B / (1 − (R/n)(1 − B)): the share of calls that wait at all in M/M/n (Erlang 1917). With
  μ = 1/E[S]: E[wait] = C / (nμ − λ) and P(wait ≤ t) = 1 − C·e^{−(nμ−λ)t} (domain notes §1).

Unstable load (R ≥ n): the queue grows without bound, so every caller waits (``p_wait`` 1), nobody is answered
within any target (every service level 0), waits and the queue are infinite and the agents are always busy
(``occupancy`` 1). Erlang A (``sim.analytic.erlang_a``) has no such regime: impatient callers keep it stable.
"""
from __future__ import annotations

import math
import numbers

#: Keys of every metrics dictionary, in the order of the ``intervals`` table's ratio columns.
METRIC_KEYS = (
    "p_wait",
    "sl_offered",
    "sl_answered",
    "sl_excl_short_abandons",
    "asa_s",
    "mean_wait_s",
    "p_abandon",
    "occupancy",
    "mean_queue",
)


def check_agents(n: object, name: str = "n", minimum: int = 0) -> int:
    """``n`` as an int (whole numbers only), at least ``minimum``; otherwise ``ValueError`` naming the parameter."""
    if isinstance(n, bool) or not isinstance(n, numbers.Real) or not math.isfinite(n) or n != int(n):
        raise ValueError(f"{name}: expected a whole number of agents, got {n!r}")
    if n < minimum:
        raise ValueError(f"{name}: expected at least {minimum} agents, got {n!r}")
    return int(n)


def check_nonnegative(value: object, name: str, allow_inf: bool = False) -> float:
    """``value`` as a float ≥ 0 (finite unless ``allow_inf``); otherwise ``ValueError`` naming the parameter."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or math.isnan(value) or value < 0:
        raise ValueError(f"{name}: expected a number ≥ 0, got {value!r}")
    if math.isinf(value) and not allow_inf:
        raise ValueError(f"{name}: expected a finite number, got {value!r}")
    return float(value)


def check_positive(value: object, name: str, allow_inf: bool = False) -> float:
    """``value`` as a float > 0 (finite unless ``allow_inf``); otherwise ``ValueError`` naming the parameter."""
    v = check_nonnegative(value, name, allow_inf)
    if v == 0:
        raise ValueError(f"{name}: expected a number > 0, got {value!r}")
    return v


def erlang_b(n: int, load: float) -> float:
    """Erlang B: probability that a call finds all ``n`` agents busy with no queue, offered ``load`` Erlangs.

    Recursion B_k = R·B_{k−1}/(k + R·B_{k−1}) from B_0 = 1 (Erlang 1917; domain notes §1).
    """
    n = check_agents(n)
    r = check_nonnegative(load, "load")
    b = 1.0
    for k in range(1, n + 1):
        rb = r * b
        b = rb / (k + rb)
    return b


def erlang_c(n: int, load: float) -> float:
    """Erlang C: probability that a call waits at all (all ``n`` agents busy on arrival) in M/M/n.

    C = B/(1 − ρ(1 − B)) with ρ = R/n and B the Erlang B value (Erlang 1917; domain notes §1). Unstable load (R ≥ n)
    gives 1: the queue grows without bound and every caller waits.
    """
    n = check_agents(n)
    r = check_nonnegative(load, "load")
    if r >= n:
        return 1.0
    b = erlang_b(n, r)
    return b / (1.0 - (r / n) * (1.0 - b))


def unstable_metrics() -> dict[str, float]:
    """Erlang C metrics when R ≥ n: everyone waits, forever; service levels 0, waits and queue infinite."""
    return {
        "p_wait": 1.0,
        "sl_offered": 0.0,
        "sl_answered": 0.0,
        "sl_excl_short_abandons": 0.0,
        "asa_s": math.inf,
        "mean_wait_s": math.inf,
        "p_abandon": 0.0,
        "occupancy": 1.0,
        "mean_queue": math.inf,
    }


def erlang_c_metrics(n: int, rate: float, mean_service_s: float, answer_within_s: float) -> dict[str, float]:
    """Steady-state phone-queue metrics of M/M/n (no abandonment): ``n`` agents, ``rate`` calls per second,
    exponential handle times with mean ``mean_service_s``, service-level target ``answer_within_s`` seconds.

    Returns a dict with the keys of ``METRIC_KEYS``:

    - ``p_wait``: P(wait > 0) = C(n, R).
    - ``sl_offered``, ``sl_answered``, ``sl_excl_short_abandons``: P(wait ≤ T) = 1 − C·e^{−(nμ−λ)T}; the three
      planners' definitions coincide because nobody abandons.
    - ``asa_s`` (mean wait of answered calls) = ``mean_wait_s`` (mean wait of all arrivals) = C/(nμ − λ).
    - ``p_abandon``: 0. ``occupancy``: R/n. ``mean_queue``: time-average number waiting, λ·E[wait] (Little).

    Unstable load (R ≥ n) gives ``unstable_metrics()``: p_wait 1, service levels 0, infinite waits and queue,
    occupancy 1 (domain notes §1; Erlang 1917).
    """
    n = check_agents(n, minimum=1)
    lam = check_nonnegative(rate, "rate")
    service = check_positive(mean_service_s, "mean_service_s")
    target = check_nonnegative(answer_within_s, "answer_within_s", allow_inf=True)
    load = lam * service
    if load >= n:
        return unstable_metrics()
    c = erlang_c(n, load)
    gap = n / service - lam  # nμ − λ > 0, the rate at which the queue drains
    mean_wait = c / gap
    sl = 1.0 if math.isinf(target) else 1.0 - c * math.exp(-gap * target)
    return {
        "p_wait": c,
        "sl_offered": sl,
        "sl_answered": sl,
        "sl_excl_short_abandons": sl,
        "asa_s": mean_wait,
        "mean_wait_s": mean_wait,
        "p_abandon": 0.0,
        "occupancy": load / n,
        "mean_queue": lam * mean_wait,
    }
