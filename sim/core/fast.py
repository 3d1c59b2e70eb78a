"""The plain queue's fast path: a replication no feature touches runs on its own heap of events instead of simpy's.

A model with nothing attached (every channel the plain phone queue ``sim.core.phone.PhoneQueue``: arrivals, IVR time,
queues by priority, longest-idle routing, patience, service, wrap-up, seated agents changing over the day) spends most
of its time in simpy's event machinery: one ``Timeout`` object, one ``schedule`` and one ``step`` per event. Here an
event is a tuple ``(time, sequence, callback, value)`` on a ``heapq``; the kernel's own code (``sim.core.Model``) is
unchanged and runs the same callbacks in the same order, so the tables are identical:

- times are computed as simpy computes them (``now + delay``, also for an absolute time given as ``t − now``);
- events at one instant run in the order they were scheduled (simpy's tie-break for events of one priority is its
  event counter; every kernel event is a ``Timeout`` of normal priority, so the sequence number here is the same key);
- the run stops before the first event at or after the horizon (simpy's ``run(until=…)`` schedules the stop as an
  urgent event at the horizon, which goes before any normal event of that instant).

Every other model (any feature attached, an observer or a hook registered, an event already on simpy's queue) keeps
simpy as its event loop. ``tests/test_fast_path.py`` compares both loops' tables on several plain configurations.
"""
from __future__ import annotations

import heapq
import itertools
import math
from typing import TYPE_CHECKING, Any

from sim.core.agents import longest_idle
from sim.core.contact import INF, NAN, SERVED

if TYPE_CHECKING:
    from sim.core.model import Model


class Clock:
    """The fast path's stand-in for ``simpy.Environment`` as the kernel reads it: the current time ``now``."""

    __slots__ = ("now",)

    def __init__(self) -> None:
        self.now = 0.0


class _Event:
    """What a callback receives: the event's ``value`` (one object reused: kernel callbacks read it and let it go)."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value: Any = None


def plain(model: Model) -> bool:
    """Whether the replication is the plain queue only: no feature part, hook, observer, start call or late feed, every
    feed taken by the plain phone queue with no ``[choice]`` population, and nothing already on simpy's queue."""
    return (not model.parts and not model._free_hooks and not model._ended and not model._posted
            and not model._first and not model._starts and not model._late
            and all(f.hook is model.phone and f.elsewhere is None for f in model.feeds)
            and model.env.peek() == math.inf)


def run_heap(model: Model, until: float) -> None:
    """Schedule staffing and arrivals and run the replication to ``until`` on a heap of tuples.

    The kernel's calls schedule through ``at``; the busiest steps of the plain queue run here in one function each,
    doing what the kernel's chain of calls does, in the same order (the same draws, the same event sequence numbers):
    an arrival offered to its queue (``Model._on_arrival`` → ``PhoneQueue.new_customer``/``on_arrival`` →
    ``Model.offer`` → ``Model._start`` → ``PhoneQueue.on_answered`` → ``Model.start_work``), the end of work
    (``Model._on_work_end`` → ``PhoneQueue.on_work_done`` → ``Model.end_contact``/``release``) and a free agent taking
    the next contact (``Model._agent_free``). In a plain queue a contact waits in one queue only (no ``offer_also``) and
    no agent-free hook is registered."""
    clock = Clock()
    heap: list[tuple[float, int, Any, Any]] = []
    seq = itertools.count()
    push = heapq.heappush
    contacts, queues, phone = model.contacts, model.queues, model.phone
    new_customer, on_patience, on_ivr_end = phone.new_customer, model._on_patience, phone._on_ivr_end

    def at(delay: float, callback: Any, value: Any) -> None:
        if delay < 0:
            raise ValueError(f"negative delay {delay}")
        push(heap, (clock.now + delay, next(seq), callback, value))

    def on_arrival(ev: Any) -> None:
        feed = ev.value
        feed.i += 1
        now = clock.now
        if feed.i < len(feed.times):
            push(heap, (now + (feed.times[feed.i] - now), next(seq), on_arrival, feed))
        c = new_customer(feed)
        contacts.append(c)
        if c.ivr > 0:
            push(heap, (now + c.ivr, next(seq), on_ivr_end, c))
            return
        q = queues[c.queue]  # type: ignore[index]
        c.enqueued = now
        c.answer = NAN
        c.agent = None
        c.offers += 1
        best = longest_idle(q.groups)
        if best is not None:
            best.group.idle.popleft()
            c.waiting = False
            c.answer = now
            c.agent = best
            best.contact = c
            push(heap, (now + c.handle, next(seq), work_end, best))
        else:
            c.waiting = True
            c.waiting_in = q
            q.push(c, c.priority)
            if c.patience < INF:
                push(heap, (now + c.patience, next(seq), on_patience, (c, c.offers)))

    def start_work(agent: Any, duration: float) -> None:
        push(heap, (clock.now + duration, next(seq), work_end, agent))

    def work_end(ev: Any) -> None:
        agent = ev.value
        c = agent.contact
        c.outcome = SERVED
        c.end = now = clock.now
        agent.contact = None
        draws = agent.group.wrap_draws
        if draws is not None:
            c.wrap = draws.next()
            push(heap, (now + c.wrap, next(seq), wrap_end, agent))
        else:
            agent_free(agent)

    def wrap_end(ev: Any) -> None:
        agent_free(ev.value)

    def agent_free(agent: Any) -> None:
        grp = agent.group
        now = clock.now
        if grp.leaving:
            grp.leaving -= 1
            grp.present -= 1
            agent.present = False
            grp.log(now)
            return
        for q in grp.queues:
            if q.n:
                c = q.pop()
                if c is not None:
                    c.waiting_in = None
                    c.waiting = False
                    c.answer = now
                    c.agent = agent
                    agent.contact = c
                    push(heap, (now + c.handle, next(seq), work_end, agent))
                    return
        agent.idle_since = now
        grp.idle.append(agent)

    model.env = clock  # type: ignore[assignment]
    model._at = at  # type: ignore[method-assign]
    model._on_arrival = on_arrival  # type: ignore[method-assign]
    model.start_work = start_work  # type: ignore[method-assign]
    model._agent_free = agent_free  # type: ignore[method-assign]
    model._schedule_staffing()
    for feed in model.feeds:
        model._schedule_arrival(feed)
    pop = heapq.heappop
    ev = _Event()
    while heap:
        t, _, callback, value = pop(heap)
        if t >= until:
            break
        clock.now = t
        ev.value = value
        callback(ev)
    clock.now = until
