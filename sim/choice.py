"""Channel choice: one population of customers, each of whom picks the channel they contact the brand on.

```toml
[choice]
channels = { phone = 0.6, social = 0.4 }   # share of the population choosing each channel
```

The channels listed declare the same ``arrivals`` and ``open`` hours — the population's first contacts, written on each
channel they may use. The arrival times are drawn once per replication, from the stream ``"choice.arrivals"`` (with the
day's busyness), and customer j takes the channel whose band of cumulative shares, in the order listed, holds the j-th
uniform of ``"choice.channel"``. So between two designs that differ only in their shares, a customer changes channel
only if their uniform lies between the two designs' boundaries: with two channels, raising one channel's share moves
customers to it and never away from it.

Every listed channel meets every customer of the population, in arrival order: the j-th customer's attributes on a
channel are the j-th values of that channel's own named streams whichever channel they chose, and their contact id on
each channel is the channel's id prefix + j. A customer who chose another channel is *passed by*: their draws on this
channel are made and nothing else happens (no contact, no event besides the arrival). Replication r of two designs
therefore meets the same customers at the same moments, each with the same phone persona (issue, priority, handle time,
patience, IVR path, redial and resolution draws …) and the same social persona (kind, reach, messages, think times …)
— common random numbers across channels (domain notes §5). What is *not* shared: a customer's phone persona and their
social persona come from different streams, so nothing links, say, a long phone call to a long conversation.

The feature attaches first (``attach``: every listed channel's feed gets the population's arrivals and the flags of
who chose another channel); the kernel's one arrival loop then passes those customers by (``sim.core.Model``): their
channel's behaviour draws them (``new_customer``) and they never arrive.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.validate import Checker, join

ARRIVAL_STREAM = "choice.arrivals"
CHOICE_STREAM = "choice.channel"


@dataclass(frozen=True)
class Choice:
    """The channels of the population, in the order listed, and the share choosing each."""

    channels: tuple[str, ...]
    shares: tuple[float, ...]


def parse_section(raw: Any, path: str, chk: Checker, ctx) -> Choice | None:
    """``[choice]`` (a section of the choice feature, ``sim.extensions.CHOICE``)."""
    example = "a table of channel → share of customers choosing it, such as { phone = 0.6, social = 0.4 }"
    raw = chk.table(raw, path, ("channels",))
    table = raw.get("channels")
    where = join(path, "channels")
    if not isinstance(table, dict) or len(table) < 2:
        chk.add(where, f"{example}, with at least two channels", table if table is not None else "nothing")
        return None
    names, shares = [], []
    for name, share in table.items():
        if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share <= 1:
            chk.add(join(where, name), "a share from 0 to 1 of the customers choosing this channel", share)
            return None
        names.append(name)
        shares.append(float(share))
    if abs(math.fsum(shares) - 1) > 1e-9:
        chk.add(where, "shares summing to 1", f"shares summing to {math.fsum(shares):g}")
        return None
    return Choice(tuple(names), tuple(shares))


def check(sc, chk: Checker) -> None:
    """The listed channels exist and declare the same arrivals and opening hours (the population's)."""
    choice = sc.sections.get("choice")
    if choice is None:
        return
    known = [n for n in choice.channels if n in sc.channels]
    for n in choice.channels:
        if n not in sc.channels:
            chk.add(join("choice.channels", n), f"a channel of this scenario ({', '.join(sc.channels)})", n)
    if not known:
        return
    first = known[0]
    raw = sc.raw.get("channels", {})
    for n in known[1:]:
        for key in ("arrivals", "open"):
            if raw[n].get(key) != raw[first].get(key):
                chk.add(f"channels.{n}.{key}", f"the same {key} as channels.{first} (one population of customers "
                        "chooses among the channels of [choice])", raw[n].get(key, "nothing"))


def attach(model) -> None:
    """Give every channel of the choice the population's arrival times and a flag per customer: chose another
    channel. Attached before any feature takes the feeds over."""
    choice = model.scenario.sections.get("choice")
    if choice is None:
        return
    ch = model.scenario.channels[choice.channels[0]]
    times = model.arrival_times(ch, ARRIVAL_STREAM).tolist()
    u = model.streams.generator(CHOICE_STREAM).random(len(times))
    pick = np.searchsorted(np.cumsum(choice.shares)[:-1], u, side="right")
    for k, name in enumerate(choice.channels):
        model.feed(name).share_arrivals(times, (pick != k).tolist())
