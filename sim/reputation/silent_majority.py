"""The silent majority: customers hit by the same issues who never contact the brand, and whether they stay.

Most dissatisfied customers never complain; they take their custom elsewhere (domain notes §4). For every contacting
customer (every finished last attempt except praise) other customers had the same issue and said nothing: ``ratio``
per complaint (default 26: "for every customer who complains, 26 stay silent", widely quoted from Lee Resources /
TARP; the primary source is not at hand, so treat it as **[assumed]**) and ``ratio_other`` per other contact — a
question, a call — (default 1 **[assumed]**: most calls are routine). Each of them leaves with

    p = 1 − (1 − churn_own) · (1 − churn_seen · sees_public · U)

- ``churn_own`` **[assumed]** 0.02: their own experience of the issue, which nobody at the brand saw;
- ``sees_public`` **[assumed]** 0.3: the share of them who look at the brand's public pages;
- U: the share of views of the brand's public complaints that were made while the complaint was unanswered (the
  ledger's ``unanswered_view_share`` over the replication, all social channels) — what they saw;
- ``churn_seen`` **[assumed]** 0.2: how much more likely an onlooker is to leave after seeing unanswered complaints.
  88% say they are less likely to buy after seeing unanswered complaints (Conversocial) — a stated intention, so the
  size is assumed.

Expected values are booked (nothing is drawn), when the contacting customer's contact ended, to its channel.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RATIO = 26.0  # Lee Resources / TARP as widely quoted [assumed]
RATIO_OTHER = 1.0  # [assumed]
CHURN_OWN = 0.02  # [assumed]
SEES_PUBLIC = 0.3  # [assumed]
CHURN_SEEN = 0.2  # [assumed]; the direction from Conversocial (88% stated)


@dataclass(frozen=True)
class SilentMajority:
    ratio: float = RATIO
    ratio_other: float = RATIO_OTHER
    churn_own: float = CHURN_OWN
    sees_public: float = SEES_PUBLIC
    churn_seen: float = CHURN_SEEN

    def churn_probability(self, unanswered_share: float) -> float:
        """P(a silent customer leaves) when a share U of complaint views saw the complaint unanswered."""
        u = 0.0 if np.isnan(unanswered_share) else float(unanswered_share)
        return 1.0 - (1.0 - self.churn_own) * (1.0 - self.churn_seen * self.sees_public * u)

    def affected(self, contacting: np.ndarray, complaint: np.ndarray) -> np.ndarray:
        """Silent customers behind each contact (``contacting``, ``complaint``: bool per contact)."""
        return np.where(contacting, np.where(complaint, self.ratio, self.ratio_other), 0.0)
