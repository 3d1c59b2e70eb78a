"""What each contacting customer expected, what they got, and whether they stay: the per-contact side of the
manager's ledger.

A *contacting customer* is a finished last attempt (no redial, repeat call or callback followed) that is not praise.
For each: the response time R (``response_times``), the expectation E drawn for that customer on that channel
(``sim.reputation.expectations``), the disappointment d(R, E) and satisfaction 1 − d
(``sim.reputation.disconfirmation``), the probability of leaving and the keyed draw that decides it, and the expected
people told a good or a bad story (``sim.reputation.word_of_mouth``).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.metrics import by_label, label_in, label_test
from sim.reputation.disconfirmation import Disconfirmation
from sim.reputation.experience import BAD, GOOD, final_attempt, valence

CONVERSATIONS = ("social", "email")
CHAIN_STARTS = ("first", "repeat")  # a redial or a callback continues the attempt before it


def response_times(c: pd.DataFrame, kinds: np.ndarray) -> np.ndarray:
    """R per contact (seconds; NaN: no response): the first reply of a conversation; for a call, from the arrival of
    the first attempt of its chain (redials and callbacks continue a chain) to the answer; 0 for self-service."""
    n = len(c)
    arrival = c["arrival_at_s"].to_numpy(float)
    out = np.full(n, np.nan)
    conv = np.isin(kinds, CONVERSATIONS)
    if "first_response_s" in c:
        out[conv] = c["first_response_s"].to_numpy(float)[conv]
    calls = ~conv
    if not calls.any():
        return out
    start = arrival.copy()
    if "origin" in c and "attempt" in c:
        rows = np.flatnonzero(calls)
        cust = c["customer_id"].to_numpy(np.int64)[rows]
        order = np.lexsort((c["attempt"].to_numpy(np.int64)[rows], cust))  # by customer, then attempt (stable)
        rows, cust = rows[order], cust[order]
        new = label_in(c["origin"], CHAIN_STARTS)[rows] | (cust != np.roll(cust, 1))
        # each chain's first attempt: the latest chain start at or before each row (the first row starts one)
        head = np.maximum.accumulate(np.where(new, np.arange(len(rows)), 0))
        start[rows] = arrival[rows][head]
    answer = c["answer_at_s"].to_numpy(float) if "answer_at_s" in c else np.full(n, np.nan)
    out[calls] = (answer - start)[calls]
    out[calls & label_test(c["outcome"])("self_served")] = 0.0
    return out


@dataclass
class CustomerOutcomes:
    """Per-contact arrays (length of the contact table)."""

    contacting: np.ndarray  # bool: a contacting customer (see the module notes)
    response_s: np.ndarray
    expected_s: np.ndarray  # NaN where expectations are off or the contact is not a contacting customer
    disappointment: np.ndarray  # d ∈ [0, 1]; 0 where expectations are off
    p_churn: np.ndarray
    churned: np.ndarray  # bool
    told_good: np.ndarray  # expected people told a good story
    told_bad: np.ndarray


def customer_outcomes(scenario, spec, streams, c: pd.DataFrame, channels: list[str]) -> CustomerOutcomes:
    n = len(c)
    on = label_test(c["channel"])
    kinds = by_label(c["channel"], {ch.name: ch.kind for ch in scenario.channels.values()}, None, object)
    kind = c["kind"].astype(object).to_numpy() if "kind" in c else np.full(n, None, dtype=object)
    val = valence(c)
    ended = ~np.isnan(c["end_at_s"].to_numpy(float)) & final_attempt(c)
    contacting = ended & (kind != "praise")
    response = response_times(c, kinds)
    expected = np.full(n, np.nan)
    d = np.zeros(n)
    disc = spec.disconfirmation if spec.disconfirmation is not None else Disconfirmation(churn_late=0.0)
    if spec.expectations is not None and n:
        ids = c["customer_id"].to_numpy(np.int64).copy()
        if "caused_by" in c:  # a pile-on post is a new author: its own expectation
            pile = label_test(c["caused_by"])("pile_on")
            ids[pile] = c["contact_id"].to_numpy(np.int64)[pile]
        for name in channels:
            m = contacting & on(name)
            if m.any():
                exp = spec.expectations.for_channel(name, scenario.channels[name].kind)
                expected[m] = exp.draw(streams, name, ids[m])
        if spec.disconfirmation is not None:
            d[contacting] = disc.disappointment(response[contacting], expected[contacting])
    bad = (val == BAD).astype(float)
    p = np.zeros(n)
    churned = np.zeros(n, bool)
    if spec.churn is not None:
        p = np.where(contacting, disc.churn(bad, d, spec.churn.probability), 0.0)
        churned = contacting & spec.churn.leaves(streams, c["contact_id"].to_numpy(np.int64), p)
    good_n, bad_n = np.zeros(n), np.zeros(n)
    wom = spec.word_of_mouth
    if wom is not None:
        social = kinds == "social"
        b = np.where(ended, disc.bad_story(bad, d), 0.0)
        b = np.where(kind == "praise", 0.0, b)
        mult = wom.share * np.where(social, wom.social_multiplier, 1.0)
        bad_n = np.where(ended, mult * wom.told_bad * b, 0.0)
        good_n = np.where(ended & (val == GOOD), mult * wom.told_good * (1.0 - b), 0.0)
    return CustomerOutcomes(contacting, response, expected, d, p, churned, good_n, bad_n)
