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

The spillover is a row of the next-try rule (``spillover_rows``; ``sim.next_try.provided``), run by
``sim.next_try.follow_up`` on its own keyed stream ``reputation.spillover`` (keyed by the call's id): the reputation
model (``sim.reputation.live``) gives the row's probability from the call's experience and creates the post.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from sim.distributions import Dist, Exponential
from sim.next_try.rows import Row
from sim.outcomes import OUTCOMES

DELAY = Exponential(600.0)  # [assumed]: posted on average 10 minutes after the call
KEY = STREAM = "reputation.spillover"  # the row's key in the next-try table, and its stream of keyed draws
SOURCE = "assumed; probability from the call's experience"


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


def spillover_route(scenario, spec) -> tuple[list[str], str | None]:
    """(channels whose callers may post, the social channel they post on) of a ``[reputation]`` spec."""
    if spec.spillover is None:
        return [], None
    src = spec.spillover.sources
    src = list(src) if src is not None else [c.name for c in scenario.channels.values() if c.kind == "phone"]
    social = [c.name for c in scenario.channels.values() if c.kind == "social"]
    to = spec.spillover.to if spec.spillover.to is not None else (social[0] if len(social) == 1 else None)
    return src, to


def spillover_rows(scenario, spec) -> list[Row]:
    """The spillover as rows of the next-try rule: one per channel whose callers may post, after every end of a call,
    to the social channel, on the stream ``reputation.spillover``; probability NaN (the call's experience decides)."""
    src, to = spillover_route(scenario, spec)
    if to is None:
        return []
    return [Row(name, OUTCOMES, to, math.nan, spec.spillover.delay, math.inf, KEY, SOURCE, stream=STREAM,
                every_end=True) for name in src]
