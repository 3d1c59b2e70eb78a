"""How a contact went for the customer: good, bad or neither, and what a caller went through (for spillover).

Valence of a contact (``valence``): **good** when the customer's issue ended resolved (a served call or conversation
that resolved it, or self-service); **bad** when they gave up or were let down — abandoned (in the queue, in the IVR),
blocked, ignored, gone silent, or served without a resolution; **neither** while still open, and for a call that
became a callback (the return call carries the experience). Praise posts are neither: nothing went wrong or right.
With redials and repeat calls only the customer's last attempt counts (``final_attempt``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from sim.metrics import label_test

GOOD, NEUTRAL, BAD = 1, 0, -1
FAILED = ("blocked", "abandoned", "abandoned_ivr")
_FAILED = frozenset(FAILED)
BAD_OUTCOMES = ("blocked", "abandoned", "abandoned_ivr", "ignored", "silent")


def valence(contacts: pd.DataFrame) -> np.ndarray:
    """+1 good, −1 bad, 0 neither, per contact row (see the module notes)."""
    out = label_test(contacts["outcome"])
    served = out("served")
    if "resolved" in contacts:
        res = pd.array(contacts["resolved"], dtype="boolean")
        resolved = np.where(pd.isna(res), served, res.fillna(False).to_numpy(bool))
    else:
        resolved = served
    good = (served & resolved) | out("self_served")
    bad = out(*BAD_OUTCOMES) | (served & ~resolved)
    v = np.where(good, GOOD, np.where(bad, BAD, NEUTRAL))
    if "kind" in contacts:
        v = np.where(label_test(contacts["kind"])("praise"), NEUTRAL, v)
    return v.astype(np.int64)


def final_attempt(contacts: pd.DataFrame) -> np.ndarray:
    """True for the attempts no redial, repeat call or callback followed."""
    if "followed_by" not in contacts:
        return np.ones(len(contacts), bool)
    return contacts["followed_by"].isna().to_numpy()


def call_experience(c) -> tuple[float, float, float, bool, bool]:
    """(wait_s, transfers, ivr_s, failed, unresolved) of a finished call (an engine ``Contact`` or a funnel ``Call``).

    ``wait_s``: from the end of the IVR to the last answer (or to the end for a call never answered), so the waits of
    every queue visit and any diagnosis before a transfer count; 0 for the return call of a callback (nobody held)."""
    end = c.answer
    if end != end:  # never answered
        end = c.end
    ivr = c.ivr
    wait = 0.0 if getattr(c, "origin", None) == "callback" else max(0.0, end - c.arrival - (ivr or 0.0))
    outcome = c.outcome
    return (wait, float(getattr(c, "transfers", 0) or 0), ivr if ivr and ivr == ivr else 0.0, outcome in _FAILED,
            outcome == "served" and not getattr(c, "resolved", True))
