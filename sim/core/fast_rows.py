"""The fast path's contacts as columns: each feed's customers drawn in blocks before the run, and the run's rows
written into the record book's ``contacts`` table at its end (``sim.core.fast``)."""
from __future__ import annotations

import math
from array import array
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.core.contact import ABANDONED, OPEN, SERVED

if TYPE_CHECKING:
    from sim.core.feed import Feed
    from sim.core.model import Model

INF = math.inf
SHIFT = 32  # an agent's code in the contact rows: group index << SHIFT | agent id


def _arrival_chain(times: list[float]) -> list[float]:
    """The arrival instants as the event loop computes them (each the previous one + (next time − previous one))."""
    out = []
    now = 0.0
    for t in times:
        now = now + (t - now)
        out.append(now)
    return out


def _doubles(a: np.ndarray) -> array:
    """A float array as ``array('d')``: 8 bytes a value, read as Python floats."""
    out = array("d")
    out.frombytes(np.ascontiguousarray(a, dtype=float).tobytes())
    return out


class Customers:
    """One feed's customers drawn in blocks, in customer order: handle, patience and IVR times and priorities (read
    by customer number)."""

    __slots__ = ("feed", "handle", "patience", "ivr", "priority")

    def __init__(self, feed: Feed):
        self.feed = feed
        n = len(feed.times)
        h: Any = feed.handle
        if hasattr(h, "scale"):  # IntervalDraws: the mean of the interval the customer arrives in (bisect_right)
            chain = np.asarray(_arrival_chain(feed.times), dtype=float)
            idx = np.searchsorted(np.asarray(h.starts, dtype=float), chain, side="right") - 1
            handle = h.draws.take(n) * np.asarray(h.scale, dtype=float)[idx] if n else np.empty(0)
        else:
            handle = h.take(n)
        self.handle = _doubles(handle)
        if feed.classes is not None:
            k = feed.classes
            u = k.u.take(n)
            cls = np.minimum(np.searchsorted(np.asarray(k.cum), u, side="right"), len(k.cum) - 1)
            pat = np.full(n, INF)
            for j, draws in enumerate(k.patience):
                sel = np.flatnonzero(cls == j)
                if draws is not None and sel.size:
                    pat[sel] = draws.take(sel.size)
            self.patience = _doubles(pat)
            self.priority: Any = array("q", (np.asarray(k.priorities, dtype=np.int64)[cls] if n else
                                             np.zeros(0, np.int64)).tobytes())
        else:
            self.patience = _doubles(feed.patience.take(n) if feed.patience else np.full(n, INF))
            self.priority = None
        self.ivr = _doubles(feed.ivr.take(n) if feed.ivr else np.zeros(n))


def write_rows(model: Model, customers: list[Customers], n: int, *cols: Any) -> None:
    """The run's contact rows into the ``contacts`` table, in creation order (category columns coded once)."""
    feed_of, number, arrival, entry, answer, end, wrap, who, gone, groups = cols
    table = model.book["contacts"]
    view: Any = lambda a, dt: np.frombuffer(a, dtype=dt)[:n]  # the run's own columns, not copied
    if len(customers) == 1:  # one feed: row r is its customer r (the columns of feeds were not written)
        cu = customers[0]
        num = np.arange(n, dtype=np.int64)
        ids = cu.feed.id_base + num + 1  # Feed.next_id after the arrival counted the customer
        handle = np.frombuffer(cu.handle, dtype=float)[:n]
        ivr = np.frombuffer(cu.ivr, dtype=float)[:n]
        prio = np.zeros(n, dtype=np.int64) if cu.priority is None else np.frombuffer(cu.priority, dtype=np.int64)[:n]
        chan = np.full(n, table.code("channel", cu.feed.channel.name), dtype=np.int64)
        queue = np.full(n, table.code("queue", cu.feed.channel.queue), dtype=np.int64)
    else:
        fk, num = view(feed_of, np.int64), view(number, np.int64)
        ids = np.empty(n, dtype=np.int64)
        handle, ivr = np.empty(n), np.empty(n)
        prio, chan, queue = np.zeros(n, dtype=np.int64), np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
        for k, cu in enumerate(customers):
            sel = fk == k
            if not sel.any():
                continue
            i = num[sel]
            ids[sel] = cu.feed.id_base + i + 1
            handle[sel] = np.frombuffer(cu.handle, dtype=float)[i]
            ivr[sel] = np.frombuffer(cu.ivr, dtype=float)[i]
            if cu.priority is not None:
                prio[sel] = np.frombuffer(cu.priority, dtype=np.int64)[i]
            chan[sel] = table.code("channel", cu.feed.channel.name)
            queue[sel] = table.code("queue", cu.feed.channel.queue)
    arrived = view(arrival, float)
    entered = np.where(ivr > 0, view(entry, float), arrived)  # without IVR time a caller queues on arrival
    code = view(who, np.int64)
    answered = code >= 0
    gi = np.where(answered, code >> SHIFT, -1)
    gmap = np.full(len(groups) + 1, -1, dtype=np.int64)
    for k in np.flatnonzero(np.bincount(gi[answered], minlength=len(groups))).tolist():
        gmap[k] = table.code("agent_group", groups[k].name)
    ended = ~np.isnan(view(end, float))
    ab = np.frombuffer(gone, dtype=np.uint8)[:n].astype(bool)
    outcome = np.where(ab, table.code("outcome", ABANDONED) if ab.any() else -1,
                       np.where(ended, table.code("outcome", SERVED) if ended.any() else -1,
                                table.code("outcome", OPEN) if (~ended).any() else -1))
    table.extend_arrays(
        n, contact_id=ids, customer_id=ids.copy(), attempt=np.ones(n, dtype=np.int64), channel=chan, queue=queue,
        priority=prio, arrival_at_s=arrived, queue_entry_at_s=entered, answer_at_s=view(answer, float),
        end_at_s=view(end, float), handle_draw_s=handle, ivr_s=ivr, wrap_up_s=view(wrap, float), outcome=outcome,
        agent_group=gmap[gi], agent_id=np.where(answered, code & ((1 << SHIFT) - 1), -1), resolved=ended & ~ab)
