"""Silent churn: a customer with a bad experience that nobody else saw leaves, with a probability.

Most dissatisfied customers never complain; they leave (domain notes §4). A candidate is the last attempt of a
customer whose experience was bad (``sim.reputation.experience``) and who did not complain in public: a caller who
did not post afterwards (``posted_publicly``), or a private message or email. Each churns with ``probability``
**[assumed 0.1]**, decided by a draw keyed by the contact id (``sim.reputation.keyed``: the same customer churns in
every design that gives them the same experience). With ``value_per_customer`` in ``[reputation]`` the churned
customers' value is reported as revenue at risk.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.reputation.keyed import keyed_uniforms

PROBABILITY = 0.1  # [assumed]


@dataclass(frozen=True)
class Churn:
    probability: float = PROBABILITY

    def churned(self, streams, contact_ids: np.ndarray, candidate: np.ndarray) -> np.ndarray:
        u = keyed_uniforms(streams, "reputation.churn", contact_ids)
        return candidate & (u < self.probability)
