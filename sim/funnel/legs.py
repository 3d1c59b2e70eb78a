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


STAGE = {s: i for i, s in enumerate(STAGES)}  # the codes of the closed sets (their order)
RESULT = {r: i for i, r in enumerate(RESULTS)}


class LegBook:
    """The stages of a replication's calls while it runs, for every phone funnel of the model: a list per column
    (``stage`` and ``result`` as codes of ``STAGE``/``RESULT``; the names coded by the ``legs`` table's coders as
    they are written, so the table sees the same labels), numbered from 0 (``put``), closed in place (``end[i]``,
    ``result[i]``). The IVR's stages (``put_ivr``: complete when written, never closed) go to two flat lists of their
    own, seven values a stage, for a cheap hot path. ``flush`` hands every stage to the record book's ``legs`` table
    at the end as arrays, the IVR's first: a call's IVR stages start before its other stages, so the order of a
    call's stages is the order they were written in (the legs of a call are numbered in the records,
    ``sim.funnel.records``)."""

    __slots__ = ("table", "cid", "stage", "name", "option", "queue", "group", "agent", "start", "end", "wrap",
                 "result", "ivr_codes", "ivr_times", "put", "put_ivr")

    def __init__(self, table):
        self.table = table
        self.cid: list[int] = []
        self.stage: list[int] = []
        self.name: list[int] = []
        self.option: list[int] = []
        self.queue: list[int] = []
        self.group: list[int] = []
        self.agent: list[int] = []
        self.start: list[float] = []
        self.end: list[float] = []
        self.wrap: list[float] = []
        self.result: list[int] = []
        a = [x.append for x in (self.cid, self.stage, self.name, self.option, self.queue, self.group, self.agent,
                                self.start, self.end, self.wrap, self.result)]
        acid, astage, aname, aoption, aqueue, agroup, aagent, astart, aend, awrap, aresult = a
        nc, oc, qc, gc = (table.coder(c) for c in ("name", "option", "queue", "agent_group"))
        rows = self.cid

        def put(cid: int, stage: int, name, option, queue, group, agent: int, start: float, end: float,
                result: int) -> int:
            """Append a stage (``stage``, ``result``: codes; the others labels or None); its row number."""
            i = len(rows)
            acid(cid)
            astage(stage)
            aname(nc(name))
            aoption(oc(option))
            aqueue(qc(queue))
            agroup(gc(group))
            aagent(agent)
            astart(start)
            aend(end)
            awrap(0.0)
            aresult(result)
            return i

        self.ivr_codes: list[int] = []  # per IVR stage: contact_id, stage, name, option, result
        self.ivr_times: list[float] = []  # per IVR stage: start, end
        codes, times = self.ivr_codes.extend, self.ivr_times.extend

        def put_ivr(cid: int, stage: int, name, option, start: float, end: float, result: int) -> None:
            """Append a stage of the IVR (no queue, group or agent; complete)."""
            codes((cid, stage, nc(name), oc(option), result))
            times((start, end))

        self.put, self.put_ivr = put, put_ivr

    def add(self, cid: int, stage: str, name, queue, group, agent: int, start: float, end: float = NAN,
            result=None, option=None) -> int:
        return self.put(cid, STAGE[stage], name, option, queue, group, agent, start, end, RESULT.get(result, -1))

    def row(self, cid: int, leg: int, stage: str, name, option, queue, group, agent: int, start: float, end: float,
            wrap: float, result) -> int:
        """Every column of a row in one call (``leg`` is numbered in the records: 0)."""
        i = self.put(cid, STAGE[stage], name, option, queue, group, agent, start, end, RESULT.get(result, -1))
        self.wrap[i] = wrap
        return i

    def close(self, i: int, end: float, result: str) -> None:
        self.end[i] = end
        self.result[i] = RESULT[result]

    def flush(self) -> None:
        """Append the stages to the record book's ``legs`` table as arrays in its dtypes (category columns: their
        codes), the IVR's stages first."""
        codes = np.array(self.ivr_codes, dtype=np.int64).reshape(-1, 5)
        times = np.array(self.ivr_times, dtype=float).reshape(-1, 2)
        k, n = len(codes), len(self.cid)
        none = np.full(k, -1, dtype=np.int64)
        ints = lambda ivr, col: np.concatenate([ivr, np.array(col, dtype=np.int64).reshape(n)])  # noqa: E731
        floats = lambda ivr, col: np.concatenate([ivr, np.array(col, dtype=float).reshape(n)])  # noqa: E731
        self.table.extend_arrays(
            k + n, contact_id=ints(codes[:, 0], self.cid), leg=np.zeros(k + n, dtype=np.int64),
            stage=ints(codes[:, 1], self.stage), name=ints(codes[:, 2], self.name),
            option=ints(codes[:, 3], self.option), queue=ints(none, self.queue), agent_group=ints(none, self.group),
            agent_id=ints(none, self.agent), start_at_s=floats(times[:, 0], self.start),
            end_at_s=floats(times[:, 1], self.end), wrap_up_s=floats(np.zeros(k), self.wrap),
            result=ints(codes[:, 4], self.result))

    def __len__(self) -> int:
        return len(self.cid) + len(self.ivr_times) // 2
