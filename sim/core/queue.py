"""A queue of waiting contacts: first come first served within a priority class, higher classes first — or, with a
waiting-time credit per class (``use_credit``), one line ordered by queue entry minus the class's credit."""
from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.core.agents import Group
    from sim.core.contact import Contact


class Queue:
    """FCFS within priority class; higher class first. Contacts that left (abandoned, taken elsewhere) are dropped
    lazily when reached; ``n`` counts the contacts still waiting."""

    __slots__ = ("id", "channel", "levels", "order", "n", "groups", "credit", "line", "seq")

    def __init__(self, queue_id: str, channel: str):
        self.id = queue_id
        self.channel = channel
        self.levels: dict[int, deque[Contact]] = {0: deque()}
        self.order: list[deque[Contact]] = [self.levels[0]]
        self.n = 0  # contacts waiting
        self.groups: list[Group] = []  # groups that serve this queue
        self.credit: Mapping[int, float] | None = None
        self.line: list = []
        self.seq = 0

    def use_credit(self, credit: Mapping[int, float]) -> None:
        """The queue discipline of a head start: a contact of class k is served as if it had joined ``credit[k]``
        seconds earlier (classes not named get none) — not strict priority: a long-waiting class-1 caller still goes
        before a class-2 caller who has just arrived (the Anonymous Bank's 1.5 minutes for priority 2). Set before
        the run starts."""
        self.credit = dict(credit)

    def push(self, c: Contact, priority: int) -> None:
        self.enter(c, priority, c.enqueued)

    def enter(self, item: Any, priority: int, entered: float) -> None:
        """Queue ``item`` (a contact, or the fast path's row tuple) of class ``priority`` that joined at ``entered``:
        the one place of the queue discipline (head-start credit, else strict priority levels, FIFO within)."""
        if self.credit is not None:
            heapq.heappush(self.line, (entered - self.credit.get(priority, 0.0), self.seq, item))
            self.seq += 1
            self.n += 1
            return
        dq = self.levels.get(priority)
        if dq is None:
            dq = self.levels[priority] = deque()
            self.order = [self.levels[p] for p in sorted(self.levels, reverse=True)]
        dq.append(item)
        self.n += 1

    def pop(self) -> Contact | None:
        while self.line:
            c = heapq.heappop(self.line)[2]
            if c.waiting:
                self.n -= 1
                return c
        for dq in self.order:
            while dq:
                c = dq.popleft()
                if c.waiting:
                    self.n -= 1
                    return c
        return None
