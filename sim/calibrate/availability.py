"""Effective availability of the agents seen working, fitted so that simulated training days reproduce their records.

Why raw head counts overstate capacity: an agent counts as "seen" in an interval if any of their services overlaps it,
but the records show only talk time. Wrap-up (after-call work), breaks, outbound calls, supervision and other work
are not in them, and an agent who logs in for the last five minutes of an interval counts as fully present. Simulating
the Anonymous Bank's March 1999 weekdays with the agents seen per interval gives about half the observed abandonment
(11% against 25%). The scenario's ``availability`` (the share of seated agents available to take calls,
``sim.core.agents.effective_counts``) absorbs all of this in one number.

The search: each training day is simulated with its own offered volumes and agents seen (``sim.calibrate.day_model``),
with common random numbers (the same seed for every candidate, so the same callers meet each staffing). The loss is
the sum of the squared relative errors of the two totals over the training days, abandonment share and mean wait;
golden-section search on [low, high] after a coarse grid.
"""
from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.calibrate.day_model import observed_intervals, prepare_days, simulate_days, totals
from sim.calibrate.fit import Fit

GOLDEN = (math.sqrt(5) - 1) / 2


@dataclass
class AvailabilityFit:
    availability: float
    observed: dict          # totals over the training days: abandon_rate, mean_wait_s, sl_offered
    simulated: dict         # the same, simulated at the fitted availability (+ sd across replications)
    simulated_raw: dict     # simulated with availability 1 (raw agents seen)
    table: pd.DataFrame     # every candidate tried: availability, abandon_rate, mean_wait_s, sl_offered, loss
    days: list
    replications: int

    def note(self) -> str:
        o, s, r = self.observed, self.simulated, self.simulated_raw
        return (f"Availability {self.availability:.3f} fitted on {len(self.days)} training day(s) x "
                f"{self.replications} replications: observed abandonment {o['abandon_rate']:.1%} and mean wait "
                f"{o['mean_wait_s']:.0f} s; simulated {s['abandon_rate']:.1%} and {s['mean_wait_s']:.0f} s "
                f"(raw agents seen, availability 1: {r['abandon_rate']:.1%} and {r['mean_wait_s']:.0f} s).")


def fit_availability(calls: pd.DataFrame, fit: Fit, replications: int = 5, seed: int = 1, low: float = 0.3,
                     high: float = 1.0, tol: float = 0.005, folder: str | Path | None = None) -> AvailabilityFit:
    """Search the availability in [low, high] that makes the simulated training days match their records."""
    days = list(fit.chosen)
    obs = totals(observed_intervals(calls, days, fit.interval_s))
    tmp = None
    if folder is None:
        tmp = tempfile.TemporaryDirectory(prefix="contactsim-availability-")
        folder = tmp.name
    try:
        folders = prepare_days(fit, days, Path(folder))
        tried: dict[float, dict] = {}

        def evaluate(a: float) -> float:
            a = round(a, 4)
            if a not in tried:
                sim_tot = totals(simulate_days(fit, folders, a, replications, seed))
                loss = sum(((sim_tot[m] - obs[m]) / obs[m]) ** 2 for m in ("abandon_rate", "mean_wait_s") if obs[m] > 0)
                tried[a] = {**sim_tot, "loss": loss}
            return tried[a]["loss"]

        grid = [low + k * (high - low) / 6 for k in range(7)]
        best = min(grid, key=evaluate)
        step = (high - low) / 6
        a, b = max(low, best - step), min(high, best + step)
        c, d = b - GOLDEN * (b - a), a + GOLDEN * (b - a)
        while b - a > tol:
            if evaluate(c) <= evaluate(d):
                b, d = d, c
                c = b - GOLDEN * (b - a)
            else:
                a, c = c, d
                d = a + GOLDEN * (b - a)
        best = min(tried, key=lambda k: tried[k]["loss"])
        evaluate(1.0)
    finally:
        if tmp is not None:
            tmp.cleanup()
    table = pd.DataFrame([{"availability": k, **v} for k, v in sorted(tried.items())])
    return AvailabilityFit(availability=best, observed=obs, simulated=tried[best], simulated_raw=tried[1.0],
                           table=table, days=days, replications=replications)
