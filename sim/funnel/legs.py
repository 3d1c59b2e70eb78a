"""The funnel's ``legs`` table while a replication runs: one row of the record book's ``legs`` table per stage of a
call (``sim.core.records``), appended when the stage starts and closed in place when it ends.

Columns (``LEG_COLUMNS``, key ``contact_id, leg``): the stage (``STAGES``), its ``name`` (greeting, ivr, the menu, the
self-service leaf, the queue, the agent group), the IVR menu ``option`` the caller chose (menu stages that led on;
missing otherwise), queue, agent group and agent, start, end, the wrap-up after a service and the ``result`` (the
closed set ``RESULTS``).
"""
from __future__ import annotations

import math

import numpy as np

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


# A stage while the run goes: [contact_id, stage, name, option, queue, agent_group, agent_id, start, end, wrap_up,
# result] (a list while it may still change, a tuple once it is closed); END, WRAP and RESULT index it.
END, WRAP, RESULT = 8, 9, 10
FIELDS = ("contact_id", "stage", "name", "option", "queue", "agent_group", "agent_id", "start_at_s", "end_at_s",
          "wrap_up_s", "result")


class LegBook:
    """The stages of a replication's calls while it runs, for every phone funnel of the model: ``rows`` in order of
    start (appended as they start; ``add`` returns a stage, closed in place with ``close``), written to the record
    book's ``legs`` table at the end (``flush``; the legs are numbered in the records, ``sim.funnel.records``)."""

    __slots__ = ("table", "rows")

    def __init__(self, table):
        self.table = table
        self.rows: list = []

    def add(self, cid: int, stage: str, name, queue, group, agent: int, start: float, end: float = NAN,
            result=None, option=None) -> list:
        leg = [cid, stage, name, option, queue, group, agent, start, end, 0.0, result]
        self.rows.append(leg)
        return leg

    def row(self, cid: int, leg: int, stage: str, name, option, queue, group, agent: int, start: float, end: float,
            wrap: float, result) -> None:
        """A stage closed already, every column in one call (``leg`` is numbered in the records: 0)."""
        self.rows.append((cid, stage, name, option, queue, group, agent, start, end, wrap, result))

    @staticmethod
    def close(leg: list, end: float, result: str) -> None:
        leg[END] = end
        leg[RESULT] = result

    def columns(self) -> dict[str, tuple]:
        """The stages so far, column by column (``FIELDS``)."""
        rows = self.rows
        return dict(zip(FIELDS, zip(*rows))) if rows else {f: () for f in FIELDS}

    def flush(self, cols: dict[str, tuple]) -> None:
        """Append the stages (``columns``) to the record book's ``legs`` table."""
        t, n = self.table, len(self.rows)
        out: dict[str, np.ndarray] = {"leg": np.zeros(n, np.int64)}
        for f, v in cols.items():
            c = t.columns[f]
            if c.dtype == "category":
                code = t.coder(f)
                codes = {label: code(label) for label in dict.fromkeys(v)}  # each label coded once, as seen
                out[f] = np.fromiter(map(codes.__getitem__, v), np.int64, n)
            else:
                out[f] = np.array(v, dtype=c.dtype).reshape(n)
        t.extend_arrays(n, **out)
        self.rows = []

    def __len__(self) -> int:
        return len(self.rows)
