"""The fast path's simplest centre: one channel's callers in one first-come-first-served line, served by one agent group
that serves nothing else (no IVR time, no classes, no wrap-up) — the M/M/c+M queue of the Erlang-A load.

The loop is ``sim.core.fast.run_heap``'s with what this centre never needs taken out: an event on the heap is
``(time, sequence, row, agent)`` (the end of work on contact ``row``; a staffing change has row −1 and the kernel's
callback in place of the agent), a caller's row is their customer number, the line is one deque, and a sentinel at the
end of the heap and of the arrival times saves the emptiness checks. Times, sequence numbers, tie-breaks and the lazy
patience are ``run_heap``'s, so the tables are the same (``tests/test_fast_path.py``).
"""
from __future__ import annotations

import heapq
import math
from array import array
from collections import deque
from typing import TYPE_CHECKING, Any

from sim.core.fast_rows import Customers, write_rows

if TYPE_CHECKING:
    from sim.core.agents import Group
    from sim.core.model import Model
    from sim.core.queue import Queue

NAN = math.nan
INF = math.inf
LAST = 1 << 62  # the sentinel's sequence number: after every event


def one_line(model: Model, customers: list[Customers]) -> tuple[Queue, Group] | None:
    """The line and the group when the replication is this centre (one feed without IVR time or classes, its queue
    without credit served by one group without wrap-up that serves only it), else None."""
    if len(customers) != 1 or len(model.queues) != 1 or len(model.groups) != 1:
        return None
    cu = customers[0]
    (q,), (grp,) = model.queues.values(), model.groups.values()
    if (cu.priority is not None or cu.feed.ivr is not None or q.credit is not None or q.groups != [grp] or grp.queues != [q]
            or grp.wrap_draws is not None):
        return None
    return q, grp


def run_line(model: Model, until: float, customers: list[Customers], q: Queue, grp: Group, clock: Any,
             ev: Any) -> None:
    """Schedule staffing and arrivals, run the replication to ``until`` and write its contact rows (``run_heap``'s
    steps for this centre: an arrival taken by the longest-idle agent or queued; an end of work, the agent leaving
    if seats fell, taking the next caller still waiting, or going idle; a staffing change run by the kernel)."""
    cu = customers[0]
    feed = cu.feed
    total = len(feed.times)
    arrival = array("d", [NAN]) * total
    answer = array("d", [NAN]) * total
    end = array("d", [NAN]) * total
    wrap = array("d", [0.0]) * total
    who = array("q", [-1]) * total
    gone = bytearray(total)  # 1: abandoned
    handle, patience = cu.handle, cu.patience
    heap: list[tuple[float, int, int, Any]] = [(INF, LAST, -1, None)]
    push, pop, replace = heapq.heappush, heapq.heappop, heapq.heapreplace
    dq: deque[Any] = deque()  # waiting entries (row, handle, deadline, sequence)
    q.levels = {0: dq}
    q.order = [dq]
    q.line = []
    popleft, append = dq.popleft, dq.append
    idle = grp.idle
    box = [0, 0]  # (seq, cur) for the calls from the kernel (a staffing change): written before, read after

    def agent_free(agent: Any) -> None:
        """A new agent seated by a staffing change (``Model._agent_free``): takes the next caller, or waits idle."""
        now = clock.now
        while dq:
            r, h, d, s = popleft()
            if d < now or (d == now and s < box[1]):
                gone[r] = 1
                end[r] = d
                continue
            answer[r] = now
            who[r] = agent.id  # the group's code is 0
            push(heap, (now + h, box[0], r, agent))
            box[0] += 1
            return
        agent.idle_since = now
        idle.append(agent)

    def kernel_at(delay: float, callback: Any, value: Any) -> None:
        if delay < 0:
            raise ValueError(f"negative delay {delay}")
        push(heap, (clock.now + delay, box[0], -1, (callback, value)))
        box[0] += 1

    model.env = clock
    model._at = kernel_at
    model._agent_free = agent_free  # type: ignore[method-assign]
    model._schedule_staffing()
    seq = box[0]
    i = feed.i
    times = [*feed.times, INF]  # the sentinel arrival: never before the horizon
    na_t, na_s = INF, 0
    if i < total:
        na_t, na_s = 0.0 + (times[i] - 0.0), seq
        seq += 1
    while True:
        top = heap[0]
        if top[0] < na_t or (top[0] == na_t and top[1] < na_s):
            now, cur, r, agent = top
            if now >= until:
                break
            if r < 0:  # a kernel callback (a staffing change)
                pop(heap)
                clock.now = now
                box[0], box[1] = seq, cur
                ev.value = agent[1]
                agent[0](ev)
                seq = box[0]
                continue
            end[r] = now
            if grp.leaving:
                grp.leaving -= 1
                grp.present -= 1
                agent.present = False
                grp.log(now)
                pop(heap)
                continue
            while dq:
                r2, h, d, s = popleft()
                if d < now or (d == now and s < cur):  # abandoned before this event
                    gone[r2] = 1
                    end[r2] = d
                    continue
                answer[r2] = now
                who[r2] = who[r]
                replace(heap, (now + h, seq, r2, agent))
                seq += 1
                break
            else:
                agent.idle_since = now
                idle.append(agent)
                pop(heap)
            continue
        # the next arrival (row i: the feed's customer i)
        now = na_t
        if now >= until:
            break
        na_t, na_s = now + (times[i + 1] - now), seq
        seq += 1
        arrival[i] = now
        if idle:
            agent = idle.popleft()
            answer[i] = now
            who[i] = agent.id
            push(heap, (now + handle[i], seq, i, agent))
            seq += 1
        else:
            p = patience[i]
            if p < INF:
                append((i, handle[i], now + p, seq))
                seq += 1
            else:
                append((i, handle[i], INF, 0))
        i += 1
    feed.i = i
    clock.now = until
    for r, _, d, _ in dq:  # callers still waiting at the horizon: abandoned if their deadline passed
        if d < until:
            gone[r] = 1
            end[r] = d
    q.n = len(dq)
    write_rows(model, customers, i, None, None, arrival, arrival, answer, end, wrap, who, gone, [grp])
