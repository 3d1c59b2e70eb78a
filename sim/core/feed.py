"""A channel's arrival feed: the arrival times of one replication and its customers' attribute streams."""
from __future__ import annotations

from bisect import bisect_right
from typing import Any

import numpy as np

from sim.distributions import Draws
from sim.streams import Streams, stable_hash


def contact_id_base(channel_name: str) -> int:
    """Contact ids are stable per channel (a prefix from the channel's name + a sequence), so adding a channel never
    renumbers another channel's contacts."""
    return (stable_hash(channel_name) % 9000 + 1) * 10**9


class Feed:
    """Arrival times of one channel, its customers' handle time, patience and IVR-time streams, and the behaviour that
    takes its arrivals (``hook``, the plain phone queue unless a feature installs another with
    ``Model.set_arrival_hook``)."""

    __slots__ = ("channel", "times", "i", "handle", "patience", "ivr", "elsewhere", "id_base", "hook", "classes")

    def __init__(self, channel: Any, streams: Streams, times: np.ndarray, clock: Any = None):
        self.channel = channel
        self.times: list[float] = times.tolist()
        self.i = 0
        self.handle: Any = Draws(channel.handle_time, streams.generator(f"{channel.name}.handle_time"))
        if getattr(channel, "aht", None) is not None and clock is not None:
            self.handle = IntervalDraws(self.handle, *clock)
        self.patience = Draws(channel.patience, streams.generator(f"{channel.name}.patience")) if channel.patience else None
        self.ivr = Draws(channel.ivr_time, streams.generator(f"{channel.name}.ivr_time")) if channel.ivr_time else None
        self.elsewhere: list[bool] | None = None  # [choice]: per customer, True if they chose another channel
        self.id_base = contact_id_base(channel.name)
        self.hook: Any = None
        classes = getattr(channel, "classes", ())
        self.classes = ClassDraws(classes, channel, streams) if classes else None

    def next_id(self) -> int:
        return self.id_base + self.i

    def share_arrivals(self, times: list[float], elsewhere: list[bool]) -> None:
        """One population for several channels ([choice]): its arrival times, and per customer whether they chose
        another channel (then they are passed by: drawn, never a contact)."""
        self.times = list(times)
        self.elsewhere = list(elsewhere)


class IntervalDraws:
    """Handle times whose mean follows the interval a customer arrives in (a channel's ``aht``): the channel's law,
    drawn on its own stream as always, scaled by ``aht(now) / law mean`` — the law's shape (its CV) is kept, and two
    designs still meet the same customers."""

    __slots__ = ("draws", "now", "starts", "scale")

    def __init__(self, draws: Draws, now: Any, starts: np.ndarray, means: np.ndarray):
        self.draws, self.now = draws, now
        self.starts: list[float] = starts.tolist()
        self.scale: list[float] = (means / draws.dist.mean).tolist()

    def next(self) -> float:
        return self.draws.next() * self.scale[bisect_right(self.starts, self.now()) - 1]


class ClassDraws:
    """Each customer's class (a channel's ``classes``: priority, share, patience law), drawn when the customer is
    created from the channel's stream ``<channel>.class``; the class's patience from ``<channel>.patience.<class>``
    (its own law, or the channel's)."""

    __slots__ = ("priorities", "cum", "patience", "u")

    def __init__(self, classes: Any, channel: Any, streams: Streams):
        from sim.distributions import Uniform

        self.priorities = [k.priority for k in classes]
        self.cum = np.cumsum([k.share for k in classes]).tolist()
        self.cum[-1] = 1.0
        self.patience = [None if (k.patience or channel.patience) is None else
                         Draws(k.patience or channel.patience, streams.generator(f"{channel.name}.patience.{k.priority}"))
                         for k in classes]
        self.u = Draws(Uniform(0.0, 1.0), streams.generator(f"{channel.name}.class"))

    def next(self) -> tuple[int, Draws | None]:
        """(priority, patience draws) of the next customer."""
        k = bisect_right(self.cum, self.u.next())
        k = min(k, len(self.cum) - 1)
        return self.priorities[k], self.patience[k]
