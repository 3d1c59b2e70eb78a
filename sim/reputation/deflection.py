"""Deflection: a public answer is read by others with the same question, and some of them never contact.

Each question on a social channel is about one of ``topics`` topics (uniform **[assumed]**, 20 by default). When the
brand answers a public question, later questions on that topic are deflected — the customer finds the answer and
does not post — with probability ``fraction``·e^(−elapsed/``duration``); several answers combine as independent
chances: P(deflected) = 1 − Π (1 − fraction_i·e^(−elapsed_i/duration_i)). Defaults **[assumed]**: fraction 0.2,
duration 4 h. A deflected question is drawn like any other (its attributes are consumed, so later posts are
unchanged) and then dropped: it makes no contact row and is counted as ``deflected`` in the reputation table
(``DeflectionBoard.deflected``), which ``sim.horizons`` counts as resolved at once. Topic and decision come from draws
keyed by the post (``sim.reputation.keyed``).

A *status post* (``StatusPost``) is the same kind of public answer, posted by the brand before anyone asks: during an
incident it answers the incident's topic on every channel at once (``channels`` None), with its own fraction and a
duration (infinite: it stays up). It is one more factor of the product above, so a status post and the answers to
earlier questions on the same topic combine as independent chances (``sim.incidents``, docs/reputation_weeks.md).
"""
from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass

FRACTION = 0.2  # [assumed]
DURATION_S = 4 * 3600.0  # [assumed]
TOPICS = 20  # [assumed]


@dataclass(frozen=True)
class Deflection:
    fraction: float = FRACTION
    duration_s: float = DURATION_S
    topics: int = TOPICS


@dataclass(frozen=True)
class StatusPost:
    """A public answer the brand posts on ``topic`` at ``at_s`` before anyone asks, read on ``channels`` (None: every
    channel)."""

    at_s: float
    topic: Hashable
    fraction: float
    duration_s: float = math.inf
    channels: tuple[str, ...] | None = None

    def keep(self, channel: str, topic: Hashable, now: float) -> float:
        """1 − P(this post deflects a contact on ``channel`` about ``topic`` at ``now``)."""
        if topic != self.topic or now < self.at_s or (self.channels is not None and channel not in self.channels):
            return 1.0
        return 1.0 - self.fraction * math.exp(-(now - self.at_s) / self.duration_s)


class DeflectionBoard:
    """Public answers per (channel, topic) at run time and the brand's status posts; the deflected contacts it
    decided (``deflected``: (time, channel)) and the probability each decision met (``p``)."""

    def __init__(self, spec: Deflection, status: tuple[StatusPost, ...] = ()):
        self.spec = spec
        self.answers: dict[tuple[str, Hashable], list[float]] = {}
        self.status = tuple(status)
        self.deflected: list[tuple[float, str]] = []
        self.p: list[float] = []

    def answered(self, channel: str, topic: Hashable, at: float) -> None:
        self.answers.setdefault((channel, topic), []).append(at)

    def post_status(self, post: StatusPost) -> None:
        self.status = (*self.status, post)

    def probability(self, channel: str, topic: Hashable, now: float) -> float:
        times = self.answers.get((channel, topic))
        keep = 1.0
        if times:
            f, tau = self.spec.fraction, self.spec.duration_s
            horizon = tau * 40.0  # e^−40: an answer this old no longer deflects anyone
            fresh = []
            for t in times:
                if now - t < horizon:
                    fresh.append(t)
                    keep *= 1.0 - f * math.exp(-(now - t) / tau)
            self.answers[(channel, topic)] = fresh
        for post in self.status:
            keep *= post.keep(channel, topic, now)
        return 1.0 - keep

    def decide(self, channel: str, topic: Hashable, now: float, u: float) -> bool:
        """Is the contact on ``channel`` about ``topic`` at ``now`` deflected (its uniform ``u`` below the
        probability)? A deflected contact is recorded in ``deflected``."""
        prob = self.probability(channel, topic, now)
        self.p.append(prob)
        if u < prob:
            self.deflected.append((now, channel))
            return True
        return False
