"""What customers expect: the response time each customer expects on the channel they use, drawn per customer.

An expectation distribution is a cumulative share of customers by the time they expect a reply within, given as
knots (time, share expecting a reply by then); between knots the share is linear in log(time), and every customer
expects a reply by the last knot. Published brackets are the knots; the ends that no survey gives are **[assumed]**
(domain notes §3, §6: "expectations are distributions over customers, not one number"):

- ``convince_convert`` (default for social channels): 32% of people complaining in social media expect a reply within
  30 minutes and 42% within 60 minutes (Convince & Convert / Edison Research, The Social Habit 2012); nobody expects one
  sooner than 5 minutes and everybody expects one within 24 hours **[assumed ends]**.
- ``lithium``: 72% of Twitter complainers expect a reply within 1 hour (Lithium / Millward Brown Digital 2013);
  ends as above **[assumed]**.
- ``nm_incite``: 83% of Twitter users expect a reply the same day (NM Incite 2012); from 5 minutes **[assumed]**, all
  within 3 days **[assumed]**.
- ``email``: a reply within 1 hour (Social Media Today) — one number, so every customer expects exactly 1 hour.
- ``callback``: a call back within 2 hours (Social Media Today) — the default for phone channels, where the response
  is the time until the customer speaks to a person (a callback's return call included).
- ``chat``: 5 minutes for every customer **[assumed]** (no source in the domain notes).

Each customer's expectation on a channel is the quantile of one Uniform(0, 1) keyed by (customer id, channel) on the
stream ``reputation.expectation.<channel>`` (``sim.reputation.keyed.keyed_uniforms``): it depends on who the customer
is, never on staffing or the order of events, so two designs meet the same expectations (common random numbers).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN, HOUR = 60.0, 3600.0

# name -> (knots, source) ; knots (seconds, cumulative share), the first share 0 and the last 1
PRESETS: dict[str, tuple[tuple[tuple[float, float], ...], str]] = {
    "convince_convert": (((5 * MIN, 0.0), (30 * MIN, 0.32), (60 * MIN, 0.42), (24 * HOUR, 1.0)),
                         "Convince & Convert / Edison 2012: 32% within 30 min, 42% within 60 min; ends [assumed]"),
    "lithium": (((5 * MIN, 0.0), (60 * MIN, 0.72), (24 * HOUR, 1.0)),
                "Lithium 2013: 72% of complainers within 1 h; ends [assumed]"),
    "nm_incite": (((5 * MIN, 0.0), (24 * HOUR, 0.83), (72 * HOUR, 1.0)),
                  "NM Incite 2012: 83% the same day; ends [assumed]"),
    "email": (((HOUR, 0.0), (HOUR, 1.0)), "Social Media Today: an email reply within 1 h"),
    "callback": (((2 * HOUR, 0.0), (2 * HOUR, 1.0)), "Social Media Today: a call back within 2 h"),
    "chat": (((5 * MIN, 0.0), (5 * MIN, 1.0)), "[assumed]"),
}
DEFAULT_BY_KIND = {"social": "convince_convert", "email": "email", "phone": "callback", "chat": "chat"}


@dataclass(frozen=True)
class Expectation:
    """The distribution of expected response times on one channel (see the module notes)."""

    knots: tuple[tuple[float, float], ...]
    source: str = "[assumed]"

    @classmethod
    def preset(cls, name: str) -> Expectation:
        knots, source = PRESETS[name]
        return cls(knots, source)

    @property
    def _log_t(self) -> np.ndarray:
        return np.log([k[0] for k in self.knots])

    @property
    def _share(self) -> np.ndarray:
        return np.array([k[1] for k in self.knots], dtype=float)

    def quantile(self, u) -> np.ndarray:
        """Expected response time (seconds) of a customer at quantile ``u`` ∈ [0, 1]."""
        u = np.asarray(u, dtype=float)
        share, log_t = self._share, self._log_t
        if log_t[-1] == log_t[0]:  # one time for every customer
            return np.full(u.shape, float(self.knots[-1][0]))
        return np.exp(np.interp(u, share, log_t))

    def cdf(self, t) -> np.ndarray:
        """Share of customers expecting a reply within ``t`` seconds."""
        t = np.asarray(t, dtype=float)
        share, log_t = self._share, self._log_t
        lt = np.log(np.maximum(t, 1e-9))
        if log_t[-1] == log_t[0]:
            return np.where(lt >= log_t[0], 1.0, 0.0)
        return np.interp(lt, log_t, share, left=0.0, right=1.0)

    def draw(self, streams, channel: str, customer_ids: np.ndarray) -> np.ndarray:
        """Each customer's expected response time on ``channel`` (seconds), keyed by customer id."""
        from sim.reputation.keyed import keyed_uniforms

        return self.quantile(keyed_uniforms(streams, f"reputation.expectation.{channel}", customer_ids))


def validate_knots(knots) -> str | None:
    """What is wrong with a knot list, or None: times > 0 non-decreasing, shares from 0 to 1 non-decreasing."""
    if len(knots) < 2:
        return "at least two [time, share] knots"
    ts = [k[0] for k in knots]
    ss = [k[1] for k in knots]
    if any(t <= 0 for t in ts) or any(b < a for a, b in zip(ts, ts[1:])):
        return "times > 0 in non-decreasing order"
    if ss[0] != 0.0 or ss[-1] != 1.0 or any(b < a for a, b in zip(ss, ss[1:])):
        return "shares rising from 0 (the first knot) to 1 (the last knot)"
    if any(b[0] == a[0] and b[1] != a[1] for a, b in zip(knots, knots[1:])) and ts[0] != ts[-1]:
        return "distinct times for distinct shares (or one time for every customer)"
    return None


@dataclass(frozen=True)
class Expectations:
    """The expectation distribution of every channel: those the scenario names, else the default of its kind."""

    channels: tuple[tuple[str, Expectation], ...] = ()

    def for_channel(self, name: str, kind: str) -> Expectation:
        for n, e in self.channels:
            if n == name:
                return e
        return Expectation.preset(DEFAULT_BY_KIND[kind])
