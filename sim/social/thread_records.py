"""Columns of messaging threads (``sim.social.messaging``) in the ``social_threads`` table of ``sim.social.records``.

- ``resolution``: ``confirmed`` (the customer confirmed after the resolving reply), ``unconfirmed`` (went quiet after
  it: resolved, unconfirmed), NA otherwise (unresolved, silent, ignored, open).
- ``wasted_replies``, ``wasted_work_s``: replies written after the customer had left silently, and their work.
- ``silent_at_s``: when the customer left silently (their reply patience ran out), NaN otherwise.
- ``customer_messages``: messages the customer sent (the post included; a confirmation not counted).

Only messaging threads have these columns: with ``mode = "session"`` the feature takes them out of the table
(``sim.extensions``). ``sim.social.records.ThreadBook`` writes them as the run goes.

Messages: a wasted reply's ``message`` row has result ``wasted``.
"""
from __future__ import annotations

from sim.core import Column

RESOLUTIONS = ("confirmed", "unconfirmed")
MESSAGING_COLUMNS = (
    Column("resolution", "category", "", "confirmed or unconfirmed (resolved threads); NA otherwise",
           categories=RESOLUTIONS, sparse=True),
    Column("wasted_replies", "int64", "count", "replies written after the customer had left silently"),
    Column("wasted_work_s", "float64", "s", "agent work on those replies"),
    Column("silent_at_s", "float64", "s since t=0", "the customer left silently; NaN: did not", sparse=True),
    Column("customer_messages", "int64", "count", "messages the customer sent, the post included"),
)

