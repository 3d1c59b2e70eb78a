"""The brand's inbox: posts it has decided to answer, waiting for an agent to open a conversation, in triage order.

Orders (``[channels.X] triage.order``): ``fifo`` — arrival order; ``reach`` — most followers first (brands answer
users with more followers more and faster: Gunarathne, Rui & Seidmann 2018); ``kind`` — by ``kind_order``, arrival
order within a kind; ``target`` — posts that can still meet the first-response target first, oldest first, then posts
already past it, oldest first; ``newest`` — the latest post first (last in, first out: under overload the brand
answers what is fresh on the timeline and old posts wait). Posts that leave the inbox while waiting (the customer gives up, the brand lets them
expire) are dropped lazily when reached.
"""
from __future__ import annotations

import heapq
from collections import deque

from sim.social.posts import Post


class Inbox:
    """Waiting posts of one queue. ``n`` counts posts still waiting."""

    __slots__ = ("id", "channel", "order", "n", "seq", "fifo", "late", "heap", "rank", "target_s", "groups")

    def __init__(self, queue_id: str, channel: str, triage, target_s: float):
        self.id = queue_id
        self.channel = channel
        self.order = triage.order
        self.n = 0
        self.seq = 0
        self.fifo: deque[Post] = deque()  # fifo; for "target": posts still on time
        self.late: deque[Post] = deque()  # "target": posts already past the target
        self.heap: list[tuple] = []  # "reach" and "kind"
        self.rank = {k: i for i, k in enumerate(triage.kind_order)}
        self.target_s = target_s
        self.groups: list = []  # agent groups that serve this queue

    def push(self, p: Post) -> None:
        self.seq += 1
        p.seq = self.seq
        p.waiting = True
        self.n += 1
        if self.order in ("fifo", "target", "newest"):
            self.fifo.append(p)
        elif self.order == "reach":
            heapq.heappush(self.heap, (-p.src.reach[p.i], p.seq, p))
        else:
            heapq.heappush(self.heap, (self.rank[p.src.kind[p.i]], p.seq, p))

    def pop(self, now: float) -> Post | None:
        """The next post to open, or None."""
        if self.n == 0:
            return None
        if self.order in ("fifo", "newest"):
            dq = self.fifo
            take = dq.popleft if self.order == "fifo" else dq.pop
            while dq:
                p = take()
                if p.waiting:
                    return self._taken(p)
            return None
        if self.order == "target":
            on_time, late = self.fifo, self.late
            while on_time and (not on_time[0].waiting or now - on_time[0].arrival >= self.target_s):
                p = on_time.popleft()
                if p.waiting:
                    late.append(p)
            if on_time:
                return self._taken(on_time.popleft())
            while late:
                p = late.popleft()
                if p.waiting:
                    return self._taken(p)
            return None
        heap = self.heap
        while heap:
            p = heapq.heappop(heap)[2]
            if p.waiting:
                return self._taken(p)
        return None

    def _taken(self, p: Post) -> Post:
        p.waiting = False
        self.n -= 1
        return p

    def drop(self, p: Post) -> None:
        """A waiting post leaves (customer gave up, or the brand let it expire); removed lazily."""
        p.waiting = False
        self.n -= 1
