"""Columns of messaging threads (``sim.social.messaging``) in the ``social_threads`` table of ``sim.social.records``.

- ``resolution``: ``confirmed`` (the customer confirmed after the resolving reply), ``unconfirmed`` (went quiet after
  it: resolved, unconfirmed), NA otherwise (unresolved, silent, ignored, open).
- ``wasted_replies``, ``wasted_work_s``: replies written after the customer had left silently, and their work.
- ``silent_at_s``: when the customer left silently (their reply patience ran out), NaN otherwise.
- ``customer_messages``: messages the customer sent (the post included; a confirmation not counted).

Only messaging threads have these columns: with ``mode = "session"`` the feature takes them out of the table
(``sim.extensions``).

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


def add_messaging_columns(conv, book) -> None:
    """The messaging columns of the threads just appended to ``social_threads``; wasted replies marked in
    ``messages``."""
    posts = conv.posts
    threads = book["social_threads"]
    start = len(threads) - len(posts)
    threads.put("resolution", [p.resolution for p in posts], start)
    threads.put("wasted_replies", [p.wasted for p in posts], start)
    threads.put("wasted_work_s", [p.wasted_s for p in posts], start)
    threads.put("silent_at_s", [p.gone_at for p in posts], start)
    threads.put("customer_messages", [max(p.sent, 1) for p in posts], start)
    if conv.wasted_legs:
        msgs = book["messages"]
        wasted = msgs.code("result", "wasted")
        message = msgs.code("stage", "message")
        stage, result = msgs.data["stage"], msgs.data["result"]
        for i, key in enumerate(zip(msgs.data["contact_id"], msgs.data["leg"])):
            if stage[i] == message and key in conv.wasted_legs:
                result[i] = wasted
