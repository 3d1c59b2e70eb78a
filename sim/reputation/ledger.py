"""What each impression is worth: sentiment weights per thread state, and the value of a reply by its delay.

A public thread is in one state at a time and every impression it earns is booked to that state:

- ``unanswered_complaint`` (default −1) and ``unanswered_question`` (−0.25): before the brand's first public reply.
  88% of consumers are less likely to buy after seeing unanswered complaints (Conversocial; domain notes §4); the
  sizes are **[assumed]**.
- answered: ``reply`` × the reply's relative value (the value of a reply after that delay / the value of the fastest),
  from the first public reply until the thread is resolved in public. Default ``reply`` = 0.5 **[assumed]**.
- ``resolved`` (+1 **[assumed]**): the conversation ended resolved in public (not after moving to private messages).
- ``praise`` (+1 **[assumed]**): a praise post, in every state.

The value of a reply falls with its delay, following the willingness-to-pay gradient of the Twitter / Applied
Marketing Science study (2016; domain notes §4): an airline reply within 6 minutes adds $20 to what the customer is
willing to pay, one after more than 60 minutes adds $2.33. ``reply_value`` is a table of (delay, money) knots;
between knots the value is linear in log(delay) **[assumed interpolation]**, flat outside them. The money values
also give the ledger's money equivalent (the replies' willingness to pay).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

POST_STATES = ("unanswered_complaint", "unanswered_question", "answered", "resolved", "praise")
REPLY_VALUE = ((6 * 60.0, 20.0), (60 * 60.0, 2.33))  # Twitter / Applied Marketing Science 2016 (airline replies)


@dataclass(frozen=True)
class ReplyValue:
    """Money a reply adds to the customer's willingness to pay, by the reply's delay (see the module notes)."""

    knots: tuple[tuple[float, float], ...] = REPLY_VALUE

    def value(self, delay_s):
        d = np.asarray(delay_s, dtype=float)
        xs = np.log([max(k[0], 1e-9) for k in self.knots])
        ys = np.array([k[1] for k in self.knots])
        out = np.interp(np.log(np.maximum(d, 1e-9)), xs, ys)
        return np.where(np.isnan(d), np.nan, out)

    @property
    def best(self) -> float:
        return max(k[1] for k in self.knots)

    def relative(self, delay_s):
        """value(delay) / the best value: 1 for the fastest replies, falling with the delay."""
        best = self.best
        return self.value(delay_s) / best if best > 0 else np.zeros_like(np.asarray(delay_s, dtype=float))


@dataclass(frozen=True)
class Sentiment:
    """Sentiment weight per impression by thread state (see the module notes; all **[assumed]** in size)."""

    unanswered_complaint: float = -1.0
    unanswered_question: float = -0.25
    reply: float = 0.5
    resolved: float = 1.0
    praise: float = 1.0
    reply_value: ReplyValue = ReplyValue()

    def answered_weight(self, delay_s):
        """Weight of an answered thread's impressions when the first public reply came ``delay_s`` after the post."""
        return self.reply * self.reply_value.relative(delay_s)


def thread_segments(kind: np.ndarray, arrival: np.ndarray, reply_at: np.ndarray, resolved_at: np.ndarray,
                    horizon: float, sentiment: Sentiment) -> dict[str, np.ndarray]:
    """The state segments of public threads as flat arrays: ``row`` (index of the thread), ``state`` (index into
    ``POST_STATES``), ``start``, ``end`` (clock times, end ≤ horizon) and ``weight`` (sentiment per impression).

    ``reply_at``: first public reply (NaN: none by the horizon); ``resolved_at``: resolved in public (NaN: not)."""
    n = len(kind)
    idx = np.arange(n)
    inf = math.inf
    reply = np.where(np.isnan(reply_at), inf, reply_at)
    res = np.where(np.isnan(resolved_at), inf, np.maximum(resolved_at, reply))
    praise = kind == "praise"
    question = kind == "question"
    first_state = np.where(praise, POST_STATES.index("praise"),
                           np.where(question, POST_STATES.index("unanswered_question"),
                                    POST_STATES.index("unanswered_complaint")))
    first_w = np.where(praise, sentiment.praise,
                       np.where(question, sentiment.unanswered_question, sentiment.unanswered_complaint))
    first_end = np.where(praise, inf, reply)
    ans_w = sentiment.answered_weight(np.where(np.isinf(reply), np.nan, reply - arrival))
    rows = [idx, idx[~praise], idx[~praise]]
    states = [first_state, np.full((~praise).sum(), POST_STATES.index("answered")),
              np.full((~praise).sum(), POST_STATES.index("resolved"))]
    starts = [arrival, reply[~praise], res[~praise]]
    ends = [first_end, res[~praise], np.full((~praise).sum(), inf)]
    weights = [first_w, np.nan_to_num(ans_w[~praise]), np.full((~praise).sum(), sentiment.resolved)]
    out = {"row": np.concatenate(rows), "state": np.concatenate(states).astype(np.int64),
           "start": np.concatenate(starts).astype(float), "end": np.concatenate(ends).astype(float),
           "weight": np.concatenate(weights).astype(float)}
    out["end"] = np.minimum(out["end"], horizon)
    keep = out["start"] < out["end"]
    return {k: v[keep] for k, v in out.items()}
