"""The plain queue's fast path: a replication no feature touches runs on its own heap of events, with its contact rows
written straight into the record book's columns.

A model with nothing attached (every channel the plain phone queue ``sim.core.phone.PhoneQueue``: arrivals, IVR time,
queues by priority or with a waiting-time credit, longest-idle routing, patience, service, wrap-up, seated agents
changing over the day) spends most of its time in simpy's event machinery and in per-contact objects. Here an event is
a tuple ``(time, sequence, kind, value)`` on a ``heapq``, a contact is a row number, and the tables are identical to
simpy's:

- times are computed as simpy computes them (``now + delay``, also for an absolute time given as ``t − now``);
- events at one instant run in the order they were scheduled (simpy's tie-break for events of one priority is its
  event counter; every kernel event is a ``Timeout`` of normal priority, so the sequence number here is the same key);
- the run stops before the first event at or after the horizon (simpy's ``run(until=…)`` schedules the stop as an
  urgent event at the horizon, which goes before any normal event of that instant);
- a customer's attributes are the same draws from the same streams: each feed's handle, patience, IVR and class
  draws are taken in blocks (``Draws.take``), in customer order, as ``PhoneQueue.new_customer`` takes them one by one;
- patience is kept lazily: a waiting caller's deadline is not an event on the heap. It takes its sequence number when
  the caller joins the queue, as the timer would, and a caller reached in the queue (or left in it at the horizon)
  whose ``(deadline, sequence)`` comes before the current event's abandoned at the deadline. In the plain queue an
  abandonment changes nothing but the caller's row, so the other events keep their order;
- arrivals are not on the heap either: each feed's next arrival waits beside it with the sequence number its timeout
  would have taken, and goes first when its ``(time, sequence)`` does. The heap holds ends of work and wrap-up, IVR
  ends and staffing changes (about one event per busy agent, whatever the length of the queue), and an end of work
  that starts the agent's next contact (or wrap-up) replaces itself on it in one step.

One line served by one group and nothing else (the Erlang-A centre) runs on a leaner copy of the loop
(``sim.core.fast_line``).

Every other model (any feature attached, an observer or a hook registered, an event already on the kernel's heap)
keeps the kernel's event loop (``sim.core.events``), and ``Contact`` objects. ``tests/test_fast_path.py`` compares both loops' tables on several
plain configurations.
"""
from __future__ import annotations

import heapq
import math
from array import array
from collections import deque
from typing import TYPE_CHECKING, Any

from sim.core.agents import longest_idle
from sim.core.fast_line import one_line, run_line
from sim.core.fast_rows import SHIFT, Customers, write_rows

if TYPE_CHECKING:
    from sim.core.model import Model

NAN = math.nan
INF = math.inf


class Clock:
    """The fast path's stand-in for the kernel's ``Events`` as the kernel reads it: the current time ``now``."""

    __slots__ = ("now",)

    def __init__(self) -> None:
        self.now = 0.0


class _Event:
    """What a kernel callback receives: the event's ``value`` (one object reused)."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value: Any = None


def plain(model: Model) -> bool:
    """Whether the replication is the plain queue only: no feature part, hook, observer, start call or late feed, every
    feed taken by the plain phone queue with no ``[choice]`` population, and nothing already on the kernel's heap."""
    return (not model.parts and not model._free_hooks and not model._ended and not model._posted
            and not model._first and not model._starts and not model._late
            and all(f.hook is model.phone and f.elsewhere is None for f in model.feeds)
            and model.env.peek() == math.inf)


# Event kinds on the heap (arrivals are not on it: each feed's next arrival waits beside it)
WORK_END, WRAP_END, IVR_END, KERNEL = 0, 1, 2, 3


def run_heap(model: Model, until: float) -> None:
    """Schedule staffing and arrivals, run the replication to ``until`` on a heap of tuples and write its contact rows
    into ``model.book["contacts"]``.

    The steps of the plain queue run here in one loop, doing what the kernel's chain of calls does, in the same order
    (the same draws, the same event sequence numbers): an arrival offered to its queue (``Model._on_arrival`` →
    ``PhoneQueue.new_customer``/``on_arrival`` → ``Model.offer`` → ``Model._start`` → ``PhoneQueue.on_answered`` →
    ``Model.start_work``), the end of work (``Model._on_work_end`` → ``PhoneQueue.on_work_done`` →
    ``Model.end_contact``/``release``) and a free agent taking the next contact (``Model._agent_free``). In a plain
    queue a contact waits in one queue only (no ``offer_also``) and no agent-free hook is registered.

    Fewer heap operations than events: each feed's next arrival is kept beside the heap with its sequence number (the
    one its timeout would have) and compared with the heap's first event; an event that schedules one follow-up (an
    agent's end of work and the start of the next contact, or of wrap-up) replaces itself on the heap in one step."""
    clock = Clock()
    heap: list[tuple[float, int, int, Any]] = []
    push, pop, replace = heapq.heappush, heapq.heappop, heapq.heapreplace
    feeds = model.feeds
    customers = [Customers(f) for f in feeds]
    if (simplest := one_line(model, customers)) is not None:  # one line, one group: sim.core.fast_line
        run_line(model, until, customers, *simplest, clock, _Event())
        return
    total = sum(len(f.times) for f in feeds)
    multi = len(feeds) > 1
    # The contact columns, one cell per row (row = creation order), written as the run goes; a contact's queue entry
    # is its arrival unless it had IVR time (written then), its agent group and id one code (``SHIFT``).
    feed_of = array("q", [0]) * (total if multi else 0)
    number = array("q", [0]) * (total if multi else 0)  # the customer's number within its feed
    arrival = array("d", [NAN]) * total
    entry = array("d", [NAN]) * total
    answer = array("d", [NAN]) * total
    end = array("d", [NAN]) * total
    wrap = array("d", [0.0]) * total
    who = array("q", [-1]) * total
    gone = bytearray(total)  # 1: abandoned
    groups = list(model.groups.values())
    gcode = {g: k << SHIFT for k, g in enumerate(groups)}
    for q in model.queues.values():  # waiting entries (row, handle, deadline, sequence) in the queues' own lines
        q.levels = {0: deque()}
        q.order = [q.levels[0]]
        q.line = []
    seq = 0  # the next sequence number
    cur = 0  # the sequence number of the event being run
    box = [0, 0]  # (seq, cur) for the calls from the kernel (a staffing change): written before, read after

    def lapsed(e: tuple, now: float, cur: int) -> bool:
        """Whether waiting entry ``e`` abandoned before the event now running (at ``now``, sequence number ``cur``);
        if so its row says so."""
        d = e[2]
        if d < now or (d == now and e[3] < cur):
            r = e[0]
            gone[r] = 1
            end[r] = d
            return True
        return False

    def next_waiting(grp: Any, now: float, cur: int) -> tuple | None:
        """The first caller still waiting in the queues ``grp`` serves (in their order), taken out of its queue."""
        for q in grp.queues:
            while q.n:
                if q.credit is not None:
                    e = pop(q.line)[2]
                else:
                    order = q.order
                    e = (order[0] if len(order) == 1 else next(dq for dq in order if dq)).popleft()
                q.n -= 1
                if e[2] <= now and lapsed(e, now, cur):
                    continue
                return e
        return None

    def offer(r: int, handle: float, patience: float, q: Any, prio: int, now: float, seq: int) -> int:
        """Contact ``r`` to queue ``q``: the longest-idle agent of the groups serving it takes it, or it waits (the
        next sequence number returned)."""
        best = longest_idle(q.groups)
        if best is not None:
            grp = best.group
            grp.idle.popleft()
            answer[r] = now
            who[r] = gcode[grp] | best.id
            best.contact = r  # type: ignore[assignment]  # a row number here
            push(heap, (now + handle, seq, WORK_END, best))
            return seq + 1
        if patience < INF:
            e = (r, handle, now + patience, seq)
            seq += 1
        else:
            e = (r, handle, INF, 0)
        q.enter(e, prio, now)
        return seq

    def agent_free(agent: Any) -> None:
        """A new agent seated by a staffing change (``Model._agent_free``): takes the next caller, or waits idle."""
        now = clock.now
        e = next_waiting(agent.group, now, box[1])
        if e is None:
            agent.idle_since = now
            agent.group.idle.append(agent)
            return
        r = e[0]
        answer[r] = now
        who[r] = gcode[agent.group] | agent.id
        agent.contact = r
        push(heap, (now + e[1], box[0], WORK_END, agent))
        box[0] += 1

    def kernel_at(delay: float, callback: Any, value: Any) -> None:
        if delay < 0:
            raise ValueError(f"negative delay {delay}")
        push(heap, (clock.now + delay, box[0], KERNEL, (callback, value)))
        box[0] += 1

    model.env = clock  # type: ignore[assignment]
    model._at = kernel_at
    model._agent_free = agent_free  # type: ignore[method-assign]
    model._schedule_staffing()
    seq = box[0]
    # Each feed's state: [next customer, times, handle, patience, IVR, priority, queue, feed number, next arrival
    # time, its sequence number, whether any customer has IVR time, the queue's line if its arrivals go straight to
    # one group and wait in one FIFO line (no classes, no credit), else None, and then that group's idle agents and
    # code]; ``nxt`` the feed whose arrival comes first.
    states: list[list[Any]] = []
    for k, (feed, cu) in enumerate(zip(feeds, customers)):
        q = model.queues[feed.channel.queue]
        line = q.levels[0] if cu.priority is None and q.credit is None and len(q.groups) == 1 else None
        idle, gc = (q.groups[0].idle, gcode[q.groups[0]]) if line is not None else (None, 0)
        st = [feed.i, feed.times, cu.handle, cu.patience, cu.ivr, cu.priority, q, k, INF, 0, any(cu.ivr), line, idle,
              gc]
        if feed.i < len(feed.times):
            st[8], st[9] = 0.0 + (feed.times[feed.i] - 0.0), seq
            seq += 1
        states.append(st)
    ranked = {q.id for f, cu in zip(feeds, customers) if cu.priority is not None for q in [model.queues[f.channel.queue]]}
    simple: dict[Any, tuple[Any, Any]] = {g: (g.queues[0], g.queues[0].levels[0]) for g in groups  # one FIFO line
              if len(g.queues) == 1 and g.queues[0].credit is None and g.queues[0].id not in ranked}
    first = lambda s: (s[8], s[9])
    nxt: list[Any] = min(states, key=first) if states else [0, [], *[None] * 5, -1, INF, 0, False, None, None, 0]
    na_t, na_s = nxt[8], nxt[9]
    i, times, handle, patience, ivr, prio, q, k, _, _, has_ivr, line, idle, gc = nxt
    last = len(times) - 1
    row = 0
    ev = _Event()
    while True:
        if heap and ((top := heap[0])[0] < na_t or (top[0] == na_t and top[1] < na_s)):
            now, cur, kind, v = top
            if now >= until:
                break
            if kind <= 1:  # an agent's end of work (0) or of wrap-up (1)
                agent = v
                grp = agent.group
                if kind == 0:
                    r = agent.contact
                    end[r] = now
                    draws = grp.wrap_draws
                    if draws is not None:
                        w = wrap[r] = draws.next()
                        replace(heap, (now + w, seq, 1, agent))
                        seq += 1
                        continue
                if grp.leaving:
                    grp.leaving -= 1
                    grp.present -= 1
                    agent.present = False
                    grp.log(now)
                    pop(heap)
                    continue
                one = simple.get(grp)
                if one is None:
                    e = next_waiting(grp, now, cur)
                else:  # ``next_waiting`` of one FIFO line, inlined
                    e = None
                    sq, dq = one
                    while dq:
                        x = dq.popleft()
                        sq.n -= 1
                        if x[2] <= now and lapsed(x, now, cur):
                            continue
                        e = x
                        break
                if e is None:
                    agent.idle_since = now
                    grp.idle.append(agent)
                    pop(heap)
                    continue
                r2 = e[0]
                answer[r2] = now
                who[r2] = who[agent.contact]
                agent.contact = r2
                replace(heap, (now + e[1], seq, 0, agent))
                seq += 1
                continue
            pop(heap)
            if kind == IVR_END:
                r2, st2, j = v
                entry[r2] = now
                p2 = st2[5]
                seq = offer(r2, st2[2][j], st2[3][j], st2[6], 0 if p2 is None else p2[j], now, seq)
            else:  # a kernel callback (a staffing change)
                clock.now = now
                box[0], box[1] = seq, cur
                ev.value = v[1]
                v[0](ev)
                seq = box[0]
            continue
        # the next arrival
        now = na_t
        if now >= until:
            break
        cur = na_s
        if i < last:
            na_t, na_s = now + (times[i + 1] - now), seq
            seq += 1
        else:
            na_t = INF
        r = row
        row = r + 1
        arrival[r] = now
        if multi:
            feed_of[r] = k
            number[r] = i
        if has_ivr and ivr[i] > 0:
            push(heap, (now + ivr[i], seq, IVR_END, (r, nxt, i)))
            seq += 1
        elif line is None:
            seq = offer(r, handle[i], patience[i], q, 0 if prio is None else prio[i], now, seq)
        else:  # one group serves the queue's one line: its longest-idle agent takes the call, or it waits (inlined)
            if idle:
                agent = idle.popleft()
                answer[r] = now
                who[r] = gc | agent.id
                agent.contact = r
                push(heap, (now + handle[i], seq, 0, agent))
                seq += 1
            else:
                p = patience[i]
                if p < INF:
                    line.append((r, handle[i], now + p, seq))
                    seq += 1
                else:
                    line.append((r, handle[i], INF, 0))
                q.n += 1
        i += 1
        if multi:  # the feed's state back, and the feed whose arrival comes next
            nxt[0], nxt[8], nxt[9] = i, na_t, na_s
            nxt = min(states, key=first)
            na_t, na_s = nxt[8], nxt[9]
            i, times, handle, patience, ivr, prio, q, k, _, _, has_ivr, line, idle, gc = nxt
            last = len(times) - 1
    if not multi:
        nxt[0] = i
    clock.now = until
    for feed, st in zip(feeds, states):
        feed.i = st[0]
    for q in model.queues.values():  # callers still waiting at the horizon: abandoned if their deadline passed
        waiting: list = [x[2] for x in q.line] if q.credit is not None else [e for dq in q.levels.values() for e in dq]
        for e in waiting:
            if e[2] < until:
                lapsed(e, until, seq)
    write_rows(model, customers, row, feed_of, number, arrival, entry, answer, end, wrap, who, gone, groups)
