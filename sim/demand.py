"""Demand that responds, by thinning, with common random numbers (Lewis & Shedler 1979 thinning of a Poisson process).

Each day's *candidate* arrivals are a Poisson process at one bound per interval, ``bound(t)`` — the same for every
design of a study, since it depends only on the scenario — and every candidate draws all its attributes (acceptance
uniform, new-or-returning, which returning customer, channel, loss and deflection uniforms) whether it is accepted or
not. A design then accepts candidate j when ``accept_u[j] < rate(t_j) / bound(t_j)``, where ``rate`` depends on the
design's reputation state and customers. Two designs therefore meet the same candidate table (same times, same
uniforms) and differ only in which candidates they accept. A rate above the bound is clamped at the bound and counted
(``clamped``): the accepted process is then Poisson with rate min(rate, bound), and the count says how often the
bound was too low.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.arrivals import poisson_arrivals

# The uniforms every candidate draws, whether accepted or not (one column of the candidate table each).
UNIFORMS = ("accept_u", "kind_u", "who_u", "channel_u", "loss_u", "deflect_u")


@dataclass(frozen=True)
class Candidates:
    """One day's candidate arrivals: times (s from the day's start) and one array per uniform of ``UNIFORMS``."""

    times: np.ndarray
    u: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.times)

    def table(self):
        """The candidate table (pandas), one row per candidate: what two designs must share."""
        import pandas as pd

        return pd.DataFrame({"at_s": self.times, **self.u})


def candidates(starts: np.ndarray, bound: np.ndarray, length_s: float, rng: np.random.Generator) -> Candidates:
    """Candidates on [0, length_s) at the piecewise-constant ``bound`` (per second on each piece starting at
    ``starts``), with every candidate's uniforms drawn from ``rng`` right after the times."""
    times = poisson_arrivals(starts, bound, length_s, rng)
    u = rng.random((len(UNIFORMS), len(times)))
    return Candidates(times, {name: u[k] for k, name in enumerate(UNIFORMS)})


def thin(c: Candidates, rate: np.ndarray, bound: np.ndarray) -> tuple[np.ndarray, int]:
    """(accepted mask, number of candidates whose rate was clamped at the bound). ``rate`` and ``bound`` are the
    rates at each candidate's time."""
    over = rate > bound
    ratio = np.where(bound > 0, np.minimum(rate, bound) / np.where(bound > 0, bound, 1.0), 0.0)
    return c.u["accept_u"] < ratio, int(over.sum())


def piece_at(starts: np.ndarray, values: np.ndarray, t: np.ndarray) -> np.ndarray:
    """The value of a piecewise-constant function at times ``t``."""
    return values[np.searchsorted(starts, t, side="right") - 1]
