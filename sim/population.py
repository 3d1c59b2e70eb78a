"""Customers with identities over weeks: who they are, what happened to them, and which channel they try next.

The population starts with ``known`` customers **[assumed 20,000]** (ids 0 … known−1), each returning at ``returning``
contacts per day **[assumed 0.01]** while not lost; new customers get the next ids. Every customer keeps their history:
contacts, bad experiences, the channel and outcome of their last contact and the last delay they met on each channel.

Channel choice is delay-sensitive as in Armony & Maglaras (2004, "On customer contact centers with a call-back
option"): a customer weighs each channel by its expected delay — their own last delay there, or the delay published
yesterday when they have none — in a logit, u_c = ln(share_c) − delay_c/``delay_scale`` **[assumed 30 min]**, plus
``bad_call_to_public`` **[assumed 1.0]** on the social channel for a customer whose last phone call went badly (they
are likelier to post publicly next time, domain notes §4). A bad experience loses the customer with probability
``loss`` **[assumed 0.1, as sim.reputation.churn]**. Besides, every customer leaves for reasons of their own
(moving, no longer needing the product) with probability ``attrition`` a day; by default it is the rate that keeps the
population stationary at the scenario's demand with nobody lost, (daily demand − known·returning)/known **[assumed]**.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

KNOWN = 20_000  # [assumed]
RETURNING_PER_DAY = 0.01  # [assumed]
DELAY_SCALE_S = 30 * 60.0  # [assumed]
BAD_CALL_TO_PUBLIC = 1.0  # [assumed] logit bonus of the social channel after a bad call
LOSS = 0.1  # [assumed], as sim.reputation.churn.PROBABILITY


@dataclass(frozen=True)
class PopulationSpec:
    known: int = KNOWN
    returning: float = RETURNING_PER_DAY
    delay_scale_s: float = DELAY_SCALE_S
    bad_call_to_public: float = BAD_CALL_TO_PUBLIC
    loss: float = LOSS
    attrition: float | None = None  # per day; None: the stationary rate (sim.weeks.model)
    shares: dict[str, float] = field(default_factory=lambda: {"phone": 0.7, "social": 0.3})  # [assumed]


class Population:
    """Every customer's history, as arrays indexed by customer id (grown as new customers arrive)."""

    def __init__(self, spec: PopulationSpec, channels: tuple[str, ...]):
        self.spec = spec
        self.channels = channels
        n = spec.known
        self.n = n
        self.lost = np.zeros(n, bool)  # lost by a bad experience
        self.gone = np.zeros(n, bool)  # left for reasons of their own (attrition)
        self.contacts = np.zeros(n, np.int64)
        self.bad = np.zeros(n, np.int64)
        self.last_channel = np.full(n, -1, np.int64)
        self.last_bad = np.zeros(n, bool)
        self.last_delay = np.full((len(channels), n), np.nan)

    def active(self) -> int:
        return int(self.n - (self.lost | self.gone).sum())

    def add(self, k: int) -> np.ndarray:
        """Ids of ``k`` new customers."""
        ids = np.arange(self.n, self.n + k)
        self.n += k
        self.lost = np.append(self.lost, np.zeros(k, bool))
        self.gone = np.append(self.gone, np.zeros(k, bool))
        self.contacts = np.append(self.contacts, np.zeros(k, np.int64))
        self.bad = np.append(self.bad, np.zeros(k, np.int64))
        self.last_channel = np.append(self.last_channel, np.full(k, -1, np.int64))
        self.last_bad = np.append(self.last_bad, np.zeros(k, bool))
        self.last_delay = np.concatenate([self.last_delay, np.full((len(self.channels), k), np.nan)], axis=1)
        return ids

    def returning_ids(self, who_u: np.ndarray) -> np.ndarray:
        """The returning customer each uniform designates: uniform over customers not lost (by rank, so the same
        uniform picks the same customer in two designs that have lost the same customers)."""
        alive = np.flatnonzero(~(self.lost | self.gone))
        if len(alive) == 0:
            return np.full(len(who_u), -1, np.int64)
        return alive[np.minimum((who_u * len(alive)).astype(np.int64), len(alive) - 1)]

    def choose(self, ids: np.ndarray, channel_u: np.ndarray, published_delay: np.ndarray,
               available: np.ndarray | None = None) -> np.ndarray:
        """Each customer's channel (index into ``channels``) by the delay-sensitive logit, drawn with their uniform;
        ``available`` (channels × customers, bool): the channels open at each customer's time (None: all)."""
        s = self.spec
        base = np.log(np.array([s.shares.get(c, 0.0) for c in self.channels]) + 1e-300)
        delay = self.last_delay[:, ids]
        delay = np.where(np.isnan(delay), published_delay[:, None], delay)
        u = base[:, None] - delay / s.delay_scale_s
        if "social" in self.channels and "phone" in self.channels:
            bad_call = self.last_bad[ids] & (self.last_channel[ids] == self.channels.index("phone"))
            u[self.channels.index("social")] += s.bad_call_to_public * bad_call
        if available is not None:  # closed channels are not chosen (a customer with none open keeps them all)
            u = np.where(available | ~available.any(axis=0), u, -np.inf)
        p = np.exp(u - u.max(axis=0))
        cum = np.cumsum(p / p.sum(axis=0), axis=0)
        return np.minimum((channel_u[None, :] > cum).sum(axis=0), len(self.channels) - 1)

    def record(self, ids: np.ndarray, channel: np.ndarray, delay: np.ndarray, bad: np.ndarray,
               loss_u: np.ndarray) -> np.ndarray:
        """Write a day's contacts into the customers' histories; returns which of them the brand lost."""
        self.contacts[ids] += 1
        self.bad[ids] += bad
        self.last_channel[ids] = channel
        self.last_bad[ids] = bad
        ok = ~np.isnan(delay)
        self.last_delay[channel[ok], ids[ok]] = delay[ok]
        lost = bad & (loss_u < self.spec.loss) & ~self.lost[ids] & ~self.gone[ids]
        first = np.zeros(int(lost.sum()), bool)  # a customer with two bad contacts in a day is lost once
        first[np.unique(ids[lost], return_index=True)[1]] = True
        lost[lost] = first
        self.lost[ids[lost]] = True
        return lost

    def attrition(self, rate: float, u: np.ndarray) -> int:
        """The day's natural leavers (customer i leaves when ``u[i]`` < rate); returns how many left."""
        leave = (u[: self.n] < rate) & ~self.lost & ~self.gone
        self.gone |= leave
        return int(leave.sum())
