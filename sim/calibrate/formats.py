"""Which reader reads which log format: ``read_log`` dispatches on ``format`` (``FORMATS``) and merges the logs.

Its own module so that the readers (``sim.calibrate.technion``, ``sim.calibrate.generic_csv``) and what they share
(``sim.calibrate.logs``) import one way only.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.calibrate.generic_csv import read_csv_log
from sim.calibrate.logs import FORMATS, CallLog, ReadReport
from sim.calibrate.technion import read_technion
from sim.errors import InputError
from sim.outcomes import OUTCOME_DTYPE


def read_log(paths, format: str = "technion", strict: bool = False) -> CallLog:
    """Read one or more logs of one format (``technion`` or ``csv``) into a single ``CallLog``."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    if format not in FORMATS:
        raise InputError(f"log format: expected one of {', '.join(FORMATS)}, got {format!r}")
    if not paths:
        raise InputError("no log files given")
    reader = read_technion if format == "technion" else read_csv_log
    logs = [reader(p, strict=strict) for p in paths]
    report = ReadReport()
    for log in logs:
        report.merge(log.report)
    calls = pd.concat([log.calls for log in logs], ignore_index=True)
    calls["outcome"] = calls["outcome"].astype(OUTCOME_DTYPE)
    calls = calls.sort_values("arrival_at", kind="stable").reset_index(drop=True)
    return CallLog(calls, report, format)
