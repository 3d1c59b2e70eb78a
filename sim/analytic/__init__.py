"""Exact queueing baselines for the phone queue, to plan staffing and to check the simulator against.

- ``erlang_b``, ``erlang_c``, ``erlang_c_metrics``: M/M/n without abandonment (Erlang 1917).
- ``erlang_a_metrics``: M/M/n+M with exponential patience, exact (Palm 1943; Mandelbaum & Zeltyn 2007).
- ``erlang_x_metrics``: trunk lines, exponential patience and redials, an exact 2-D Markov chain (``sim.analytic.erlang_x``).
- ``garnett_p_wait``: the QED approximation of P(wait > 0) (Garnett, Mandelbaum & Reiman 2002), a cross-check.
- ``sqrt_staffing``, ``required_agents``, ``staffing_table``: staffing (Borst, Mandelbaum & Reiman 2004).

Every metrics function returns a dict with the keys of ``METRIC_KEYS`` (the ``intervals`` table's ratio names):
``p_wait, sl_offered, sl_answered, sl_excl_short_abandons, asa_s, mean_wait_s, p_abandon, occupancy, mean_queue``.
Rates are per second, durations in seconds (``sim.units`` parses "100/h", "240s").
"""
from sim.analytic.erlang_a import erlang_a_metrics
from sim.analytic.erlang_c import METRIC_KEYS, erlang_b, erlang_c, erlang_c_metrics
from sim.analytic.erlang_x import X_KEYS, erlang_x_metrics
from sim.analytic.qed import garnett_p_wait, sqrt_staffing
from sim.analytic.staffing import (
    SL_DEFINITIONS,
    queue_metrics,
    required_agents,
    rostered_agents,
    staffing_table,
)

__all__ = [
    "METRIC_KEYS",
    "SL_DEFINITIONS",
    "erlang_a_metrics",
    "erlang_b",
    "erlang_c",
    "erlang_c_metrics",
    "erlang_x_metrics",
    "garnett_p_wait",
    "queue_metrics",
    "required_agents",
    "rostered_agents",
    "sqrt_staffing",
    "staffing_table",
    "X_KEYS",
]
