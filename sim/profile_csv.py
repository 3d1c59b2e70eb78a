"""Forecast and schedule CSVs (``forecast = "f.csv"``, ``schedule = "s.csv"``): one row per interval, read so that a
spreadsheet slip never becomes a silent zero in the rota.

Columns: ``interval_start`` (``HH:MM`` for a daily profile, ``YYYY-MM-DD HH:MM`` for dated rows) and the value column
(``volume`` or ``count``); a forecast may also carry ``aht`` (average handle time of the interval: seconds, or a
duration such as ``"4min"``). Refused: a missing interval inside opening hours (or, without opening hours, between the
day's first and last row) unless ``missing = "zero"``, two rows for one interval (both lines named), dated rows none
of which falls inside the run, dd/mm/yyyy dates (with a hint). Warned: rows outside opening hours (they offer nothing),
unknown columns (named).
"""
from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np

from sim.csvread import read_csv, say
from sim.units import parse_clock, parse_duration
from sim.validate import Checker, join

DAY = 86400.0
MISSING_CHOICES = ("error", "zero")
OPTIONAL_COLUMNS = {"volume": ("aht",), "count": ()}
_DAY_FIRST = re.compile(r"^\s*\d{1,2}[/.]\d{1,2}[/.]\d{2,4}")


def _clock_text(s: float) -> str:
    s = s % DAY
    return f"{int(s // 3600):02d}:{int(s % 3600 // 60):02d}"


def _listing(items: list[str], limit: int = 4) -> str:
    more = f" (and {len(items) - limit} more)" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


def _number(text: str, integer: bool) -> float:
    v = float(text)
    if not math.isfinite(v) or v < 0 or (integer and not v.is_integer()):
        raise ValueError
    return v


MAX_AHT_S = DAY  # an average handle time above a day is a slip (seconds typed as milliseconds, a date)


def _aht(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        v = parse_duration(text)
    if not math.isfinite(v) or v <= 0 or v > MAX_AHT_S:
        raise ValueError
    return v


def parse_csv_profile(raw: dict, path: str, chk: Checker, base_dir: Path, cal, *, file_key: str, column: str,
                      integer: bool, interval: float, open_hours: tuple[float, float] | None = None,
                      horizon_s: float | None = None, warn_outside: bool = True, profile=None, parse_start=None):
    """The ``Profile`` of the CSV named by ``raw[file_key]``, or None after recording its problems.

    ``open_hours``: the intervals that must have a row (a forecast's channel hours; a schedule's, the hours of the
    channels its group serves); rows outside them with a value are warned about when ``warn_outside``. ``profile`` and
    ``parse_start`` are ``sim.calendar``'s ``Profile`` and ``parse_start``, passed by its caller (``sim.calendar``
    imports this module: no import back)."""
    Profile = profile
    assert Profile is not None and parse_start is not None

    name = chk.string(raw, file_key, path)
    encoding = chk.string(raw, "encoding", path, default=None)
    missing = chk.string(raw, "missing", path, default="error", choices=MISSING_CHOICES)
    if name is None or missing is None or ("encoding" in raw and encoding is None):
        return None
    where = join(path, file_key)
    table = read_csv(base_dir, name, where, chk, encoding)
    if table is None:
        return None
    i_start, i_value = table.column("interval_start"), table.column(column)
    if i_start is None or i_value is None:
        say(chk, where, f"a CSV with columns interval_start and {column}",
                f"{name} with columns {', '.join(table.header) or '(none)'}")
        return None
    optional = OPTIONAL_COLUMNS.get(column, ())
    unknown = [c for c in table.header if c not in ("interval_start", column, *optional)]
    if unknown:
        chk.warn(where, f"{name}: columns {', '.join(repr(c) for c in unknown)} are not read (known: interval_start, "
                        f"{', '.join((column, *optional))})")
    i_aht = table.column("aht") if "aht" in optional else None
    if not table.rows:
        say(chk, where, f"at least one row below the header of {name}", "none")
        return None
    starts, values, ahts, lines = [], [], [], []
    kinds = set()
    for line, cells in table.rows:
        get = lambda i, cells=cells: cells[i].strip() if i is not None and i < len(cells) else ""  # noqa: E731
        text, val = get(i_start), get(i_value)
        try:
            v = _number(val, integer)
        except ValueError:
            say(chk, where, f"a finite, non-negative {'whole ' if integer else ''}number in column {column}",
                    f"{val!r} on line {line} of {name}" if val else f"an empty cell on line {line} of {name}")
            return None
        a = 0.0
        if i_aht is not None and get(i_aht):
            try:
                a = _aht(get(i_aht))
            except ValueError:
                say(chk, where, 'a positive average handle time up to 24 h in column aht (seconds, or a duration such as "4min")',
                        f"{get(i_aht)!r} on line {line} of {name}")
                return None
        elif i_aht is not None and v > 0:
            say(chk, where, "an aht on every row with a volume", f"an empty aht cell on line {line} of {name}")
            return None
        try:
            starts.append(parse_clock(text))
            kinds.add("clock")
        except ValueError:
            try:
                starts.append((parse_start(text) - cal.start).total_seconds())
                kinds.add("date")
            except ValueError:
                hint = (" (write dates as YYYY-MM-DD: dd/mm/yyyy and mm/dd/yyyy cannot be told apart)"
                        if _DAY_FIRST.match(text) else "")
                say(chk, where, f"interval_start as HH:MM or YYYY-MM-DD HH:MM{hint}", f"{text!r} on line {line} of {name}")
                return None
        values.append(v)
        ahts.append(a)
        lines.append(line)
    if len(kinds) > 1:
        say(chk, where, "interval_start all clock times (a daily profile) or all date-times", f"a mix in {name}")
        return None
    daily = kinds == {"clock"}
    # Every row on an interval boundary (clock times from midnight; dated rows from their own midnight).
    offset = 0.0 if daily else cal.start_clock_s
    for s, line in zip(starts, lines):
        slot = (s + offset) / interval
        if abs(slot - round(slot)) > 1e-9 or (daily and round(slot) >= round(DAY / interval)):
            shown = _clock_text(s + offset)
            say(chk, where, f"interval_start on {interval / 60:g}-minute boundaries (set `interval` to the file's)",
                    f"{shown} on line {line} of {name}")
            return None
    slots = [int(round((s + offset) / interval)) for s in starts]
    seen: dict[int, int] = {}
    for k, line in zip(slots, lines):
        if k in seen:
            label = _clock_text(k * interval) if daily else \
                (cal.start.replace(hour=0, minute=0, second=0) + _td(k * interval)).strftime("%Y-%m-%d %H:%M")
            say(chk, where, "one row per interval", f"two rows for {label}: lines {seen[k]} and {line} of {name}")
            return None
        seen[k] = line
    per_day = int(round(DAY / interval))
    if not daily and horizon_s is not None:
        inside = [s for s in starts if -interval < s < horizon_s]
        if not inside:
            first, last = min(starts), max(starts)
            fmt = lambda t: (cal.start + _td(t)).strftime("%Y-%m-%d %H:%M")  # noqa: E731
            say(chk, where, f"rows dated inside the run ({fmt(0)} to {fmt(horizon_s)}; set [run] start to the "
                           f"file's first day)", f"rows from {fmt(first)} to {fmt(last)} in {name}")
            return None
    # Missing intervals: inside opening hours (a forecast), else between the first and last row of each day.
    by_day: dict[int, set[int]] = {}
    for k in slots:
        by_day.setdefault(k // per_day, set()).add(k % per_day)
    if open_hours is not None:
        lo, hi = open_hours
        wanted = [j for j in range(per_day) if j * interval < hi and (j + 1) * interval > lo]
    gaps: list[str] = []
    for d, present in sorted(by_day.items()):
        need = wanted if open_hours is not None else range(min(present), max(present) + 1)
        for j in need:
            if j not in present:
                when = _clock_text(j * interval)
                gaps.append(when if daily else
                            (cal.start.replace(hour=0, minute=0, second=0) + _td((d * per_day + j) * interval))
                            .strftime("%Y-%m-%d %H:%M"))
    if gaps and missing != "zero":
        span = (f"inside opening hours {_clock_text(open_hours[0])}-{_clock_text(open_hours[1]) if open_hours[1] < DAY else '24:00'}"
                if open_hours is not None else "between the first and last row of each day")
        say(chk, where, f"a row for every {interval / 60:g}-minute interval {span} (or missing = \"zero\" beside "
                       f"{file_key} when a missing row means none)", f"no row for {_listing(gaps)} in {name}")
        return None
    if open_hours is not None and warn_outside:
        lo, hi = open_hours
        outside = [f"{_clock_text(k * interval)} (line {line})" for k, line, v in zip(slots, lines, values)
                   if v > 0 and not ((k % per_day) * interval < hi and (k % per_day + 1) * interval > lo)]
        if outside:
            chk.warn(where, f"{name}: rows outside opening hours offer nothing: {_listing(outside)}")
    aht_profile = None
    if daily:
        day, day_aht = [0.0] * per_day, [0.0] * per_day
        for k, v, a in zip(slots, values, ahts):
            day[k], day_aht[k] = v, a
        if i_aht is not None:
            aht_profile = Profile(interval_s=interval, by_weekday=tuple([tuple(day_aht)] * 7))
        return Profile(interval_s=interval, by_weekday=tuple([tuple(day)] * 7),
                       companions=(("aht", aht_profile),) if aht_profile else ())
    order = np.argsort(starts, kind="stable")
    series = tuple(float(starts[i]) for i in order)
    if i_aht is not None:
        aht_profile = Profile(interval_s=interval, series_start_s=series, series_values=tuple(ahts[i] for i in order))
    return Profile(interval_s=interval, series_start_s=series, series_values=tuple(values[i] for i in order),
                   companions=(("aht", aht_profile),) if aht_profile else ())


def _td(seconds: float):
    from datetime import timedelta

    return timedelta(seconds=float(seconds))
