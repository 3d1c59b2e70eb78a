"""Reading a planner's CSV (forecast, schedule, empirical durations) the way spreadsheets write it.

UTF-8 with or without a byte-order mark (Excel's "CSV UTF-8") is read as is; any other encoding is refused with the
line of the first bad byte, unless the scenario names it (``encoding = "cp1252"``). Rows keep their line numbers, so
every later message can say "line 12 of forecast.csv".
"""
from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path

from sim.validate import Checker


def say(chk: Checker, key: str, expected: str, found: str) -> None:
    """Record a problem whose finding is a description ("'x' on line 3 of f.csv"), shown without quotes."""
    chk.add(key, expected, text=found)


MAX_BYTES = 64 * 2**20  # a CSV above 64 MiB is refused (a year of 15-minute rows is about 1 MiB)


@dataclass
class CsvTable:
    name: str                          # as written in the scenario (used in messages)
    header: list[str]                  # column names, surrounding spaces removed
    rows: list[tuple[int, list[str]]]  # (line number, cells) of every non-blank data row

    def column(self, name: str) -> int | None:
        return self.header.index(name) if name in self.header else None


def read_csv(base_dir: Path, name: str, where: str, chk: Checker, encoding: str | None = None) -> CsvTable | None:
    """The CSV ``name`` (relative to the scenario), or None after recording one problem at ``where``."""
    file = base_dir / name
    try:
        with open(file, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        say(chk, where, "a readable CSV file", f"{name} ({exc.strerror})")
        return None
    if len(data) > MAX_BYTES:
        say(chk, where, f"a CSV file of at most {MAX_BYTES // 2**20} MiB", f"{name}, larger")
        return None
    enc = encoding or "utf-8"
    try:
        codecs.lookup(enc)
    except LookupError:
        chk.add(where.rsplit(".", 1)[0] + ".encoding", 'a known text encoding such as "utf-8" or "cp1252"', enc)
        return None
    if codecs.lookup(enc).name == "utf-8":
        enc = "utf-8-sig"  # a leading byte-order mark is dropped
    try:
        text = data.decode(enc)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        hint = 'save it as "CSV UTF-8", or set encoding = "cp1252" (or the file\'s encoding) beside the file name'
        say(chk, where, f"{'UTF-8' if encoding is None else encoding} text ({hint})",
                f"byte 0x{data[exc.start]:02x} on line {line} of {name}")
        return None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        say(chk, where, "a text CSV file", f"a NUL character on line {line} of {name}")
        return None
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                header = [c.strip() for c in cells]
            else:
                rows.append((reader.line_num, cells))
    except csv.Error as exc:
        say(chk, where, "a well-formed CSV file", f"{exc} on line {reader.line_num} of {name}")
        return None
    if header is None:
        say(chk, where, "a CSV with a header row", f"{name}, empty")
        return None
    return CsvTable(name, header, rows)
