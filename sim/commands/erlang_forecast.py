"""``contactsim erlang --forecast FILE.csv``: a day's staffing per interval from a forecast file, in milliseconds.

The file is read by the scenarios' forecast reader (``sim.calendar``): columns ``interval_start`` (``HH:MM`` for one
day, or ``YYYY-MM-DD HH:MM``) and ``volume`` (calls offered in the interval), optional ``aht`` and ``patience`` (mean
seconds, per interval; otherwise ``--aht`` / ``--patience`` apply to every interval). Intervals of a clock-time file
are dated with ``--date`` (default today); rows before the first and after the last interval with calls are left out.
"""
from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import InputError

COLUMNS = ("volume", "aht", "patience")


def read_forecast(path: str, interval_s: float, day: date) -> pd.DataFrame:
    """Rows (``date_time``, ``volume``, ``aht_s``, ``patience_s``) of the forecast file; a missing optional column is
    NaN. Problems are one ``ScenarioError`` naming the file, the line and what was expected."""
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
    out = pd.DataFrame({"date_time": stamps, "volume": profiles["volume"].value_at(t, cal)})
    for col in ("aht", "patience"):
        out[f"{col}_s"] = profiles[col].value_at(t, cal) if col in profiles else np.nan
    return out


def dated(table: pd.DataFrame) -> pd.DataFrame:
    """ISO date-time, date and clock columns first (the planners' rota columns)."""
    stamps = pd.to_datetime(table["date_time"])
    front = pd.DataFrame({"date_time": stamps.dt.strftime("%Y-%m-%dT%H:%M"), "date": stamps.dt.strftime("%Y-%m-%d"),
                          "clock": stamps.dt.strftime("%H:%M")})
    return pd.concat([front, table.drop(columns=["date_time"])], axis=1)


def format_day(table: pd.DataFrame, header: list[str], models: list[str], sl_target: float,
               interval_s: float) -> str:
    """The day as aligned text: clock, calls, AHT, and per model agents, rostered and service level (✗ if missed)."""
    titles = {"erlang_c": "Erlang C", "erlang_a": "Erlang A", "erlang_x": "Erlang X"}
    cols = ["clock", "calls", "AHT"]
    for m in models:
        cols += [f"{titles[m]} agents", "rostered", "SL"] + (["abandon"] if m != "erlang_c" else [])
        if m == "erlang_x":
            cols.append("busy")
    lines = []
    for r in table.to_dict("records"):
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
    hours = [f"{titles[m]} {np.nansum(table[f'{m}_rostered']) * interval_s / 3600:g}" for m in models]
    out.append("rostered agent-hours: " + ", ".join(hours))
    return "\n".join(out)


def forecast_command(args, aht, patience, level, within, shrinkage, max_abandon, max_occupancy, sl_definition) -> int:
    from sim.analytic.day import DayTargets, Redialing, plan_day
    from sim.commands.options import _option, _positive, parse_fraction
    from sim.units import DURATION_EXAMPLE, format_duration, parse_duration

    interval = _option("--interval", args.interval, _positive(parse_duration),
                       DURATION_EXAMPLE.replace("a duration", "a positive duration"))
    try:
        day = date.fromisoformat(args.date) if args.date else date.today()
    except ValueError:
        raise InputError(f"--date: expected a date YYYY-MM-DD, got {args.date!r}") from None
    table = read_forecast(args.forecast, interval, day)
    if table["aht_s"].isna().any():
        if aht is None:
            raise InputError(f"{args.forecast}: no aht column: give --aht (the mean handle time of every interval)")
        table["aht_s"] = table["aht_s"].fillna(aht)
    if (table["aht_s"] <= 0).any():
        raise InputError(f"{args.forecast}: aht: expected positive seconds in every row")
    if patience is not None:
        table["patience_s"] = table["patience_s"].fillna(patience)
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
        plan = dated(plan_day(table, interval, targets, shrinkage, redialing))
    except ValueError as exc:
        raise InputError(f"contactsim erlang: {exc}") from None
    models = ["erlang_c"] + (["erlang_a"] if plan["patience_s"].notna().any() else []) + \
             (["erlang_x"] if redialing is not None else [])
    if "erlang_a_agents" in plan and plan["patience_s"].isna().any():
        raise InputError(f"{args.forecast}: patience: give it in every row or --patience for all")
    dates = sorted(set(plan["date"]))
    header = [f"{args.forecast}: {len(plan)} intervals of {interval / 60:g} min, {dates[0]}"
              + (f" to {dates[-1]}" if len(dates) > 1 else "") + f", {plan['volume'].sum():g} calls",
              f"target: {100 * level:g}% answered within {within:g}s ({sl_definition})"
              + (f"; abandon ≤ {100 * max_abandon:g}%" if max_abandon is not None else "")
              + (f"; occupancy ≤ {100 * max_occupancy:g}%" if max_occupancy is not None else "")
              + f"; shrinkage {100 * shrinkage:g}%"]
    if redialing is not None:
        header.append(f"Erlang X: {redialing.lines if redialing.lines is not None else 'unlimited'} trunk lines, "
                      f"redial {100 * redialing.probability:g}% after {format_duration(redialing.mean_delay_s)} "
                      "(exact Markov chain)")
    if args.out:
        plan.to_csv(args.out, index=False, float_format="%.6g")
    print(format_day(plan, header, models, level, interval))
    if args.out:
        print(f"wrote {args.out}")
    return 0
