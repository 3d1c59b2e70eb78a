"""Incidents: a common-cause burst of contacts (an outage, a recall) on one topic, across phone and social.

An incident adds ``volume`` contacts on average **[assumed 600]** spread uniformly over [``start``, ``start`` +
``duration``) (a Poisson process of rate volume/duration, so its expected count is exactly the configured integral),
split over the channels by ``channels`` shares (the customer's channel uniform picks one). It sits beside the Hawkes
pile-on of ``sim.reputation.hawkes``: the pile-on is self-exciting and grows with unanswered posts, the incident is
driven from outside and the same in every design. Its contacts come from the known population (affected customers).

*Proactive handling*: a public status post ``post_after`` **[assumed 30 min]** after the start tells customers what
is happening. It is a public answer on the incident's topic in the deflection mechanism of
``sim.reputation.deflection`` (``StatusPost``, read on every channel, up until the run ends): from then on each
incident contact meets P(deflected) = ``deflect`` **[assumed 0.3]** from it ("answering one customer delivers the
information to others", domain notes §4), decided by the same ``DeflectionBoard.decide`` as a question deflected by an
earlier public answer, and counted the same way: ``deflected``, resolved at once. Reactive handling posts nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.reputation.deflection import StatusPost

VOLUME = 600.0  # [assumed]
POST_AFTER_S = 30 * 60.0  # [assumed]
DEFLECT = 0.3  # [assumed]


@dataclass(frozen=True)
class Incident:
    start_s: float  # from the start of the run (day 0, 00:00)
    duration_s: float
    volume: float = VOLUME
    channels: dict[str, float] = field(default_factory=lambda: {"phone": 0.6, "social": 0.4})  # [assumed]
    topic: str = "outage"
    proactive: bool = False
    post_after_s: float = POST_AFTER_S
    deflect: float = DEFLECT

    @property
    def rate(self) -> float:
        """Contacts per second during the incident."""
        return self.volume / self.duration_s

    def expected(self, lo: float, hi: float) -> float:
        """Expected incident contacts in [lo, hi): the integral of its rate."""
        return self.rate * max(0.0, min(hi, self.start_s + self.duration_s) - max(lo, self.start_s))


def incident_times(inc: Incident, lo: float, hi: float, rng: np.random.Generator) -> np.ndarray:
    """Sorted times (from ``lo``) of the incident's contacts in [lo, hi)."""
    a, b = max(lo, inc.start_s), min(hi, inc.start_s + inc.duration_s)
    if b <= a:
        return np.empty(0)
    n = rng.poisson(inc.rate * (b - a))
    return np.sort(a + rng.random(n) * (b - a)) - lo


def status_post(inc: Incident) -> StatusPost | None:
    """The brand's status post of a proactively handled incident (None: handled reactively)."""
    if not inc.proactive:
        return None
    return StatusPost(inc.start_s + inc.post_after_s, inc.topic, inc.deflect)
