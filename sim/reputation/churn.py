"""Churn of contacting customers: a customer leaves the brand after a contact, with a probability.

Most dissatisfied customers never complain; they leave (domain notes §4). Every contacting customer (a finished last
attempt that is not praise, public or private, on any channel; ``sim.reputation.customers``) leaves with
p = 1 − (1 − ``probability``·bad)(1 − churn_late·d): a bad outcome (``sim.reputation.experience``) with
``probability`` **[assumed 0.1]**, and lateness against the customer's expectation (``sim.reputation.disconfirmation``).
The customers nobody hears from are the silent majority (``sim.reputation.silent_majority``). The draw is keyed by
the contact id (``sim.reputation.keyed``): the same customer churns in every design that gives them the same
experience. With ``value_per_customer`` in ``[reputation]`` the churned customers' value is reported as revenue at
risk.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.reputation.keyed import keyed_uniforms

PROBABILITY = 0.1  # [assumed]


@dataclass(frozen=True)
class Churn:
    probability: float = PROBABILITY

    @staticmethod
    def leaves(streams, contact_ids: np.ndarray, p: np.ndarray) -> np.ndarray:
        """Which customers leave, each with probability ``p``, decided by a uniform keyed by the contact."""
        return keyed_uniforms(streams, "reputation.churn", contact_ids) < p
