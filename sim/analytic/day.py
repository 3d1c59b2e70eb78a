"""A planner's day from a forecast: agents needed per interval by Erlang C, Erlang A and (optionally) Erlang X.

Each interval is treated as stationary (the planners' calculator view, domain notes §1): calls offered in the interval
/ its length is the rate, the interval's ``aht`` and ``patience`` (or the day's) the durations. Erlang C ignores
hang-ups, Erlang A adds exponential patience, Erlang X adds trunk lines and redials (``sim.analytic.erlang_x``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.analytic.erlang_x import erlang_x_metrics, unlimited_lines
from sim.analytic.staffing import _meets, _targets, queue_metrics, required_agents, rostered_agents

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class DayTargets:
    """What every interval must meet: ``service_level`` answered within ``answer_within_s`` (by ``sl_definition``),
    optionally at most ``max_abandon`` hanging up and at most ``max_occupancy`` busy."""

    service_level: float
    answer_within_s: float
    max_abandon: float | None = None
    max_occupancy: float | None = None
    sl_definition: str = "sl_offered"


@dataclass(frozen=True)
class Redialing:
    """Erlang X's extra inputs: trunk ``lines`` (None: as many as never bind, ``unlimited_lines``) and redials."""

    lines: int | None = None
    probability: float = 0.0
    mean_delay_s: float = 900.0


def _x_required(rate, aht, patience, tg: DayTargets, red: Redialing, start: int,
                fewest: int = 1) -> tuple[int | None, dict, int]:
    """Fewest agents meeting the targets under Erlang X (None when no count up to the lines does), its metrics and
    lines. The fixed point finds the neighbourhood cheaply; the exact chain decides. ``fewest``: a count known to be
    needed (``fewest`` − 1 agents fail the targets, shown at a lower arrival rate), so the search never goes below
    it and a count of ``fewest`` that meets the targets is the answer without solving the chain at ``fewest`` − 1."""
    sl, ab, occ = _targets(tg.service_level, tg.max_abandon, tg.max_occupancy, tg.sl_definition)
    cache: dict[tuple[int, str], tuple[dict, int]] = {}

    def metrics(n, method):
        if (n, method) not in cache:
            lines = red.lines if red.lines is not None else unlimited_lines(n, rate, aht, patience, red.probability)
            cache[n, method] = (erlang_x_metrics(n, rate, aht, tg.answer_within_s, lines, patience, red.probability,
                                                 red.mean_delay_s, method), lines)
        return cache[n, method]

    def meets(n, method):
        return _meets(metrics(n, method)[0], sl, ab, occ, tg.sl_definition)

    top = red.lines if red.lines is not None else 10 * start + 100
    n = max(fewest, min(start, top))
    for method in ("fixed_point", "exact"):
        if meets(n, method):
            while n > fewest and meets(n - 1, method):
                n -= 1
        else:
            while n < top and not meets(n, method):
                n += 1
            if not meets(n, method):
                return None, *metrics(n, "exact")
    return n, *metrics(n, "exact")


def plan_rows(volumes, ahts, patiences, interval_s: float, targets: DayTargets, shrinkage: float = 0.0,
              redialing: Redialing | None = None) -> list[dict]:
    """One dict per interval (``volumes`` calls offered, ``ahts`` and ``patiences`` mean seconds, NaN or None
    patience: none): the offered load and, per model, the agents on the phones, the rostered heads
    (⌈n/(1 − shrinkage)⌉) and the service level, ASA and abandonment at that staffing. Intervals without calls need
    0 agents. Intervals with the same inputs (a night of equal volumes) are computed once.

    Erlang X plans the intervals of the same handle time and patience in increasing volume, each searched from the
    count the next smaller volume needed: more calls never need fewer agents (every target gets harder as the
    arrival rate grows, as it does with fewer agents), so that count minus one is known to fail, and a day of
    all-different volumes mostly needs the exact chain once per interval instead of twice."""
    keys = []
    for vol, aht, pat in zip(volumes, ahts, patiences):
        patience = None if pat is None or (isinstance(pat, float) and math.isnan(pat)) else float(pat)
        keys.append((float(vol), float(aht), patience))
    done: dict[tuple, dict] = {}
    fewest: dict[tuple, int] = {}  # by (aht, patience): the Erlang X agents of the last, smaller volume
    for key in sorted(set(keys), key=lambda k: (k[1], math.inf if k[2] is None else k[2], k[0])):
        vol, aht, patience = key
        row = _interval(vol / interval_s, aht, patience, targets, shrinkage, redialing, fewest.get(key[1:], 1))
        if redialing is not None and vol > 0 and not math.isnan(row["erlang_x_agents"]):
            fewest[key[1:]] = row["erlang_x_agents"]
        done[key] = row
    return [dict(done[key]) for key in keys]


def _interval(rate: float, aht: float, patience: float | None, targets: DayTargets, shrinkage: float,
              redialing: Redialing | None, fewest_x: int = 1) -> dict:
    row = {"rate_per_h": rate * 3600.0, "load_erlangs": rate * aht}
    models = [("erlang_c", None)] + ([("erlang_a", patience)] if patience is not None else [])
    for name, pat_m in models:
        if rate == 0.0:
            n, m = 0, None
        else:
            n = required_agents(rate, aht, targets.answer_within_s, targets.service_level, pat_m,
                                targets.max_abandon, targets.max_occupancy, targets.sl_definition)
            m = queue_metrics(n, rate, aht, targets.answer_within_s, pat_m)
        row.update(_columns(name, n, m, shrinkage, targets.sl_definition))
    if redialing is not None:
        if rate == 0.0:
            n, m = 0, None
        else:
            n, m, lines = _x_required(rate, aht, patience, targets, redialing,
                                      row.get("erlang_a_agents", row["erlang_c_agents"]), fewest_x)
        row.update(_columns("erlang_x", n, m, shrinkage, targets.sl_definition))
        row["erlang_x_blocked"] = 0.0 if m is None else m["blocked_rate"]
        row["erlang_x_attempts_per_call"] = 1.0 if m is None else m["attempts_per_customer"]
    return row


def plan_day(forecast: pd.DataFrame, interval_s: float, targets: DayTargets, shrinkage: float = 0.0,
             redialing: Redialing | None = None) -> pd.DataFrame:
    """``plan_rows`` of a table with columns ``volume``, ``aht_s``, ``patience_s``, beside its columns."""
    import pandas as pd

    rows = plan_rows(forecast["volume"], forecast["aht_s"], forecast["patience_s"], interval_s, targets, shrinkage,
                     redialing)
    return pd.concat([forecast.reset_index(drop=True), pd.DataFrame(rows)], axis=1)


def _columns(name: str, n: int | None, m: dict | None, shrinkage: float, sl_definition: str) -> dict:
    if n is None:  # no staffing meets the targets (Erlang X with too few lines)
        return {f"{name}_agents": math.nan, f"{name}_rostered": math.nan, f"{name}_sl": math.nan,
                f"{name}_asa_s": math.nan, f"{name}_abandon": math.nan}
    return {
        f"{name}_agents": n,
        f"{name}_rostered": rostered_agents(n, shrinkage),
        f"{name}_sl": 1.0 if m is None else m[sl_definition],
        f"{name}_asa_s": 0.0 if m is None else m["asa_s"],
        f"{name}_abandon": 0.0 if m is None else m["p_abandon"],
    }
