"""The brand's reputation as a state carried over days: public bad experiences remembered, fading with a half-life.

State S (remembered public complaints): each day's publicly visible bad experiences B_d (a social contact that was
ignored, abandoned, silent or answered later than the customer's tolerance) are added and the memory fades,

    S_{d+1} = δ·S_d + B_d,   δ = 2^(−1/half_life_days),

so with no new complaints S_d = S_0·δ^d. Default half-life 7 days **[assumed]** (a complaint's own impressions fade
within a day, Pfeffer et al. 2023, but what prospects remember of a brand lasts longer; no source measures it).
New customers' demand is multiplied by m(S) = e^(−κ·S) (88% of consumers are less likely to buy after seeing
unanswered complaints, Conversocial; κ = 0.001 per remembered complaint **[assumed]**). Initial state S_0 = 0
**[assumed]**: warm-up weeks (simulated, not counted) carry it to the design's own level before measurement.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

HALF_LIFE_DAYS = 7.0  # [assumed]
SENSITIVITY = 0.001  # κ per remembered public complaint [assumed]
INITIAL = 0.0  # [assumed]


@dataclass(frozen=True)
class StateSpec:
    half_life_days: float = HALF_LIFE_DAYS
    sensitivity: float = SENSITIVITY
    initial: float = INITIAL

    @property
    def retention(self) -> float:
        """δ: the share of the state kept from one day to the next."""
        return math.pow(2.0, -1.0 / self.half_life_days)


class ReputationState:
    """The state of one replication of one design, day by day."""

    def __init__(self, spec: StateSpec):
        self.spec = spec
        self.value = spec.initial

    def end_of_day(self, public_bad: float) -> float:
        """Add the day's public bad experiences and fade: the state the next day starts with."""
        self.value = self.spec.retention * self.value + public_bad
        return self.value

    def demand_multiplier(self) -> float:
        """m(S): new customers' demand relative to a brand nobody complains about."""
        return math.exp(-self.spec.sensitivity * self.value)
