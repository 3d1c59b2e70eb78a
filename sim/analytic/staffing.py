"""Staffing from exact queue formulas: the fewest agents that meet a service-level target, and planners' tables.

``required_agents`` uses Erlang C when callers never hang up and Erlang A (exponential patience) otherwise
(domain notes §1). The search starts from square-root staffing (Borst, Mandelbaum & Reiman 2004) and moves by doubling
steps then bisection, so 10,000-agent loads need a few dozen evaluations, not a scan from one agent. It relies on every
target getting easier with more agents, which holds for M/M/n and M/M/n+M.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sim.analytic.erlang_a import erlang_a_metrics
from sim.analytic.erlang_c import METRIC_KEYS, check_nonnegative, check_positive, erlang_c_metrics
from sim.analytic.qed import sqrt_staffing

if TYPE_CHECKING:
    import pandas as pd

#: The three planners' service-level definitions a target may refer to (see ``erlang_a_metrics``).
SL_DEFINITIONS = ("sl_offered", "sl_answered", "sl_excl_short_abandons")
_MAX_AGENTS = 10_000_000
_TABLE_COLUMNS = ("agents", "rostered", *METRIC_KEYS, "meets_target", "recommended")


def queue_metrics(
    n: int, rate: float, mean_service_s: float, answer_within_s: float, mean_patience_s: float | None = None
) -> dict[str, float]:
    """Exact metrics of the phone queue: Erlang C when ``mean_patience_s`` is None or infinite, else Erlang A."""
    if mean_patience_s is None or (isinstance(mean_patience_s, (int, float)) and math.isinf(mean_patience_s)):
        return erlang_c_metrics(n, rate, mean_service_s, answer_within_s)
    return erlang_a_metrics(n, rate, mean_service_s, mean_patience_s, answer_within_s)


def _fraction(value, name: str, upper_open: bool = False) -> float | None:
    if value is None:
        return None
    v = check_nonnegative(value, name)
    if v > 1.0 or (upper_open and v >= 1.0):
        bound = "below 1" if upper_open else "at most 1"
        raise ValueError(f"{name}: expected a fraction {bound} (0.8 for 80%), got {value!r}")
    return v


def _targets(service_level, max_abandon, max_occupancy, sl_definition):
    if sl_definition not in SL_DEFINITIONS:
        raise ValueError(f"sl_definition: expected one of {', '.join(SL_DEFINITIONS)}, got {sl_definition!r}")
    sl = _fraction(service_level, "service_level", upper_open=True)
    ab = _fraction(max_abandon, "max_abandon")
    occ = _fraction(max_occupancy, "max_occupancy")
    if ab == 0.0:
        raise ValueError("max_abandon: expected a fraction above 0 (no finite staffing makes abandonment 0)")
    if occ == 0.0:
        raise ValueError("max_occupancy: expected a fraction above 0")
    return sl, ab, occ


def _meets(m: dict[str, float], sl, ab, occ, sl_definition) -> bool:
    return (
        (sl is None or m[sl_definition] >= sl)
        and (ab is None or m["p_abandon"] <= ab)
        and (occ is None or m["occupancy"] <= occ)
    )


def required_agents(
    rate: float,
    mean_service_s: float,
    answer_within_s: float,
    service_level: float | None,
    mean_patience_s: float | None = None,
    max_abandon: float | None = None,
    max_occupancy: float | None = None,
    sl_definition: str = "sl_offered",
) -> int:
    """Fewest agents on the phones that meet every given target at ``rate`` calls per second.

    Targets: ``service_level`` (fraction answered within ``answer_within_s`` seconds, by ``sl_definition``, one of
    ``SL_DEFINITIONS``), ``max_abandon`` (largest share hanging up), ``max_occupancy`` (largest share of agent time
    busy); None skips a target. ``mean_patience_s`` None: Erlang C, which also needs more agents than the offered load;
    otherwise Erlang A. Agents on the phones, before shrinkage (see ``staffing_table`` for rostered heads).
    """
    lam = check_nonnegative(rate, "rate")
    service = check_positive(mean_service_s, "mean_service_s")
    target = check_nonnegative(answer_within_s, "answer_within_s", allow_inf=True)
    if mean_patience_s is not None:
        check_positive(mean_patience_s, "mean_patience_s", allow_inf=True)
    sl, ab, occ = _targets(service_level, max_abandon, max_occupancy, sl_definition)
    load = lam * service
    erlang_c = mean_patience_s is None or math.isinf(mean_patience_s)
    lowest = math.floor(load) + 1 if erlang_c else 1

    def meets(n: int) -> bool:
        return _meets(queue_metrics(n, lam, service, target, mean_patience_s), sl, ab, occ, sl_definition)

    start = max(lowest, sqrt_staffing(load, 0.5 if erlang_c else 0.0))
    if meets(start):
        good, step = start, 1
        while good > lowest:  # double the step downwards until a count fails
            trial = max(lowest, good - step)
            if not meets(trial):
                bad = trial
                break
            good, step = trial, step * 2
        else:
            return good
    else:
        bad, step = start, 1
        while True:
            if bad >= _MAX_AGENTS:
                raise ValueError(f"no staffing up to {_MAX_AGENTS} agents meets the targets")
            trial = min(bad + step, _MAX_AGENTS)
            if meets(trial):
                good = trial
                break
            bad, step = trial, step * 2
    while good - bad > 1:  # invariant: bad fails, good meets
        mid = (good + bad) // 2
        if meets(mid):
            good = mid
        else:
            bad = mid
    return good


def rostered_agents(agents: int, shrinkage: float) -> int:
    """Heads to roster so that ``agents`` are on the phones after ``shrinkage`` (breaks, training, absence): ⌈n/(1 − s)⌉."""
    exact = agents / (1.0 - shrinkage)
    return math.ceil(exact - 1e-9 * max(1.0, exact))


def staffing_table(
    rate: float,
    mean_service_s: float,
    answer_within_s: float,
    service_level: float | None,
    mean_patience_s: float | None = None,
    shrinkage: float = 0.0,
    rows_around: int = 5,
    *,
    max_abandon: float | None = None,
    max_occupancy: float | None = None,
    sl_definition: str = "sl_offered",
) -> pd.DataFrame:
    """Planners' staffing table: one row per agent count from ``rows_around`` below to ``rows_around`` above the
    recommendation of ``required_agents`` (same targets), like the Erlang calculators planners use.

    Columns: ``agents`` (on the phones), ``rostered`` = ⌈agents/(1 − shrinkage)⌉, every key of ``METRIC_KEYS``,
    ``meets_target`` (all targets met) and ``recommended`` (the fewest agents meeting them). Erlang C rows at or below
    the offered load are unstable: infinite waits, service level 0 (see ``erlang_c_metrics``).
    """
    s = check_nonnegative(shrinkage, "shrinkage")
    if s >= 1.0:
        raise ValueError(f"shrinkage: expected a fraction below 1 (0.3 for 30%), got {shrinkage!r}")
    if isinstance(rows_around, bool) or not isinstance(rows_around, int) or rows_around < 0:
        raise ValueError(f"rows_around: expected a whole number ≥ 0, got {rows_around!r}")
    best = required_agents(rate, mean_service_s, answer_within_s, service_level, mean_patience_s,
                           max_abandon, max_occupancy, sl_definition)
    sl, ab, occ = _targets(service_level, max_abandon, max_occupancy, sl_definition)
    rows = []
    for n in range(max(1, best - rows_around), best + rows_around + 1):
        m = queue_metrics(n, rate, mean_service_s, answer_within_s, mean_patience_s)
        stable = (mean_patience_s is not None and not math.isinf(mean_patience_s)) or rate * mean_service_s < n
        rows.append({
            "agents": n,
            "rostered": rostered_agents(n, s),
            **m,
            "meets_target": stable and _meets(m, sl, ab, occ, sl_definition),
            "recommended": n == best,
        })
    import pandas as pd

    return pd.DataFrame(rows, columns=list(_TABLE_COLUMNS))
