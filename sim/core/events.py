"""The kernel's event loop: a heap of timed callbacks, in simpy's order, without simpy's per-event objects.

Every kernel event (an arrival, a patience deadline, an end of work or wrap-up, a change of seated agents, a feature's
timer) is a callback after a delay. simpy made each one a ``Timeout`` with a callback list and ran it through
``Environment.step``; here an event is the tuple ``(time, sequence, callback, value)`` on a ``heapq``, and the order
and the times are simpy's:

- an event's time is ``now + delay`` (the same floating-point sum simpy's ``Timeout`` makes);
- events at one instant run in the order they were scheduled (simpy's tie-break among events of one priority is its
  event counter; every kernel event was a ``Timeout`` of normal priority, so the sequence number is the same key);
- ``run(until)`` stops before the first event at or after ``until`` and leaves the clock at ``until`` (simpy
  schedules the stop as an urgent event at ``until``, which goes before any normal event of that instant).

A callback receives an event whose ``value`` is the value it was scheduled with (one object, reused: read ``value``
at once, do not keep the event).
"""
from __future__ import annotations

import math
from heapq import heappop, heappush
from itertools import count
from typing import Any


class Event:
    """What a callback receives: ``value``, the value the event was scheduled with."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value: Any = None


class Events:
    """The clock (``now``, seconds since t=0) and the heap of events still to come."""

    __slots__ = ("now", "heap", "seq")

    def __init__(self) -> None:
        self.now = 0.0
        self.heap: list[tuple[float, int, Any, Any]] = []
        self.seq = count()

    def at(self, delay: float, callback: Any, value: Any) -> None:
        """Call ``callback(event)`` after ``delay`` seconds (``event.value`` is ``value``)."""
        if delay < 0:
            raise ValueError(f"negative delay {delay}")
        heappush(self.heap, (self.now + delay, next(self.seq), callback, value))

    def peek(self) -> float:
        """The time of the next event (infinity: none)."""
        return self.heap[0][0] if self.heap else math.inf

    def run(self, until: float) -> None:
        """Run the events before ``until``; the clock ends at ``until``."""
        heap, ev = self.heap, Event()
        while heap:
            item = heappop(heap)
            t = item[0]
            if t >= until:  # back on the heap: the first event of a later run
                heappush(heap, item)
                break
            self.now = t
            _, _, callback, ev.value = item
            callback(ev)
        self.now = until
