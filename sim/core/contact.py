"""A contact: one attempt by one customer on one channel, as the kernel sees it.

The behaviour that creates a contact describes it (channel, queue, priority, handle time, patience, IVR time, attempt);
the kernel keeps its state (waiting, answered when and by whom, ended when and how, wrap-up). Outside the kernel the
state fields are read, never written: a behaviour changes them through the kernel's calls (``sim.core.Model``).
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from sim.core.records import Column
from sim.outcomes import OUTCOMES

if TYPE_CHECKING:
    from sim.core.agents import Agent
    from sim.core.queue import Queue

SERVED, ABANDONED, OPEN = "served", "abandoned", "open"
INF = math.inf
NAN = math.nan

# What the kernel owns on a contact: written only under sim/core (tests/test_kernel_boundary.py checks it).
STATE = ("enqueued", "answer", "end", "outcome", "agent", "waiting", "wrap", "offers", "waiting_in", "also", "row")


class Contact:
    """One attempt by one customer on one channel."""

    __slots__ = ("id", "customer_id", "attempt", "channel", "queue", "priority", "arrival", "enqueued", "answer", "end",
                 "handle", "patience", "ivr", "wrap", "outcome", "agent", "waiting", "behaviour", "offers",
                 "waiting_in", "also", "row")

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
        self.row = -1  # its row of the record book's contacts table (Model.add_contact)


# The kernel's columns of the ``contacts`` table (one row per contact; features append their own kinds of contact, e.g.
# posts, and declare further columns through the feature list). Clock times are seconds since t = 0.
CONTACT_COLUMNS = (
    Column("contact_id", "int64", "", "the contact (one attempt of one customer on one channel)", key=True),
    Column("customer_id", "int64", "", "the customer (several attempts, caused contacts share it)"),
    Column("attempt", "int64", "count", "1 for a first contact, 2 … for redials and return calls"),
    Column("channel", "category", "", "the channel of the scenario"),
    Column("queue", "category", "", "the queue of its last queue visit (or its channel's queue)"),
    Column("priority", "int64", "", "priority class (0 the first served)"),
    Column("arrival_at_s", "float64", "s since t=0", "arrival"),
    Column("queue_entry_at_s", "float64", "s since t=0", "entered the queue (last visit); NaN: never queued",
           sparse=True),
    Column("answer_at_s", "float64", "s since t=0", "an agent took it (last visit); NaN: never answered", sparse=True),
    Column("end_at_s", "float64", "s since t=0", "ended; NaN: still open at the horizon", sparse=True),
    Column("handle_draw_s", "float64", "s", "the drawn handle time (dropped from the final table)"),
    Column("ivr_s", "float64", "s", "time in the IVR (0 without one)"),
    Column("wrap_up_s", "float64", "s", "after-call work after the last service (0 without)"),
    Column("outcome", "category", "", "how it ended: the closed set of sim.outcomes", categories=OUTCOMES),
    Column("agent_group", "category", "", "the group of the agent who took it; missing: never answered",
           sparse=True),
    Column("agent_id", "int64", "", "the agent within the group; -1: never answered"),
    Column("resolved", "boolean", "", "the customer's issue was resolved: served, unless a feature says otherwise "
           "(calls of the funnel, conversations); NA: a conversation not served", sparse=True),
)
