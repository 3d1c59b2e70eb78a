"""First-attempt arrivals: a non-homogeneous Poisson process, generated exactly.

The rate is piecewise constant (a planner's forecast per interval, opening hours, a daily busyness factor): on each piece
the number of arrivals is Poisson(rate × length) and their times are uniform on the piece — exact, with no bias where the
rate changes (domain notes §1, time-varying demand).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.calendar import DAY, Calendar, Profile


@dataclass(frozen=True)
class ArrivalSpec:
    """``profile`` gives a rate per second (``rate = "100/h"``) or, when ``per_interval``, volumes per interval."""

    profile: Profile
    per_interval: bool = False

    def rate_pieces(self, horizon_s: float, cal: Calendar, open_hours: tuple[float, float] | None,
                    busyness: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(piece starts, rate per second on each piece) over [0, horizon)."""
        extra = [cal.midnights(horizon_s)]
        if open_hours is not None:
            first_midnight = -cal.start_clock_s
            days = first_midnight + DAY * np.arange(len(busyness) + 1)
            extra += [days + open_hours[0], days + open_hours[1]]
        extra_edges = np.concatenate(extra)
        extra_edges = extra_edges[(extra_edges > 0) & (extra_edges < horizon_s)]
        starts, values = self.profile.steps(horizon_s, cal, extra_edges, merge=False)
        rates = values / self.profile.interval_s if self.per_interval else values.astype(float)
        if open_hours is not None:
            clock = cal.clock(starts)
            rates = np.where((clock >= open_hours[0]) & (clock < open_hours[1]), rates, 0.0)
        rates = rates * busyness[cal.day_index(starts)]
        return starts, rates

    def expected_count(self, horizon_s: float, cal: Calendar, open_hours=None, busyness=None) -> float:
        """Mean number of arrivals over [0, horizon) for given busyness factors (default all 1)."""
        from sim.calendar import n_days
        b = np.ones(n_days(horizon_s, cal)) if busyness is None else busyness
        starts, rates = self.rate_pieces(horizon_s, cal, open_hours, b)
        lengths = np.diff(np.append(starts, horizon_s))
        return float(np.sum(rates * lengths))


def poisson_arrivals(starts: np.ndarray, rates: np.ndarray, horizon_s: float, rng: np.random.Generator) -> np.ndarray:
    """Sorted arrival times of a Poisson process with piecewise-constant rate."""
    ends = np.append(starts[1:], horizon_s)
    counts = rng.poisson(rates * (ends - starts))
    total = int(counts.sum())
    if total == 0:
        return np.empty(0)
    lo = np.repeat(starts, counts)
    width = np.repeat(ends - starts, counts)
    times = lo + rng.random(total) * width
    times.sort()
    return times
