"""Deflection: a public answer to a question is read by others with the same question, and some of them never ask.

Each question on a social channel is about one of ``topics`` topics (uniform **[assumed]**, 20 by default). When the
brand answers a public question, later questions on that topic are deflected — the customer finds the answer and
does not post — with probability ``fraction``·e^(−elapsed/``duration``); several answers combine as independent
chances: P(deflected) = 1 − Π (1 − fraction·e^(−elapsed_i/duration)). Defaults **[assumed]**: fraction 0.2, duration
4 h. A deflected question is drawn like any other (its attributes are consumed, so later posts are unchanged) and
then dropped: it makes no contact row and is counted as ``deflected`` in the reputation table. Topic and decision
come from draws keyed by the post (``sim.reputation.keyed``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

FRACTION = 0.2  # [assumed]
DURATION_S = 4 * 3600.0  # [assumed]
TOPICS = 20  # [assumed]


@dataclass(frozen=True)
class Deflection:
    fraction: float = FRACTION
    duration_s: float = DURATION_S
    topics: int = TOPICS


class DeflectionBoard:
    """Answered public questions per (channel, topic) at run time."""

    def __init__(self, spec: Deflection):
        self.spec = spec
        self.answers: dict[tuple[str, int], list[float]] = {}

    def answered(self, channel: str, topic: int, at: float) -> None:
        self.answers.setdefault((channel, topic), []).append(at)

    def probability(self, channel: str, topic: int, now: float) -> float:
        times = self.answers.get((channel, topic))
        if not times:
            return 0.0
        f, tau = self.spec.fraction, self.spec.duration_s
        horizon = tau * 40.0  # e^−40: an answer this old no longer deflects anyone
        keep = 1.0
        fresh = []
        for t in times:
            if now - t < horizon:
                fresh.append(t)
                keep *= 1.0 - f * math.exp(-(now - t) / tau)
        self.answers[(channel, topic)] = fresh
        return 1.0 - keep
