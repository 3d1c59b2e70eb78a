"""``contactsim erlang --forecast FILE.csv``: a day's staffing per interval from a forecast file, in milliseconds.

The file is read by the scenarios' forecast reader (``sim.calendar``): columns ``interval_start`` (``HH:MM`` for one
day, or ``YYYY-MM-DD HH:MM``) and ``volume`` (calls offered in the interval), optional ``aht`` and ``patience`` (mean
seconds, per interval; otherwise ``--aht`` / ``--patience`` apply to every interval). Intervals of a clock-time file
are dated with ``--date`` (default today); rows before the first and after the last interval with calls are left out.
"""
from __future__ import annotations

import csv
import math
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

from sim.errors import InputError

COLUMNS = ("volume", "aht", "patience")


def read_forecast(path: str, interval_s: float, day: date) -> dict:
    """Columns ``date_time`` (datetimes), ``volume``, ``aht_s``, ``patience_s`` (arrays) of the forecast file; a
    missing optional column is NaN. Problems are one ``ScenarioError`` naming the file, the line and what was
    expected. (Read without pandas: the planner's day starts in a fraction of a second.)"""
    from sim.calendar import DAY, DEFAULT_START, Calendar, parse_profile
    from sim.validate import Checker

    file = Path(path)
    try:
        with open(file, newline="") as fh:
            header = next(csv.reader(fh), [])
    except OSError as exc:
        raise InputError(f"{path}: cannot read the forecast file ({exc.strerror})") from None
    header = [h.strip() for h in header]
    cal = Calendar(DEFAULT_START)

    class ForecastChecker(Checker):
        """Each column is read on its own; the others of COLUMNS are read too, so only truly unknown ones warn."""

        named = False

        def warn(self, key: str, message: str) -> None:
            if "are not read" in message:
                unknown = [h for h in header if h not in ("interval_start", *COLUMNS)]
                if not unknown or self.named:
                    return
                self.named = True
                message = f"{file.name}: columns {', '.join(repr(c) for c in unknown)} are not read (known: " \
                          f"interval_start, {', '.join(COLUMNS)})"
            super().warn(key, message)

    chk = ForecastChecker(str(file))
    raw = {"forecast": file.name, "interval": f"{interval_s:g}s"}
    profiles = {}
    for col in COLUMNS:
        if col == "volume" or col in header:
            profiles[col] = parse_profile(raw, "", chk, file.parent, cal, list_key="volumes", file_key="forecast",
                                          column=col, integer=False)
    chk.done()
    vol = profiles["volume"]
    if vol.series_start_s is not None:
        t = np.asarray(vol.series_start_s)
        stamps = [DEFAULT_START + timedelta(seconds=float(s)) for s in t]
    else:
        values = np.asarray(vol.by_weekday[0])
        busy = np.flatnonzero(values > 0)
        slots = np.arange(busy[0], busy[-1] + 1) if len(busy) else np.arange(len(values))
        t = slots * interval_s + (day.weekday() * DAY)  # DEFAULT_START is a Monday: land on the same weekday
        midnight = datetime(day.year, day.month, day.day)
        stamps = [midnight + timedelta(seconds=float(s * interval_s)) for s in slots]
    out = {"date_time": stamps, "volume": np.asarray(profiles["volume"].value_at(t, cal), float)}
    for col in ("aht", "patience"):
        out[f"{col}_s"] = (np.asarray(profiles[col].value_at(t, cal), float) if col in profiles
                           else np.full(len(stamps), np.nan))
    return out


def dated(table: dict, rows: list[dict]) -> list[dict]:
    """One record per interval: ISO date-time, date and clock first (the planners' rota columns), then the forecast's
    columns and the plan's."""
    out = []
    for k, (stamp, row) in enumerate(zip(table["date_time"], rows)):
        rec = {"date_time": stamp.strftime("%Y-%m-%dT%H:%M"), "date": stamp.strftime("%Y-%m-%d"),
               "clock": stamp.strftime("%H:%M")}
        rec.update({c: float(table[c][k]) for c in ("volume", "aht_s", "patience_s")})
        rec.update(row)
        out.append(rec)
    return out


def _cell(v) -> str:
    """A CSV cell as the project's tables write them: floats with 6 significant digits, NaN empty."""
    if isinstance(v, float):
        return "" if math.isnan(v) else f"{v:.6g}"
    return str(v)


def write_csv(path: str, records: list[dict]) -> None:
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        cols = list(records[0]) if records else []
        w.writerow(cols)
        w.writerows([_cell(r.get(c, math.nan)) for c in cols] for r in records)


def format_day(table: list[dict], header: list[str], models: list[str], sl_target: float,
               interval_s: float) -> str:
    """The day as aligned text: clock, calls, AHT, and per model agents, rostered and service level (✗ if missed)."""
    titles = {"erlang_c": "Erlang C", "erlang_a": "Erlang A", "erlang_x": "Erlang X"}
    cols = ["clock", "calls", "AHT"]
    for m in models:
        cols += [f"{titles[m]} agents", "rostered", "SL"] + (["abandon"] if m != "erlang_c" else [])
        if m == "erlang_x":
            cols.append("busy")
    lines = []
    for r in table:
        cells = [r["clock"], f"{r['volume']:g}", f"{r['aht_s']:.0f}s"]
        for m in models:
            n = r[f"{m}_agents"]
            if n != n:
                cells += ["none", "-", "-"] + (["-"] if m != "erlang_c" else []) + (["-"] if m == "erlang_x" else [])
                continue
            sl = r[f"{m}_sl"]
            cells += [f"{int(n)}", f"{int(r[f'{m}_rostered'])}",
                      f"{100 * sl:.1f}%{'' if sl >= sl_target - 1e-12 else ' ✗'}"]
            if m != "erlang_c":
                cells.append(f"{100 * r[f'{m}_abandon']:.1f}%")
            if m == "erlang_x":
                cells.append(f"{100 * r['erlang_x_blocked']:.1f}%")
        lines.append(cells)
    widths = [max(len(c), *(len(x[i]) for x in lines)) if lines else len(c) for i, c in enumerate(cols)]
    out = list(header) + ["", "  ".join(c.rjust(w) for c, w in zip(cols, widths))]
    out += ["  ".join(v.rjust(w) for v, w in zip(x, widths)) for x in lines]
    hours = [f"{titles[m]} {np.nansum([r[f'{m}_rostered'] for r in table]) * interval_s / 3600:g}" for m in models]
    out.append("rostered agent-hours: " + ", ".join(hours))
    return "\n".join(out)


def forecast_command(args, aht, patience, level, within, shrinkage, max_abandon, max_occupancy, sl_definition) -> int:
    from sim.analytic.day import DayTargets, Redialing, plan_rows
    from sim.commands.options import _option, _positive, parse_fraction
    from sim.units import DURATION_EXAMPLE, format_duration, parse_duration

    interval = _option("--interval", args.interval, _positive(parse_duration),
                       DURATION_EXAMPLE.replace("a duration", "a positive duration"))
    try:
        day = date.fromisoformat(args.date) if args.date else date.today()
    except ValueError:
        raise InputError(f"--date: expected a date YYYY-MM-DD, got {args.date!r}") from None
    table = read_forecast(args.forecast, interval, day)
    if np.isnan(table["aht_s"]).any():
        if aht is None:
            raise InputError(f"{args.forecast}: no aht column: give --aht (the mean handle time of every interval)")
        table["aht_s"] = np.where(np.isnan(table["aht_s"]), aht, table["aht_s"])
    if (table["aht_s"] <= 0).any():
        raise InputError(f"{args.forecast}: aht: expected positive seconds in every row")
    if patience is not None:
        table["patience_s"] = np.where(np.isnan(table["patience_s"]), patience, table["patience_s"])
    if (table["patience_s"] <= 0).any():
        raise InputError(f"{args.forecast}: patience: expected positive seconds in every row")
    redialing = None
    if args.lines is not None or args.redial is not None:
        lines = None
        if args.lines is not None:
            from sim.commands.options import _whole
            lines = _option("--lines", args.lines, _whole, "a whole number of trunk lines ≥ 1")
            if lines < 1:
                raise InputError(f"--lines: expected a whole number of trunk lines ≥ 1, got {args.lines!r}")
        prob = 0.0 if args.redial is None else _option("--redial", args.redial,
                                                       lambda t: parse_fraction(t, True, False),
                                                       'a share such as "50%" or 0.5 (below 100%)')
        delay = _option("--redial-delay", args.redial_delay, _positive(parse_duration),
                        DURATION_EXAMPLE.replace("a duration", "a positive duration"))
        redialing = Redialing(lines, prob, delay)
    targets = DayTargets(level, within, max_abandon, max_occupancy, sl_definition)
    try:
        plan = dated(table, plan_rows(table["volume"], table["aht_s"], table["patience_s"], interval, targets,
                                      shrinkage, redialing))
    except ValueError as exc:
        raise InputError(f"contactsim erlang: {exc}") from None
    no_patience = np.isnan(table["patience_s"])
    models = ["erlang_c"] + (["erlang_a"] if not no_patience.all() else []) + \
             (["erlang_x"] if redialing is not None else [])
    if "erlang_a" in models and no_patience.any():
        raise InputError(f"{args.forecast}: patience: give it in every row or --patience for all")
    dates = sorted({r["date"] for r in plan})
    header = [f"{args.forecast}: {len(plan)} intervals of {interval / 60:g} min, {dates[0]}"
              + (f" to {dates[-1]}" if len(dates) > 1 else "") + f", {float(table['volume'].sum()):g} calls",
              f"target: {100 * level:g}% answered within {within:g}s ({sl_definition})"
              + (f"; abandon ≤ {100 * max_abandon:g}%" if max_abandon is not None else "")
              + (f"; occupancy ≤ {100 * max_occupancy:g}%" if max_occupancy is not None else "")
              + f"; shrinkage {100 * shrinkage:g}%"]
    if redialing is not None:
        header.append(f"Erlang X: {redialing.lines if redialing.lines is not None else 'unlimited'} trunk lines, "
                      f"redial {100 * redialing.probability:g}% after {format_duration(redialing.mean_delay_s)} "
                      "(exact Markov chain)")
    if args.out:
        write_csv(args.out, plan)
    print(format_day(plan, header, models, level, interval))
    if args.out:
        print(f"wrote {args.out}")
    return 0
