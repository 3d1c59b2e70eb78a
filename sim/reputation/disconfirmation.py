"""Disconfirmation: how far the brand's response came after what the customer expected, and what that does.

Expectation–disconfirmation (Oliver 1980): satisfaction follows the gap between what a customer expected and what
they got. Here the gap is in time. A customer who expected a reply within E and got the first one after R is
disappointed by

    d(R, E) = 0                      when R ≤ E (the expectation was met)
    d(R, E) = 1 − (E / R)^k          when R > E (late: twice as late as expected gives 1 − 2^−k)
    d      = 1                       when no response came (abandoned, ignored, blocked, given up on)

a number in [0, 1]: it depends only on how many times over the expectation the reply came (so seconds on the phone
and hours on social compare), rises fastest just after the expectation and saturates. The exponent k is
**[assumed]** (default 1). Satisfaction is 1 − d. The same d drives word of mouth and churn, with the contact's
outcome (``sim.reputation.experience``: resolved or not):

- the customer tells a bad story with probability b = 1 − (1 − bad)(1 − d) (bad = 1 for a bad outcome) and a good
  one with 1 − b when the outcome was good; the people told per story are those of ``word_of_mouth``;
- the customer leaves with p = 1 − (1 − churn_bad·bad)(1 − churn_late·d): independent chances from a bad outcome
  (``churn.probability``, **[assumed]** 0.1) and from lateness (``churn_late``, **[assumed]** 0.1; Lithium 2013:
  38% feel more negative about the brand after a late reply and 24% would consider buying less — stated intentions,
  so the size is assumed).

Response time R by channel: the first reply of a conversation (social, chat, email); for a call the time from the
first attempt's arrival until the customer spoke to a person (a callback's return call included); 0 for self-service.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EXPONENT = 1.0  # [assumed]
CHURN_LATE = 0.1  # [assumed]


@dataclass(frozen=True)
class Disconfirmation:
    """The disappointment function and the churn weight of lateness (see the module notes)."""

    exponent: float = EXPONENT
    churn_late: float = CHURN_LATE

    def disappointment(self, response_s, expected_s) -> np.ndarray:
        """d(R, E) ∈ [0, 1]; R = NaN or ∞ (no response) gives 1."""
        r = np.asarray(response_s, dtype=float)
        e = np.asarray(expected_s, dtype=float)
        r = np.where(np.isnan(r), np.inf, r)
        with np.errstate(divide="ignore", invalid="ignore"):
            late = 1.0 - np.power(np.where(r > 0, e / r, np.inf), self.exponent)
        return np.where(r <= e, 0.0, np.clip(np.nan_to_num(late, nan=1.0), 0.0, 1.0))

    def churn(self, bad, d, churn_bad: float) -> np.ndarray:
        """P(the customer leaves) from a bad outcome (0/1) and disappointment d."""
        return 1.0 - (1.0 - churn_bad * np.asarray(bad, float)) * (1.0 - self.churn_late * np.asarray(d, float))

    @staticmethod
    def bad_story(bad, d) -> np.ndarray:
        """P(the customer's story is a bad one)."""
        return 1.0 - (1.0 - np.asarray(bad, float)) * (1.0 - np.asarray(d, float))
