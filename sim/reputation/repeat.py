"""Repeat complaints: a customer whose complaint got a reply complains again more readily.

Ma, Sun & Kekre (2015) find that replying to a complaint raises that customer's later complaint propensity (while the
relationship improves on net; domain notes §4). Modelled as: when the brand first replies to a complaint on a social
channel, the customer posts another complaint with ``probability`` **[assumed 0.1]** after a delay drawn from
``delay`` **[assumed: exponential, mean 4 h]**; it is public as often as the channel's posts are, and handled like any
other. Switch it off (``enabled = false``) to compare staffing without this feedback.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sim.distributions import Dist, Exponential


@dataclass(frozen=True)
class RepeatComplaints:
    probability: float = 0.1
    delay: Dist = field(default=Exponential(4 * 3600.0))
