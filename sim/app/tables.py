"""The one place the lessons read a run's record tables: ``contacts(res)`` and ``legs(res)``.

The lessons read columns of the contacts and legs tables (outcomes, waits, first replies, stages). If a column moves
(say into a table per kind of contact), only this module changes: it hands the lessons the flat tables they read.
"""
from __future__ import annotations

import pandas as pd


def contacts(res) -> pd.DataFrame:
    """One row per contact (calls and posts), the columns of docs/social.md and docs/funnel.md."""
    return res.contacts


def legs(res) -> pd.DataFrame:
    """One row per stage a contact went through (menus, queues, agents, messages)."""
    return res.legs


def summary(res, channel: str) -> pd.DataFrame:
    """The summary rows of one channel (``phone``, ``social``, ``reputation``, ``all``), indexed by metric."""
    s = res.summary
    return s[s["channel"].astype(str) == channel].set_index("metric")


def per_replication(res, metric: str, channel: str | None = None) -> pd.DataFrame:
    """Rows (replication, channel, value) of one metric of ``Results.replications`` (all channels, or one)."""
    r = res.replications
    r = r[r["metric"] == metric]
    if channel is not None:
        r = r[r["channel"].astype(str) == channel]
    return r[["replication", "channel", "value"]].assign(channel=lambda d: d["channel"].astype(str))
