"""Contact columns of messaging threads (``sim.social.messaging``), added to the post rows of ``sim.social.records``.

- ``resolution``: ``confirmed`` (the customer confirmed after the resolving reply), ``unconfirmed`` (went quiet after
  it: resolved, unconfirmed), null otherwise (unresolved, silent, ignored, open).
- ``wasted_replies``, ``wasted_work_s``: replies written after the customer had left silently, and their work.
- ``silent_at_s``: when the customer left silently (their reply patience ran out), null otherwise.
- ``customer_messages``: messages the customer sent (the post included; a confirmation not counted).

Legs: a wasted reply's ``message`` leg has result ``wasted``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from sim.social.records import extend_columns

RESOLUTIONS = ("confirmed", "unconfirmed")


def add_messaging_columns(conv, out: dict) -> None:
    posts = conv.posts
    n = len(posts)
    base = out["contacts"]
    n_all = len(base["contact_id"])
    rows = {k: v[:n_all - n] for k, v in base.items()}
    code = {r: i for i, r in enumerate(RESOLUTIONS)}
    extra = {
        "resolution": pd.Categorical.from_codes([code.get(p.resolution, -1) for p in posts],
                                                categories=list(RESOLUTIONS)),
        "wasted_replies": pd.array(np.array([p.wasted for p in posts], dtype=np.int64), dtype="Int64"),
        "wasted_work_s": np.array([p.wasted_s for p in posts], float),
        "silent_at_s": np.array([p.gone_at for p in posts], float),
        "customer_messages": pd.array(np.array([max(p.sent, 1) for p in posts], dtype=np.int64), dtype="Int64"),
    }
    posted = {k: (v[n_all - n:]) for k, v in base.items()}
    merged = extend_columns(rows, {**posted, **extra}, n_all - n, n)
    out["contacts"] = merged
    legs = out.get("legs")
    if legs is not None and conv.wasted_legs and len(legs):
        key = list(zip(legs["contact_id"].tolist(), legs["leg"].tolist()))
        hit = np.array([k in conv.wasted_legs for k in key], bool)
        legs.loc[hit & (legs["stage"] == "message").to_numpy(), "result"] = "wasted"

