"""Deflection: a public answer is read by others with the same question, and some of them never contact.

Each question on a social channel is about one of ``topics`` topics (uniform **[assumed]**, 20 by default). When the
brand answers a public question, later questions on that topic are deflected — the customer finds the answer and
does not post — with probability ``fraction``·e^(−elapsed/``duration``); several answers combine as independent
chances: P(deflected) = 1 − Π (1 − fraction_i·e^(−elapsed_i/duration_i)). Defaults **[assumed]**: fraction 0.2,
duration 4 h. A deflected question is drawn like any other (its attributes are consumed, so later posts are
unchanged) and then dropped: it makes no contact row, is counted as ``deflected`` in the reputation ledger and is a
row of the ``deflections`` table (``DEFLECTION_COLUMNS``: when, on which channel, the question's contact id and its
customer — a next try's follow-up keeps its customer's id), which ``sim.horizons`` counts as that customer resolved at
once. Topic and decision come from draws keyed by the post (``sim.reputation.keyed``).

A *status post* (``StatusPost``) is the same kind of public answer, posted by the brand before anyone asks: during an
incident it answers the incident's topic on every channel at once (``channels`` None), with its own fraction and a
duration (infinite: it stays up). It is one more factor of the product above, so a status post and the answers to
earlier questions on the same topic combine as independent chances (``sim.incidents``, docs/reputation_weeks.md).
"""
from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from sim.core import Column, Table

FRACTION = 0.2  # [assumed]
DURATION_S = 4 * 3600.0  # [assumed]
TOPICS = 20  # [assumed]
# The ``deflections`` table: one row per deflected question (key replication, contact_id).
DEFLECTION_COLUMNS = (
    Column("contact_id", "int64", "", "the question a public answer deflected (it never became a contact)", key=True),
    Column("customer_id", "int64", "", "the customer whose question it was (a follow-up: the customer of the first "
           "contact, as in contacts)"),
    Column("channel", "category", "", "the channel the question was not posted on"),
    Column("deflected_at_s", "float64", "s since t=0", "when the customer read the answer instead of posting"),
)


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
    decided (``deflected``: (time, channel, contact id, customer id)) and the probability each decision met (``p``)."""

    def __init__(self, spec: Deflection, status: tuple[StatusPost, ...] = ()):
        self.spec = spec
        self.answers: dict[tuple[str, Hashable], list[float]] = {}
        self.status = tuple(status)
        self.deflected: list[tuple[float, str, int, int]] = []
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

    def decide(self, channel: str, topic: Hashable, now: float, u: float, contact_id: int = -1,
               customer_id: int = -1) -> bool:
        """Is contact ``contact_id`` (of customer ``customer_id``) on ``channel`` about ``topic`` at ``now`` deflected
        (its uniform ``u`` below the probability)? A deflected contact is recorded in ``deflected``."""
        prob = self.probability(channel, topic, now)
        self.p.append(prob)
        if u < prob:
            self.deflected.append((now, channel, contact_id, customer_id))
            return True
        return False

    def records(self) -> dict:
        """The decisions as raw records: the deflected (``deflected_at_s``, ``deflected_channel``,
        ``deflected_contact_id``, ``deflected_customer_id``) and P(deflected) of every question (``deflection_p``)."""
        d = self.deflected
        return {"deflected_at_s": np.array([x[0] for x in d], float), "deflected_channel": [x[1] for x in d],
                "deflected_contact_id": np.array([x[2] for x in d], np.int64),
                "deflected_customer_id": np.array([x[3] for x in d], np.int64),
                "deflection_p": np.array(self.p, float)}


def deflections_table(replication: int, events: dict, channels: Sequence[str], warmup_s: float = 0.0) -> pd.DataFrame:
    """The ``deflections`` table of one replication from the board's raw records (``DeflectionBoard.records``): one row
    per question deflected after the warm-up, in decision order (``DEFLECTION_COLUMNS``; ``channel``'s categories the
    scenario's ``channels``, so replications without a deflection join the others)."""
    at = np.asarray(events.get("deflected_at_s", []), float)
    n = len(at)
    ids = np.asarray(events.get("deflected_contact_id", np.full(n, -1)), np.int64)
    cust = np.asarray(events.get("deflected_customer_id", np.full(n, -1)), np.int64)
    keep = at >= warmup_s
    cols = [replace(c, categories=tuple(sorted(channels))) if c.name == "channel" else c for c in DEFLECTION_COLUMNS]
    t = Table("deflections", ("replication",), (Column("replication", "int64", key=True), *cols))
    t.extend(int(keep.sum()), replication=[replication] * int(keep.sum()), contact_id=ids[keep].tolist(),
             customer_id=cust[keep].tolist(), channel=np.asarray(events.get("deflected_channel", []), object)[keep],
             deflected_at_s=at[keep].tolist())
    return t.frame()
