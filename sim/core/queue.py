"""A queue of waiting contacts: first come first served within a priority class, higher classes first."""
from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.core.agents import Group
    from sim.core.contact import Contact


class Queue:
    """FCFS within priority class; higher class first. Contacts that left (abandoned, taken elsewhere) are dropped
    lazily when reached; ``n`` counts the contacts still waiting."""

    __slots__ = ("id", "channel", "levels", "order", "n", "groups")

    def __init__(self, queue_id: str, channel: str):
        self.id = queue_id
        self.channel = channel
        self.levels: dict[int, deque[Contact]] = {0: deque()}
        self.order: list[deque[Contact]] = [self.levels[0]]
        self.n = 0  # contacts waiting
        self.groups: list[Group] = []  # groups that serve this queue

    def push(self, c: Contact, priority: int) -> None:
        dq = self.levels.get(priority)
        if dq is None:
            dq = self.levels[priority] = deque()
            self.order = [self.levels[p] for p in sorted(self.levels, reverse=True)]
        dq.append(c)
        self.n += 1

    def pop(self) -> Contact | None:
        for dq in self.order:
            while dq:
                c = dq.popleft()
                if c.waiting:
                    self.n -= 1
                    return c
        return None
