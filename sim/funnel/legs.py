"""The funnel's ``legs`` table while a replication runs: one row of the record book's ``legs`` table per stage of a
call (``sim.core.records``), appended when the stage starts and closed in place when it ends.

Columns (``LEG_COLUMNS``, key ``contact_id, leg``): the stage (``STAGES``), its ``name`` (greeting, ivr, the menu, the
self-service leaf, the queue, the agent group), the IVR menu ``option`` the caller chose (menu stages that led on;
missing otherwise), queue, agent group and agent, start, end, the wrap-up after a service and the ``result`` (the
closed set ``RESULTS``).
"""
from __future__ import annotations

import math

from sim.core import Column

NAN = math.nan
STAGES = ("greeting", "menu", "self_service", "ivr", "queue", "overflow", "callback_queue", "diagnosis", "service")
# How a stage ended: greeting/ivr/menu ``next`` (a menu: on to the option chosen), ``hang_up``, ``zero_out``;
# self-service ``completed`` or ``failed``; a queue ``answered``, ``abandoned``, ``callback`` (took a callback) or
# ``overflow`` (other groups may take it from then on); diagnosis ``transfer``; service ``resolved`` or
# ``unresolved``; ``open``: still running at the horizon.
RESULTS = ("next", "hang_up", "zero_out", "completed", "failed", "answered", "abandoned", "callback", "overflow",
           "transfer", "resolved", "unresolved", "open")
LEG_COLUMNS = (
    Column("contact_id", "int64", "", "the call (contacts.contact_id)", key=True),
    Column("leg", "int64", "", "the stage's number within the call, from 0, in order of start", key=True),
    Column("stage", "category", "", "what the caller was doing", categories=STAGES),
    Column("name", "category", "", "the greeting, ivr, menu, self-service leaf, queue or agent group"),
    Column("option", "category", "", "the IVR menu option chosen (menu stages that led on)", sparse=True),
    Column("queue", "category", "", "the queue (queue, overflow, callback_queue, diagnosis and service stages)",
           sparse=True),
    Column("agent_group", "category", "", "the agent's group (diagnosis and service)", sparse=True),
    Column("agent_id", "int64", "", "the agent within the group; -1: no agent"),
    Column("start_at_s", "float64", "s since t=0", "the stage started"),
    Column("end_at_s", "float64", "s since t=0", "the stage ended; NaN: still running at the horizon", sparse=True),
    Column("wrap_up_s", "float64", "s", "after-call work after the call's last service (0 otherwise)"),
    Column("result", "category", "", "how the stage ended", categories=RESULTS),
)


class LegBook:
    """Appends a call's stages to the record book's ``legs`` table (``model.book["legs"]``)."""

    __slots__ = ("table", "row", "close", "wrap")

    def __init__(self, table):
        self.table = table
        # row(contact_id, leg, stage, name, option, queue, agent_group, agent_id, start, end, wrap_up, result): every
        # column of a row in one call (``Table.appender``; the legs are numbered in the records, so ``leg`` is 0 here)
        self.row = table.appender("contact_id", "leg", "stage", "name", "option", "queue", "agent_group",
                                  "agent_id", "start_at_s", "end_at_s", "wrap_up_s", "result")
        self.close = table.setter("end_at_s", "result")  # close(row, end, result): the stage ended
        self.wrap = table.setter("wrap_up_s")  # wrap(row, seconds): after-call work after the call's last service

    def add(self, cid: int, stage: str, name, queue, group, agent: int, start: float, end: float = NAN,
            result=None, option=None) -> int:
        return self.row(cid, 0, stage, name, option, queue, group, agent, start, end, 0.0, result)

    def __len__(self) -> int:
        return len(self.table)
