"""The one closed set of contact outcomes, used by every table.

- ``served``: a person handled the contact to its end (phone call completed, conversation closed).
- ``abandoned``: the customer hung up / left while waiting for a person.
- ``open``: still in the system (waiting or in service) when the replication's horizon was reached.
- ``blocked``: busy signal — every trunk line was in use when the call arrived.
- ``abandoned_ivr``: hung up inside the IVR menu.
- ``self_served``: completed in self-service without a person.
- ``callback``: left the line having accepted a callback (the return call is a new attempt).
- ``ignored``: a post the brand never answered.
- ``silent``: the customer went quiet and the agent closed the conversation after the inactivity timeout.
"""
from __future__ import annotations

import pandas as pd

OUTCOMES: tuple[str, ...] = (
    "served", "abandoned", "open", "blocked", "abandoned_ivr", "self_served", "callback", "ignored", "silent",
)
OUTCOME_DTYPE = pd.CategoricalDtype(categories=list(OUTCOMES), ordered=False)


def as_outcomes(values) -> pd.Categorical:
    """Values as the closed categorical; anything outside the set is an error, not a silent NaN."""
    unknown = set(pd.unique(pd.Series(values, dtype=object))) - set(OUTCOMES)
    if unknown:
        raise ValueError(f"unknown outcomes {sorted(map(str, unknown))}; the closed set is {', '.join(OUTCOMES)}")
    return pd.Categorical(values, dtype=OUTCOME_DTYPE)
