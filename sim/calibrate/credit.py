"""Priority credit from the records: how many seconds of waiting-time head start class 2 gets over class 1.

Under a head-start discipline (one line ordered by queue entry minus the class's credit d; ``sim.core.Queue``) an
agent who answers call x while call y of the other class is still waiting (y joined before x's answer, is answered
after it) chose the smaller key: entry_x − d_x ≤ entry_y − d_y. With d_1 = 0 and d_2 = d, each such pair bounds d:
a class-2 call answered first gives d ≥ entry_x − entry_y, a class-1 call answered first gives d ≤ entry_y − entry_x.
The estimate is the interval of d that violates the fewest bounds (every bound holds in records of that discipline,
so the interval then brackets the true credit exactly; in real records with several agent groups some bounds break)
and its midpoint. Class 0 counts as class 1 (it marks unidentified callers; ``sim.calibrate.rolling``).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class CreditFit:
    credit_s: float      # midpoint of the best interval
    low_s: float         # the interval of credits violating the fewest ordering bounds
    high_s: float
    pairs: int           # ordering bounds used
    violated: int        # bounds the best interval still breaks

    def note(self) -> str:
        return (f"priority credit {self.credit_s:.0f} s (bracket {self.low_s:.0f}–{self.high_s:.0f} s; "
                f"{self.violated} of {self.pairs} ordering bounds broken)")


def credit_bounds(entry: np.ndarray, answer: np.ndarray, left: np.ndarray, cls: np.ndarray, max_ahead: int = 50
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds on class 2's credit from every answered call and the other class's callers waiting
    at its answer (at most ``max_ahead`` of them, the latest joined). Times in seconds: ``answer`` NaN when not
    answered, ``left`` the time the caller left the queue (answered or hung up)."""
    entry, answer, left, cls = (np.asarray(a, float) for a in (entry, answer, left, cls))
    answered = np.flatnonzero(np.isfinite(answer))
    order = np.argsort(entry, kind="stable")
    e_sorted = entry[order]
    lows, highs = [], []
    for x in answered:
        t = answer[x]
        upto = np.searchsorted(e_sorted, t, side="right")  # joined by the answer
        cand = order[:upto]
        cand = cand[(cls[cand] != cls[x]) & (left[cand] > t)]  # still waiting at t
        if len(cand) > max_ahead:
            cand = cand[-max_ahead:]
        diff = entry[x] - entry[cand]
        if cls[x] == 2:
            lows.append(diff)          # d ≥ entry_x − entry_y
        else:
            highs.append(-diff)        # d ≤ entry_y − entry_x
    cat = lambda xs: np.concatenate(xs) if xs else np.empty(0)  # noqa: E731
    return cat(lows), cat(highs)


def fit_credit(entry, answer, left, cls) -> CreditFit:
    """The credit interval violating the fewest bounds (``credit_bounds``), searched over [0, 1 h]."""
    lows, highs = credit_bounds(entry, answer, left, cls)
    lows, highs = lows[lows > -3600.0], highs[highs < 3600.0]
    cand = np.unique(np.concatenate([[0.0], np.clip(lows, 0, 3600), np.clip(highs, 0, 3600), [3600.0]]))
    mids = np.concatenate([cand, (cand[:-1] + cand[1:]) / 2])
    mids.sort()
    ls, hs = np.sort(lows), np.sort(highs)
    bad = (len(ls) - np.searchsorted(ls, mids, side="right")) + np.searchsorted(hs, mids, side="left")
    best = np.flatnonzero(bad == bad.min())
    lo, hi = float(mids[best[0]]), float(mids[best[-1]])
    return CreditFit((lo + hi) / 2, lo, hi, int(len(lows) + len(highs)), int(bad.min()))


def credit_from_calls(calls: pd.DataFrame) -> CreditFit:
    """From a call log (``queue_at``, ``answer_at``, ``end_at``, ``priority``; one queue): the calls that reached
    the agent queue."""
    q = calls[calls["queue_at"].notna()]
    t0 = q["queue_at"].min()
    secs = lambda col: (q[col] - t0).dt.total_seconds().to_numpy()  # noqa: E731
    answer = secs("answer_at")
    left = np.where(np.isfinite(answer), answer, secs("end_at"))
    cls = np.where(q["priority"].to_numpy() == 2, 2, 1)
    return fit_credit(secs("queue_at"), answer, left, cls)


def credit_from_contacts(contacts: pd.DataFrame) -> CreditFit:
    """From simulated records (``sim.run(...).contacts`` of one replication and queue)."""
    answer = contacts["answer_at_s"].to_numpy(float)
    left = np.where(np.isfinite(answer), answer, contacts["end_at_s"].to_numpy(float))
    cls = np.where(contacts["priority"].to_numpy() == 2, 2, 1)
    return fit_credit(contacts["arrival_at_s"].to_numpy(float) + contacts["ivr_s"].to_numpy(float), answer, left, cls)
