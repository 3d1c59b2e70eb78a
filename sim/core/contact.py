"""A contact: one attempt by one customer on one channel, as the kernel sees it.

The behaviour that creates a contact describes it (channel, queue, priority, handle time, patience, IVR time, attempt);
the kernel keeps its state (waiting, answered when and by whom, ended when and how, wrap-up). Outside the kernel the
state fields are read, never written: a behaviour changes them through the kernel's calls (``sim.core.Model``).
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.core.agents import Agent
    from sim.core.queue import Queue

SERVED, ABANDONED, OPEN = "served", "abandoned", "open"
INF = math.inf
NAN = math.nan

# What the kernel owns on a contact: written only under sim/core (tests/test_kernel_boundary.py checks it).
STATE = ("enqueued", "answer", "end", "outcome", "agent", "waiting", "wrap", "offers", "waiting_in", "also")


class Contact:
    """One attempt by one customer on one channel."""

    __slots__ = ("id", "customer_id", "attempt", "channel", "queue", "priority", "arrival", "enqueued", "answer", "end",
                 "handle", "patience", "ivr", "wrap", "outcome", "agent", "waiting", "behaviour", "offers",
                 "waiting_in", "also")

    def __init__(self, cid: int, channel: str, arrival: float, handle: float, patience: float, ivr: float,
                 behaviour: Any = None):
        self.id = cid
        self.customer_id = cid
        self.attempt = 1
        self.channel = channel
        self.queue: str | None = None
        self.priority = 0
        self.arrival = arrival
        self.enqueued = NAN
        self.answer = NAN
        self.end = NAN
        self.handle = handle
        self.patience = patience
        self.ivr = ivr
        self.wrap = 0.0
        self.outcome: str | None = None
        self.agent: Agent | None = None
        self.waiting = False
        self.behaviour = behaviour  # what happens when it is answered, its work is done or it leaves a queue
        self.offers = 0  # queue visits so far: a patience timer belongs to one visit
        self.waiting_in: Queue | None = None  # the queue it waits in
        self.also: Queue | None = None  # a second queue it is visible in while it waits (overflow)
