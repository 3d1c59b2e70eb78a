"""Threads held by messaging agents: the cap on threads, affinity to the agent who replied, and who takes a message.

In messaging mode (``sim.social.messaging``) an agent *holds* a thread from its first reply until the thread closes
or the affinity window lapses after a reply with no new customer message. A customer message of a held thread waits
for its holder (the agent's own queue, oldest first); a message of a thread nobody holds waits in the channel's
shared queue (``sim.social.triage.Inbox``: FCFS by arrival at the queue, unless a triage order says otherwise).
``concurrency`` caps the threads an agent holds: an agent at the cap takes no message from the shared queue. Reply
work is slowed by the threads held when it starts, × (1 + s·(m − 1)) (Goes, Ilk, Lin & Zhao 2018, s = 0.18).
"""
from __future__ import annotations

import math
from collections import deque

INF = math.inf


class Holder:
    """The messaging side of one agent: threads held, its own queue of their messages, the reply in hand."""

    __slots__ = ("agent", "spec", "held", "mine", "working", "work_start", "work_m")

    def __init__(self, agent, spec):
        self.agent = agent
        self.spec = spec  # the group's DeskSpec: cap (concurrency), slowdown, reserve
        self.held = 0  # threads held
        self.mine: deque = deque()  # messages of held threads awaiting this agent's reply, oldest first
        self.working = None  # the thread whose reply is in hand
        self.work_start = math.nan
        self.work_m = 0  # threads held when the reply in hand started

    def can_take_new(self) -> bool:
        """Below the cap on threads held (a new thread from the shared queue would be one more)."""
        return self.held < self.spec.concurrency

    def work_time(self, base: float) -> float:
        """Reply work with ``held`` threads (this one counted): base × (1 + s·(m − 1))."""
        return base * (1.0 + self.spec.slowdown * (max(self.held, 1) - 1))


def shared_head_entry(inbox) -> float:
    """When the next message of a FCFS shared queue entered it (inf when empty or not FCFS)."""
    if inbox.order != "fifo" or inbox.n == 0:
        return INF
    dq = inbox.fifo
    while dq and not dq[0].waiting:
        dq.popleft()
    return dq[0].ready_at if dq else INF


def reserve_ok(holder: Holder, blended: bool) -> bool:
    """A blended group keeps ``reserve`` agents free for calls: an idle agent takes a new thread only if at least that
    many others of its group stay idle (Bhulai & Koole 2003)."""
    return not blended or len(holder.agent.group.idle) - 1 >= holder.spec.reserve


def choose_holder(groups, holders: dict, blended: dict):
    """The idle agent that takes a message from the shared queue, among the ``groups`` serving it: below its cap and
    its group's reserve, fewest threads held first, ties to the longest idle (Tezcan & Zhang 2014: least loaded)."""
    best, best_key = None, (INF, INF)
    for g in groups:
        bl = blended[g]
        for a in g.idle:
            h = holders[a]
            if not h.can_take_new() or not reserve_ok(h, bl):
                continue
            key = (h.held, a.idle_since)
            if key < best_key:
                best, best_key = h, key
            if h.held == 0:
                break  # idle deque is longest-idle first: no later agent of this group beats it
    return best
