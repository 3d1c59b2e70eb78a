"""Word of mouth: after a contact ends the customer tells other people how it went, booked as impressions.

Expected people told per finished contact = ``share`` × (``told_good`` or ``told_bad``) × (``social_multiplier`` on
social channels), by the contact's valence (``sim.reputation.experience``); each person told is one impression of
sentiment ``good`` or ``bad``. Defaults: 44% of customers answered on non-social channels share the experience
(Twitter / Applied Marketing Science 2016); they tell 15 people about good service and 24 about bad (American Express
2012); social customers are more likely to talk — 42 vs 15 and 53 vs 24 people (2.8×, 2.2×, American Express 2012),
71% vs 19% recommend after a quick reply (3.7×, NM Incite) — default 3×, range 2–4× (domain notes §4). The sentiment
of a person told, ±1, is **[assumed]** equal in size to one impression of an unanswered complaint.
Expected values are booked (no draw), like the exposure of posts. With expectations on, a late reply turns part of a
good story into a bad one (``sim.reputation.disconfirmation``). ``conversion`` **[assumed]** 0.01: the share of people
told a good story who become customers (the ledger's ``customers_won``), and of people told a bad story who would have
and now do not (``prospects_lost``).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.reputation.experience import BAD, GOOD


@dataclass(frozen=True)
class WordOfMouth:
    share: float = 0.44
    told_good: float = 15.0
    told_bad: float = 24.0
    social_multiplier: float = 3.0
    good: float = 1.0
    bad: float = -1.0
    conversion: float = 0.01  # [assumed]

    def people_told(self, valence: np.ndarray, social: np.ndarray) -> np.ndarray:
        told = np.where(valence == GOOD, self.told_good, np.where(valence == BAD, self.told_bad, 0.0))
        return self.share * told * np.where(social, self.social_multiplier, 1.0)

    def weight(self, valence: np.ndarray) -> np.ndarray:
        return np.where(valence == GOOD, self.good, np.where(valence == BAD, self.bad, 0.0))
