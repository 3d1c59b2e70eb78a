"""Incidents: a common-cause burst of contacts (an outage, a recall) on one topic, across phone and social.

An incident adds ``volume`` contacts on average **[assumed 600]** spread uniformly over [``start``, ``start`` +
``duration``) (a Poisson process of rate volume/duration, so its expected count is exactly the configured integral),
split over the channels by ``channels`` shares (the customer's channel uniform picks one). It sits beside the Hawkes
pile-on of ``sim.reputation.hawkes``: the pile-on is self-exciting and grows with unanswered posts, the incident is
driven from outside and the same in every design. Its contacts come from the known population (affected customers).

*Proactive handling*: a public status post ``post_after`` **[assumed 30 min]** after the start tells customers what
is happening; from then on each incident contact is deflected — the customer reads the post and does not contact —
with probability ``deflect`` **[assumed 0.3]** on every channel ("answering one customer delivers the information to
others", domain notes §4). A deflected contact counts as resolved by deflection. Reactive handling posts nothing.
``proactive_deflection`` is the one function deciding it (the deflection-as-resolution mechanism of the next-try
model can take its place).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

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


def proactive_deflection(inc: Incident, at_s: np.ndarray) -> np.ndarray:
    """P(an incident contact at run times ``at_s`` is deflected by the brand's status post)."""
    if not inc.proactive:
        return np.zeros(len(at_s))
    return np.where(at_s >= inc.start_s + inc.post_after_s, inc.deflect, 0.0)
