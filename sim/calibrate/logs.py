"""Call-by-call contact logs, read into one normalised ``calls`` table.

Every reader returns a ``CallLog``: the ``calls`` DataFrame (one row per contact that was used) and a ``ReadReport``
that accounts for every row of every file — used, dropped as a known artefact, kept with a note, or malformed (with its
line number and the reason). Nothing is dropped silently.

``calls`` columns (datetimes are naive local clock times of the centre):

- ``arrival_at``  when the contact arrived (entered the IVR / VRU);
- ``queue_at``    when it left the IVR for the agents (NaT when it never did);
- ``answer_at``   when an agent answered (NaT unless served);
- ``end_at``      when it ended (service end, hang-up in queue or in the IVR; NaT when unknown, e.g. ``open``);
- ``ivr_s``       time in the IVR (NaN when unknown), ``wait_s`` time in the agent queue (0 when answered at once),
  ``handle_s``    talk time (0 unless served);
- ``outcome``     the closed set of ``sim.outcomes`` (served, abandoned, abandoned_ivr, …);
- ``agent`` (empty when not known), ``type`` (service type), ``priority`` (integer class), ``customer_id``;
- ``file``, ``line``: where the row came from.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.errors import InputError
from sim.outcomes import OUTCOME_DTYPE

CALL_COLUMNS = ["arrival_at", "queue_at", "answer_at", "end_at", "ivr_s", "wait_s", "handle_s", "outcome", "agent",
                "type", "priority", "customer_id", "file", "line"]
FORMATS = ("technion", "csv")
SHOW_MALFORMED = 20  # malformed rows listed by line in the printed report (all are in the CSV report)


@dataclass
class ReadReport:
    """What happened to each row. ``kinds`` counts rows by kind; ``malformed`` lists skipped rows by file and line."""

    files: list[str] = field(default_factory=list)
    rows_read: int = 0
    used: Counter = field(default_factory=Counter)      # by outcome
    dropped: Counter = field(default_factory=Counter)   # known artefacts removed by rule (e.g. PHANTOM)
    notes: Counter = field(default_factory=Counter)     # rows used with a caveat (e.g. IVR time unknown)
    malformed: list[tuple[str, int, str]] = field(default_factory=list)  # (file, line, reason)

    @property
    def rows_used(self) -> int:
        return sum(self.used.values())

    def malformed_table(self) -> pd.DataFrame:
        return pd.DataFrame(self.malformed, columns=["file", "line", "reason"])

    def merge(self, other: ReadReport) -> None:
        self.files += other.files
        self.rows_read += other.rows_read
        self.used.update(other.used)
        self.dropped.update(other.dropped)
        self.notes.update(other.notes)
        self.malformed += other.malformed

    def text(self) -> str:
        """The report as plain lines, for the terminal and the fit folder."""
        lines = [f"read {self.rows_read:,} rows from {len(self.files)} file(s): {', '.join(self.files)}",
                 f"used {self.rows_used:,}: " + _counts(self.used)]
        if self.dropped:
            lines.append(f"dropped {sum(self.dropped.values()):,} by rule: " + _counts(self.dropped))
        if self.notes:
            lines.append("used with a note: " + _counts(self.notes))
        lines.append(f"malformed (skipped) {len(self.malformed):,}" + (":" if self.malformed else ""))
        by_reason = Counter(r for _, _, r in self.malformed)
        for reason, n in by_reason.most_common():
            where = [f"{Path(f).name}:{ln}" for f, ln, r in self.malformed if r == reason][:SHOW_MALFORMED]
            more = f" (+{n - len(where)} more)" if n > len(where) else ""
            lines.append(f"  {n:,} x {reason}: lines {', '.join(where)}{more}")
        return "\n".join(lines)


def _counts(c: Counter) -> str:
    return ", ".join(f"{k} {v:,}" for k, v in sorted(c.items(), key=lambda kv: -kv[1]))


@dataclass
class CallLog:
    """A read contact log: the normalised ``calls`` table and the report of how every row was used."""

    calls: pd.DataFrame
    report: ReadReport
    format: str


def empty_calls() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="datetime64[ns]") for c in ("arrival_at", "queue_at", "answer_at", "end_at")})
    for c in ("ivr_s", "wait_s", "handle_s"):
        frame[c] = pd.Series(dtype=float)
    frame["outcome"] = pd.Series(dtype=OUTCOME_DTYPE)
    for c in ("agent", "type", "file"):
        frame[c] = pd.Series(dtype=object)
    frame["priority"] = pd.Series(dtype="int64")
    frame["customer_id"] = pd.Series(dtype=object)
    frame["line"] = pd.Series(dtype="int64")
    return frame[CALL_COLUMNS]


def finish(calls: pd.DataFrame, report: ReadReport, path: str, strict: bool) -> pd.DataFrame:
    """Common end of every reader: strict mode, empty-file check, column order and types."""
    if strict and report.malformed:
        shown = "\n".join(f"{path}: line {ln}: {r}" for _, ln, r in report.malformed[:SHOW_MALFORMED])
        more = len(report.malformed) - SHOW_MALFORMED
        raise InputError(f"{path}: {len(report.malformed)} malformed row(s) (strict mode)\n{shown}"
                         + (f"\n{path}: … and {more} more" if more > 0 else ""))
    if calls.empty:
        raise InputError(f"{path}: no usable rows ({report.rows_read} rows read, {len(report.malformed)} malformed, "
                         f"{sum(report.dropped.values())} dropped by rule)")
    calls = calls.copy()
    for c in ("arrival_at", "queue_at", "answer_at", "end_at"):
        calls[c] = calls[c].astype("datetime64[ns]")
    calls["outcome"] = calls["outcome"].astype(OUTCOME_DTYPE)
    calls["priority"] = calls["priority"].astype("int64")
    calls["line"] = calls["line"].astype("int64")
    return calls[CALL_COLUMNS].reset_index(drop=True)


def read_table(path: str | Path, sep: str, required: list[str], what: str) -> pd.DataFrame:
    """A delimited text file (plain or .gz) as strings, or an ``InputError`` naming the file and what is wrong."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: not a readable file (expected {what})")
    try:
        frame = pd.read_csv(p, sep=sep, dtype=str, keep_default_na=False, compression="infer")
    except (OSError, EOFError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"{p}: cannot be read as {what} ({type(exc).__name__}: {exc})".strip()) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InputError(f"{p}: expected {what} with columns {', '.join(required)}; missing {', '.join(missing)} "
                         f"(found {', '.join(frame.columns[:20]) or 'no columns'})")
    return frame


def shipped_march_1999() -> Path:
    """The shipped Anonymous Bank log of March 1999 (Technion SEE Lab; acknowledge Avi Mandelbaum and the lab)."""
    return shipped_month(3)


def shipped_month(month: int) -> Path:
    """A shipped Anonymous Bank month of 1999 (March and September; Technion SEE Lab, acknowledge Avi Mandelbaum
    and the lab). The other months are read from a folder: ``contactsim backtest --rolling --data DIR``."""
    from importlib import resources

    path = Path(str(resources.files("sim") / "data" / f"anonymous_bank_1999_{month:02d}.txt.gz"))
    if not path.is_file():
        raise InputError(f"{path}: month {month} of 1999 is not shipped (March and September are); "
                         "pass the records' folder with --data DIR")
    return path
