"""An agent's conversations: up to k open at once, one message worked at a time, and who gets a new conversation.

State of one agent (its ``Desk``): the open conversations, the queue of conversations whose next agent message is due
(in the order the customers' replies arrived), and the message in hand. While customers think, the agent works on other
conversations or is idle. A message's work time is its drawn base time × (1 + s·(m − 1)), m = open conversations when
the work starts (Goes, Ilk, Lin & Zhao 2018, "When more is less": +18% per message per extra conversation, s = 0.18).

A new conversation goes to the agent with the fewest open conversations below k, ties to the longest idle (Tezcan &
Zhang 2014 route to the least loaded agent). In a blended group (it also serves calls) an agent with no open
conversation is free for calls, and it takes new social work only while at least ``reserve`` other agents of its group
stay free (Bhulai & Koole 2003, "A queueing model for call blending").
"""
from __future__ import annotations

import math
from collections import deque

from sim.social.spec import DeskSpec

INF = math.inf


def slowdown_factor(open_conversations: int, slowdown: float) -> float:
    """Work-time multiplier with m open conversations: 1 + s·(m − 1)."""
    return 1.0 + slowdown * (open_conversations - 1)


class Desk:
    """The conversation side of one agent."""

    __slots__ = ("agent", "slowdown", "open", "ready", "working", "work_start", "work_m")

    def __init__(self, agent, slowdown: float):
        self.agent = agent
        self.slowdown = slowdown
        self.open = 0  # open conversations
        self.ready: deque = deque()  # conversations whose next agent message is due, oldest first
        self.working = None  # the conversation whose message is in hand
        self.work_start = math.nan
        self.work_m = 0


class GroupDesks:
    """Run-time conversation state of one agent group: its desk rules and the desks holding conversations."""

    __slots__ = ("group", "spec", "blended", "inboxes", "busy")

    def __init__(self, group, spec: DeskSpec, blended: bool):
        self.group = group
        self.spec = spec
        self.blended = blended  # also serves a synchronous (phone) queue
        self.inboxes: list = []  # conversation queues it serves, in `serves` order
        self.busy: dict = {}  # agent -> Desk, agents holding at least one open conversation

    def draining(self) -> set:
        """Agents that take no new conversation because the group must shed ``leaving`` seats: those holding the
        fewest open conversations leave first, once their conversations have ended."""
        n = self.group.leaving
        if not n:
            return set()
        by_load = sorted(self.busy.values(), key=lambda d: d.open)
        return {d.agent for d in by_load[:n]}


def choose_agent(groups: list[GroupDesks]):
    """The agent that gets a new conversation among ``groups`` (that serve its queue), or None.

    Fewest open conversations below k first; ties to the longest idle (an agent working on a message is not idle).
    A free agent of a blended group is eligible only if ``reserve`` other agents of the group stay free for calls.
    """
    best, best_open, best_idle = None, INF, INF
    for gd in groups:
        g = gd.group
        idle = g.idle
        if idle and (not gd.blended or len(idle) - 1 >= gd.spec.reserve):
            a = idle[0]
            if best_open > 0 or a.idle_since < best_idle:
                best, best_open, best_idle = a, 0, a.idle_since
        k = gd.spec.concurrency
        if k > 1 and gd.busy and best_open > 0:
            skip = gd.draining() if g.leaving else ()
            for a, d in gd.busy.items():
                m = d.open
                if m >= k or m > best_open or a in skip:
                    continue
                since = a.idle_since if d.working is None else INF
                if m < best_open or since < best_idle:
                    best, best_open, best_idle = a, m, since
    return best
