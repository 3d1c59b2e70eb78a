"""Spillover from the funnel: a caller's bad experience becomes a public complaint.

When a call ends (served, abandoned, blocked, hung up in the IVR, self-served), the caller posts a public complaint
on the social channel with probability

    p = 1 / (1 + exp(−(b0 + b_wait·wait_min + b_transfer·transfers + b_ivr·ivr_min + b_failed·failed
                        + b_unresolved·unresolved)))

(``call_experience`` in ``sim.reputation.experience`` defines the inputs), after a delay drawn from ``delay``. The post
is a public complaint from an author with the social channel's reach, handled by the brand like any other post — it
takes agent time, earns impressions and can start a pile-on. This is how a bad phone tree becomes public.
All coefficients **[assumed]**: a caller served at once posts with p ≈ 0.25%; one who waited 10 minutes and gave up
with p ≈ 2.9%; every transfer multiplies the odds by e^0.5 ≈ 1.6 (transferred callers are less satisfied: SQM Group,
domain notes §2). Each call decides with its own keyed draws (``sim.reputation.keyed``), so a higher coefficient
only adds posters (common random numbers).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from sim.distributions import Dist, Exponential

DELAY = Exponential(600.0)  # [assumed]: posted on average 10 minutes after the call


@dataclass(frozen=True)
class Spillover:
    intercept: float = -6.0
    per_wait_minute: float = 0.1
    per_transfer: float = 0.5
    per_ivr_minute: float = 0.2
    failed: float = 1.5
    unresolved: float = 1.0
    delay: Dist = field(default=DELAY)
    sources: tuple[str, ...] | None = None  # phone/chat channels whose callers may post (None: every phone channel)
    to: str | None = None  # the social channel they post on (None: the scenario's only social channel)

    def probability(self, wait_s: float, transfers: float, ivr_s: float, failed: bool, unresolved: bool) -> float:
        x = (self.intercept + self.per_wait_minute * wait_s / 60.0 + self.per_transfer * transfers
             + self.per_ivr_minute * ivr_s / 60.0 + self.failed * failed + self.unresolved * unresolved)
        return 1.0 / (1.0 + math.exp(-x)) if x > -700 else 0.0
