"""The one place the lessons read a run's record tables: ``contacts(res)`` and ``legs(res)``.

The lessons read columns of the contacts and legs tables (outcomes, waits, first replies, stages). If a column moves
(say into a table per kind of contact), only this module changes: it hands the lessons the flat tables they read.
"""
from __future__ import annotations

import pandas as pd


def contacts(res) -> pd.DataFrame:
    """One row per contact (calls and posts), the columns of docs/social.md and docs/funnel.md: the contacts with
    their kind's columns joined (``Results.contact_view``)."""
    return res.contact_view()


def legs(res) -> pd.DataFrame | None:
    """One row per stage a contact went through: the funnel's legs (menus, queues, agents) and the conversations'
    messages (``Results.legs`` and ``Results.messages``, key replication, contact_id, leg); None when neither ran."""
    parts = [t for t in (res.legs, res.messages) if t is not None]
    if len(parts) < 2:
        return parts[0] if parts else None
    out = pd.concat(parts, ignore_index=True)
    for name in set(parts[0].columns) & set(parts[1].columns):  # a category in both (stage, queue, …) stays one
        if all(isinstance(t[name].dtype, pd.CategoricalDtype) for t in parts):
            out[name] = pd.api.types.union_categoricals([t[name] for t in parts], sort_categories=True,
                                                        ignore_order=True)
    return out


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


def horizons(res, contacts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rows (replication, channel, metric, value) of the resolution horizons alone (``sim.horizons``: resolved by the
    end of the day, within 24 h and 72 h, deflected questions resolved at once), without the run's other metrics.
    ``contacts``: the run's ``contacts(res)`` when the caller already has it."""
    from sim.horizons import horizon_metrics

    return horizon_metrics(contacts if contacts is not None else res.contact_view(), res.provenance["clock"],
                           res.deflections)
