"""Reader for the Technion "Anonymous Bank" call-by-call format (tab-separated, header row, plain or gzip).

Fields and quirks as published by the Technion SEE Lab (Guedj & Mandelbaum, documentation of February 2000) and as
measured on the 1999 files (see the data README; acknowledge Avi Mandelbaum and the Technion SEE Lab):

- ``0:00:00`` marks a stage that did not happen and cannot be told from midnight, so stages are decided from the
  durations: queued when ``q_time > 0``; the clock fields only place events in time.
- ``AGENT`` -> served; ``HANG`` after ``q_time > 0`` -> abandoned (in the queue); ``HANG`` with ``q_time = 0`` -> ended in
  the VRU (``abandoned_ivr``: the VRU also self-serves, the records cannot tell the two apart); ``PHANTOM`` -> dropped.
- ``NO_SERVER`` on a served call and the garbled ``NO_SERVERAMA`` -> agent unknown (kept, noted).
- Negative ``vru_time`` (two clocks out of step) -> IVR time unknown (kept, noted). Clock times earlier than the arrival
  by more than an hour belong to the next day (services running past midnight).
- Event times: arrival = ``vru_entry``; queue entry = ``q_start`` (or the service start / VRU exit when not queued);
  answer = queue entry + ``q_time``; end = answer + ``ser_time``, so each record is self-consistent although the
  clock fields disagree by a second or so in places.
- Malformed: a date or clock that does not parse, a non-integer or negative ``q_time``/``ser_time``, an unknown outcome,
  a non-integer priority.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibrate.logs import CallLog, ReadReport, empty_calls, finish, read_table

FIELDS = ["vru+line", "call_id", "customer_id", "priority", "type", "date", "vru_entry", "vru_exit", "vru_time",
          "q_start", "q_exit", "q_time", "outcome", "ser_start", "ser_exit", "ser_time", "server"]
CLOCKS = ["vru_entry", "vru_exit", "q_start", "q_exit", "ser_start", "ser_exit"]
KNOWN_TYPES = {"PS", "PE", "NW", "NE", "TT", "IN"}
NO_AGENT = {"NO_SERVER": "served with NO_SERVER (agent unknown)",
            "NO_SERVERAMA": "served with garbled agent name NO_SERVERAMA (agent unknown)"}
DAY = pd.Timedelta(days=1)


def _clock_seconds(s: pd.Series) -> pd.Series:
    """Seconds after midnight of ``H:MM:SS`` strings; NaN where the text is not a clock time."""
    parts = s.str.strip().str.extract(r"^(\d{1,2}):(\d{2}):(\d{2})$").astype(float)
    ok = (parts[0] < 24) & (parts[1] < 60) & (parts[2] < 60)
    return (parts[0] * 3600 + parts[1] * 60 + parts[2]).where(ok)


def _integers(s: pd.Series) -> pd.Series:
    x = pd.to_numeric(s.str.strip(), errors="coerce")
    return x.where(np.isfinite(x) & (x == np.round(x)))


def read_technion(path: str | Path, strict: bool = False) -> CallLog:
    """Read one Technion-format file. Malformed rows are skipped and reported (``strict``: ``InputError``)."""
    path = str(path)
    raw = read_table(path, "\t", FIELDS, "a Technion call log (tab-separated, header row with the 17 published fields)")
    report = ReadReport(files=[path], rows_read=len(raw))
    line = pd.Series(np.arange(len(raw)) + 2, index=raw.index)  # header is line 1

    date = pd.to_datetime(raw["date"].str.strip(), format="%y%m%d", errors="coerce")
    clocks = {c: _clock_seconds(raw[c]) for c in CLOCKS}
    vru_t, q_t, ser_t = (_integers(raw[c]) for c in ("vru_time", "q_time", "ser_time"))
    prio = _integers(raw["priority"])
    outcome = raw["outcome"].str.strip().str.upper()

    reasons = pd.Series("", index=raw.index, dtype=object)

    def flag(mask: pd.Series, why: str) -> None:
        new = mask & (reasons == "")
        reasons[new] = why

    flag(date.isna(), "date is not yymmdd")
    for c in CLOCKS:
        flag(clocks[c].isna(), f"{c} is not a clock time H:MM:SS")
    for name, values in (("vru_time", vru_t), ("q_time", q_t), ("ser_time", ser_t)):
        flag(values.isna(), f"{name} is not a whole number of seconds")
    flag(q_t < 0, "negative q_time")
    flag(ser_t < 0, "negative ser_time")
    flag(~outcome.isin(["AGENT", "HANG", "PHANTOM"]), "unknown outcome (expected AGENT, HANG or PHANTOM)")
    flag(prio.isna(), "priority is not a whole number")
    bad = reasons != ""
    report.malformed = [(path, int(line[i]), reasons[i]) for i in raw.index[bad]]

    phantom = ~bad & (outcome == "PHANTOM")
    if phantom.any():
        report.dropped["PHANTOM (system artefact)"] = int(phantom.sum())
    keep = ~bad & ~phantom
    if not keep.any():
        calls = empty_calls()
        return CallLog(finish(calls, report, path, strict), report, "technion")

    r = raw[keep]
    d, out = date[keep], outcome[keep]
    ck = {c: v[keep] for c, v in clocks.items()}
    vru, q, ser = vru_t[keep], q_t[keep], ser_t[keep]
    arrival = d + pd.to_timedelta(ck["vru_entry"], unit="s")

    def at(c: str) -> pd.Series:
        """The clock field as a datetime on the arrival's day, or the next day when more than an hour earlier."""
        t = d + pd.to_timedelta(ck[c], unit="s")
        return t.where(t >= arrival - pd.Timedelta(hours=1), t + DAY)

    served = out == "AGENT"
    queued = q > 0
    abandoned = (out == "HANG") & queued
    in_vru = (out == "HANG") & ~queued

    # Queue entry from its clock; answer and ends from the durations, so that every record is self-consistent
    # (answer - queue entry = q_time, end - answer = ser_time); the clocks disagree by a second or so in places.
    sec = lambda x: pd.to_timedelta(x, unit="s")
    ser_clock = at("ser_start").where(ser > 0, at("vru_exit"))
    queue_at = at("q_start").where(queued, ser_clock)
    queue_at = queue_at.where(queue_at >= arrival, arrival)
    answer = (queue_at + sec(q)).where(served)
    end = pd.Series(pd.NaT, index=r.index, dtype="datetime64[ns]")
    end[served] = answer[served] + sec(ser[served])
    end[abandoned] = queue_at[abandoned] + sec(q[abandoned])
    vru_exit = at("vru_exit")
    end[in_vru] = vru_exit.where(vru_exit >= arrival, arrival)[in_vru]
    queue_at = queue_at.where(~in_vru)

    server = r["server"].str.strip()
    agent = server.where(~server.isin(list(NO_AGENT)) & served, "")
    calls = pd.DataFrame({
        "arrival_at": arrival,
        "queue_at": queue_at,
        "answer_at": answer,
        "end_at": end,
        "ivr_s": vru.where(vru >= 0).astype(float),
        "wait_s": q.where(~in_vru, 0.0).astype(float),
        "handle_s": ser.where(served, 0.0).astype(float),
        "outcome": np.select([served, abandoned], ["served", "abandoned"], "abandoned_ivr"),
        "agent": agent,
        "type": r["type"].str.strip(),
        "priority": prio[keep].astype("int64"),
        "customer_id": r["customer_id"].str.strip(),
        "file": path,
        "line": line[keep],
    })
    report.used.update(calls["outcome"].value_counts().to_dict())

    notes = {
        "negative vru_time (IVR time unknown)": vru < 0,
        "HANG after a recorded service start (counted abandoned)": (out == "HANG") & (ser > 0),
        "served with ser_time = 0": served & (ser == 0),
        "service ran past midnight": served & (end.dt.normalize() > d),
        "type not among PS, PE, NW, NE, TT, IN (kept as given)": ~r["type"].str.strip().isin(KNOWN_TYPES),
    }
    for code, why in NO_AGENT.items():
        notes[why] = served & (server == code)
    for why, mask in notes.items():
        if int(mask.sum()):
            report.notes[why] = int(mask.sum())
    return CallLog(finish(calls, report, path, strict), report, "technion")
