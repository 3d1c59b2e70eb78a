"""The generic contact-log CSV: one row per contact, any centre's ACD export can be mapped to it.

Columns (header row; comma-separated; plain or ``.gz``; date-times as ``YYYY-MM-DD HH:MM:SS`` with optional fraction):

- ``arrival_at`` (required)  when the contact arrived (entered the IVR; without an IVR, the queue);
- ``outcome``    (required)  one of ``sim.outcomes``: served, abandoned, abandoned_ivr, open, blocked, self_served, …;
- ``queue_at``   when it left the IVR for the agent queue (empty if it never did). Without this column the IVR time
  is unknown and contacts are taken to queue on arrival;
- ``answer_at``  when an agent answered (required for served);
- ``end_at``     when it ended: end of service, hang-up (required for served and abandoned);
- ``agent``, ``type``, ``priority`` (integer, default 0), ``customer_id``: optional. Other columns are ignored.

Malformed rows (a date-time that does not parse, an unknown outcome, a missing required time, times out of order,
a non-integer priority) are skipped and reported by line; ``strict=True`` raises ``InputError``.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibrate.logs import CALL_COLUMNS, CallLog, ReadReport, empty_calls, finish, read_table
from sim.outcomes import OUTCOMES

REQUIRED = ["arrival_at", "outcome"]
TIMES = ["arrival_at", "queue_at", "answer_at", "end_at"]
OPTIONAL = ["queue_at", "answer_at", "end_at", "agent", "type", "priority", "customer_id"]
WRITE_COLUMNS = ["arrival_at", "queue_at", "answer_at", "end_at", "outcome", "agent", "type", "priority", "customer_id"]


def _seconds(a: pd.Series, b: pd.Series) -> pd.Series:
    return (a - b).dt.total_seconds()


def read_csv_log(path: str | Path, strict: bool = False) -> CallLog:
    """Read one generic CSV log (see the module docstring for the columns)."""
    path = str(path)
    raw = read_table(path, ",", REQUIRED, "a contact-log CSV (columns arrival_at, outcome, and optionally "
                                          "queue_at, answer_at, end_at, agent, type, priority, customer_id)")
    report = ReadReport(files=[path], rows_read=len(raw))
    has_queue = "queue_at" in raw.columns
    for c in OPTIONAL:
        if c not in raw.columns:
            raw[c] = ""
    text = {c: raw[c].str.strip() for c in TIMES}
    times = {c: pd.to_datetime(text[c], format="ISO8601", errors="coerce").astype("datetime64[ns]") for c in TIMES}
    outcome = raw["outcome"].str.strip().str.lower()
    prio_text = raw["priority"].str.strip()
    prio = pd.to_numeric(prio_text.where(prio_text != "", "0"), errors="coerce")

    reasons = pd.Series("", index=raw.index, dtype=object)

    def flag(mask: pd.Series, why: str) -> None:
        reasons[mask & (reasons == "")] = why

    flag(times["arrival_at"].isna(), "arrival_at is not a date-time YYYY-MM-DD HH:MM:SS")
    for c in TIMES[1:]:
        flag((text[c] != "") & times[c].isna(), f"{c} is not a date-time YYYY-MM-DD HH:MM:SS")
    flag(~outcome.isin(OUTCOMES), f"unknown outcome (expected one of {', '.join(OUTCOMES)})")
    served, abandoned = outcome == "served", outcome == "abandoned"
    flag(served & (times["answer_at"].isna() | times["end_at"].isna()), "served without answer_at and end_at")
    flag(abandoned & times["end_at"].isna(), "abandoned without end_at")
    flag(prio.isna() | (prio != np.round(prio)), "priority is not a whole number")
    if not has_queue:
        times["queue_at"] = times["arrival_at"].where(served | abandoned)
    q, a, e, t0 = times["queue_at"], times["answer_at"], times["end_at"], times["arrival_at"]
    flag(_seconds(q, t0) < 0, "negative duration: queue_at before arrival_at")
    flag(_seconds(a, q.fillna(t0)) < 0, "negative duration: answer_at before queue_at")
    flag(_seconds(e, a) < 0, "negative duration: end_at before answer_at")
    flag(_seconds(e, q.fillna(t0)) < 0, "negative duration: end_at before queue_at")
    bad = reasons != ""
    report.malformed = [(path, int(i) + 2, reasons[i]) for i in raw.index[bad]]
    keep = ~bad
    if not keep.any():
        return CallLog(finish(empty_calls(), report, path, strict), report, "csv")

    q, a, e, t0 = (x[keep] for x in (q, a, e, t0))
    out = outcome[keep]
    served, abandoned, in_ivr = out == "served", out == "abandoned", out == "abandoned_ivr"
    ivr = _seconds(q, t0).where(q.notna(), _seconds(e, t0).where(in_ivr))
    if not has_queue:
        ivr = pd.Series(np.nan, index=ivr.index)
    wait = _seconds(a, q).where(served, _seconds(e, q).where(abandoned, 0.0))
    wait = wait.where(served | abandoned | in_ivr | q.isna() | a.notna() | e.notna(), np.nan)
    handle = _seconds(e, a).where(served, 0.0)
    handle = handle.where(served | abandoned | in_ivr | e.notna(), np.nan)
    calls = pd.DataFrame({
        "arrival_at": t0, "queue_at": q, "answer_at": a, "end_at": e,
        "ivr_s": ivr, "wait_s": wait, "handle_s": handle, "outcome": out,
        "agent": raw["agent"][keep].str.strip(), "type": raw["type"][keep].str.strip(),
        "priority": prio[keep].astype("int64"), "customer_id": raw["customer_id"][keep].str.strip(),
        "file": path, "line": raw.index[keep] + 2,
    })
    report.used.update(calls["outcome"].value_counts().to_dict())
    if not has_queue:
        report.notes["no queue_at column (IVR time unknown; queued on arrival)"] = int(len(calls))
    unnamed = served & (calls["agent"] == "")
    if unnamed.any():
        report.notes["served without an agent name"] = int(unnamed.sum())
    ignored = [c for c in raw.columns if c not in REQUIRED + OPTIONAL]
    if ignored:
        report.notes[f"columns ignored: {', '.join(ignored)}"] = int(len(calls))
    return CallLog(finish(calls[CALL_COLUMNS], report, path, strict), report, "csv")


def write_csv_log(calls: pd.DataFrame, path: str | Path) -> Path:
    """Write a normalised ``calls`` table (or ``contacts_to_calls`` output) in the generic CSV format."""
    path = Path(path)
    frame = calls.copy()
    for c in WRITE_COLUMNS:
        if c not in frame.columns:
            frame[c] = "" if c != "priority" else 0
    whole = all(((frame[c].dropna().astype("int64") % 1_000_000_000) == 0).all() for c in TIMES)
    fmt = "%Y-%m-%d %H:%M:%S" if whole else "%Y-%m-%d %H:%M:%S.%f"
    for c in TIMES:
        frame[c] = frame[c].dt.strftime(fmt).fillna("")
    frame["outcome"] = frame["outcome"].astype(str)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame[WRITE_COLUMNS].to_csv(path, index=False)
    return path


def contacts_to_calls(contacts: pd.DataFrame, start: str | pd.Timestamp, day_per_replication: bool = True,
                      channel: str | None = None) -> pd.DataFrame:
    """Simulated contacts (``Results.contacts``) as a calls table with date-times.

    Replication r is laid on day ``start + r days`` when ``day_per_replication`` (each replication of a one-day scenario
    becomes one day of the log). The queue entry is the answer (or end) time less the wait.
    """
    c = contacts if channel is None else contacts[contacts["channel"] == channel]
    base = pd.Timestamp(start)
    offset = c["replication"].astype(float) * 86400.0 if day_per_replication else 0.0

    def at(col: str) -> pd.Series:
        return base + pd.to_timedelta(c[col].astype(float) + offset, unit="s")

    outcome = c["outcome"].astype(str)
    served, abandoned = outcome == "served", outcome == "abandoned"
    arrival, answer, end = at("arrival_at_s"), at("answer_at_s"), at("end_at_s")
    queue_s = (c["answer_at_s"] - c["wait_s"]).where(served, (c["end_at_s"] - c["wait_s"]).where(abandoned))
    queue = base + pd.to_timedelta(queue_s.astype(float) + offset, unit="s")
    agent = c["agent_id"].astype(str) if "agent_id" in c.columns else ""
    if "agent_group" in c.columns:  # agent ids count within a group: name agents group:id
        agent = c["agent_group"].astype(str) + ":" + c["agent_id"].astype(str)
    return pd.DataFrame({
        "arrival_at": arrival, "queue_at": queue, "answer_at": answer.where(served),
        "end_at": end.where(served | abandoned | end.notna()), "outcome": outcome,
        "agent": pd.Series(agent, index=c.index).where(served, "").replace({"nan": "", "<NA>": "", "None": ""}),
        "type": c["channel"].astype(str) if "channel" in c.columns else "",
        "priority": c["priority"].fillna(0).astype("int64") if "priority" in c.columns else 0,
        "customer_id": c["customer_id"].astype(str) if "customer_id" in c.columns else "",
    }).reset_index(drop=True)
