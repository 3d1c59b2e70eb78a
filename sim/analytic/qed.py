"""Large-call-centre (QED, Halfin–Whitt) approximations: square-root staffing and the Garnett delay probability.

In the quality-and-efficiency-driven regime the number of agents is the offered load plus a safety margin that grows
like its square root, n = R + β√R. These formulas are approximations, accurate for large systems; the exact values come
from ``sim.analytic.erlang_c`` and ``sim.analytic.erlang_a``.
"""
from __future__ import annotations

import math

from sim.analytic.erlang_c import check_agents, check_nonnegative, check_positive

_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)


def _normal_hazard(z: float) -> float:
    """h(z) = φ(z)/(1 − Φ(z)), the standard normal hazard rate, in log space (finite for any z)."""
    from scipy import special
    return math.exp(-0.5 * z * z - _LOG_SQRT_2PI - float(special.log_ndtr(-z)))


def sqrt_staffing(load: float, beta: float) -> int:
    """Square-root staffing: the smallest whole number of agents n ≥ R + β·√R for an offered ``load`` R in Erlangs.

    β ≈ 0.5–1 is the usual safety margin without abandonment; with impatient callers β may be 0 or negative
    (Borst, Mandelbaum & Reiman 2004, "Dimensioning large call centers", Operations Research 52(1); domain notes §1).
    """
    r = check_nonnegative(load, "load")
    if isinstance(beta, bool) or not isinstance(beta, (int, float)) or not math.isfinite(beta):
        raise ValueError(f"beta: expected a finite number, got {beta!r}")
    agents = r + beta * math.sqrt(r)
    return max(0, math.ceil(agents - 1e-9 * max(1.0, agents)))


def garnett_p_wait(n: int, load: float, mean_service_s: float, mean_patience_s: float) -> float:
    """Approximate P(wait > 0) in Erlang A (M/M/n+M) for large systems — an approximation, not an exact value.

    With β = (n − R)/√R and r = √(μ/θ) = √(mean patience / mean handle time):
    P(wait > 0) ≈ [1 + h(β·r) / (r·h(−β))]^{−1}, h the standard normal hazard rate (Garnett, Mandelbaum & Reiman
    2002, "Designing a call center with impatient customers", MSOM 4(3)). As patience → ∞ it becomes the Halfin–Whitt
    delay probability [1 + β·Φ(β)/φ(β)]^{−1} (Halfin & Whitt 1981). Use ``erlang_a_metrics`` for exact values.
    """
    n = check_agents(n, minimum=1)
    r_load = check_positive(load, "load")
    service = check_positive(mean_service_s, "mean_service_s")
    patience = check_positive(mean_patience_s, "mean_patience_s", allow_inf=True)
    beta = (n - r_load) / math.sqrt(r_load)
    from scipy import special

    if math.isinf(patience):
        if beta <= 0:
            return 1.0
        return 1.0 / (1.0 + beta * math.exp(float(special.log_ndtr(beta)) + 0.5 * beta * beta + _LOG_SQRT_2PI))
    r = math.sqrt(patience / service)
    return 1.0 / (1.0 + _normal_hazard(beta * r) / (r * _normal_hazard(-beta)))
