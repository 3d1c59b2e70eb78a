"""Callers and their attempts.

A *customer* is created with their first dial: an issue (the department it belongs to, drawn from the IVR's intent mix),
a priority class, and a private random generator. The issue and class come from the channel's named streams
(``"<channel>.issue"``, ``"<channel>.priority"``) and the first attempt's handle time and patience from the foundation's
streams, all in creation order; everything later in the customer's life (IVR choices, misroutes, redial decisions,
resolution, later attempts' durations) is drawn from the private generator, seeded from the customer's creation index.
So a change of routing or staffing never shifts another customer's draws (domain notes §5: common random numbers).

A *call* is one attempt (one row of the contacts table): the first dial, a redial after a busy signal or an
abandonment, a repeat call for an unresolved issue, or the return call of an accepted callback.
"""
from __future__ import annotations

import math

import numpy as np

from sim.core import Contact

FIRST, REDIAL, REPEAT, CALLBACK = "first", "redial", "repeat", "callback"
ORIGINS = (FIRST, REDIAL, REPEAT, CALLBACK)


class Customer:
    __slots__ = ("id", "entropy", "issue", "department", "priority", "attempts", "_rng", "seeds")

    def __init__(self, cid: int, entropy: list[int] | int, issue, department: str, priority: int, seeds=None):
        self.id = cid
        self.entropy = entropy  # the seed's entropy, or with ``seeds`` (sim.funnel.seeds.BlockSeeds) the creation index
        self.seeds = seeds
        self.issue = issue  # sim.funnel.ivr.Issue, or None without an IVR tree
        self.department = department
        self.priority = priority
        self.attempts = 1
        self._rng = None

    @property
    def rng(self) -> np.random.Generator:
        """The customer's private generator (made on first use)."""
        if self._rng is None:
            self._rng = (self.seeds.generator(self.entropy) if self.seeds is not None else
                         np.random.Generator(np.random.PCG64(np.random.SeedSequence(self.entropy))))
        return self._rng


class Call(Contact):
    """One attempt by a phone customer, with the funnel's per-call state."""

    __slots__ = ("customer", "origin", "department", "transfers", "resolved", "misrouted", "zero_out",
                 "first_answer", "right_answer", "visit", "extra", "diagnosing", "leg", "service_leg",
                 "followed_by", "line", "tape", "exit")

    def __init__(self, cid: int, customer: Customer, origin: str, channel: str, arrival: float, handle: float,
                 patience: float, ivr: float, flow, tape):
        Contact.__init__(self, cid, channel, arrival, handle, patience, ivr, flow)
        self.customer_id = customer.id
        self.attempt = customer.attempts
        self.priority = customer.priority
        self.queue = customer.department
        self.customer = customer
        self.origin = origin
        self.department = customer.department
        self.transfers = 0
        self.resolved = False
        self.misrouted = None  # True/False when a menu choice sent the call to a department
        self.zero_out = False
        self.first_answer = math.nan
        self.right_answer = math.nan
        self.visit = 0  # queue visits so far (tokens for patience and overflow timers)
        self.extra = 0.0  # handle time added by a cold transfer (the caller repeats the issue)
        self.diagnosing = False
        self.leg = None
        self.service_leg = None
        self.followed_by = None  # "redial", "repeat" or "callback": what this attempt led to
        self.line = False  # holds a trunk line
        self.tape = tape  # this attempt's uniforms (sim.funnel.draws)
        self.exit = None  # how its pass through the IVR menus ends (sim.funnel.ivr.Walker.walk)
