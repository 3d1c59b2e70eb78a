"""Agents and agent groups: who is seated, who is idle (and since when), and how seats change over the day.

Within a group the longest-idle agent takes the next contact. When the seated count drops, idle agents leave first
(longest idle first); busy ones finish the contact in hand and then leave.
"""
from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from sim.core.contact import Contact
    from sim.core.queue import Queue

# What the kernel owns on agents and groups: written only under sim/core.
STATE = ("idle_since", "contact", "present", "idle", "leaving", "staff_log", "next_id", "queues", "groups", "n")


class Agent:
    """One seated agent: idle since when, the contact in hand."""

    __slots__ = ("id", "group", "idle_since", "contact", "present")

    def __init__(self, agent_id: int, group: Group, now: float):
        self.id = agent_id
        self.group = group
        self.idle_since = now
        self.contact: Contact | None = None
        self.present = True


class Group:
    """Run-time state of one ``[agents.NAME]`` table."""

    __slots__ = ("name", "spec", "queues", "idle", "present", "leaving", "staff_log", "wrap_draws", "next_id")

    def __init__(self, spec: Any, queues: list[Queue], wrap_draws: Any):
        self.name = spec.name
        self.spec = spec
        self.queues = queues  # Queue objects in priority order
        self.idle: deque[Agent] = deque()  # left = longest idle
        self.present = 0  # agents seated (idle or busy)
        self.leaving = 0  # busy agents who leave when their contact ends
        self.staff_log: list[tuple[float, int]] = [(0.0, 0)]  # (time, agents present from then on)
        self.wrap_draws = wrap_draws
        self.next_id = 0

    def log(self, now: float) -> None:
        if self.staff_log[-1][0] == now:
            self.staff_log[-1] = (now, self.present)
        else:
            self.staff_log.append((now, self.present))


def longest_idle(groups: list[Group]) -> Agent | None:
    """The agent idle longest among ``groups`` (each group's idle deque has its longest-idle agent on the left)."""
    best = None
    for g in groups:
        if g.idle:
            a = g.idle[0]
            if best is None or a.idle_since < best.idle_since:
                best = a
    return best


def effective_counts(seated: np.ndarray, availability: float | np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Agents actually available from a seated count: seated × availability (one share, or one per piece), rounded up
    or down at random so that the mean is exact (unbiased stochastic rounding); availability 1 leaves the count."""
    if np.all(np.asarray(availability) >= 1.0):
        return seated.astype(int)
    x = seated * availability
    base = np.floor(x)
    return (base + (rng.random(len(x)) < (x - base))).astype(int)
