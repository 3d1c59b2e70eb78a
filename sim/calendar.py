"""The clock of a replication (t = 0 is ``[run] start``) and piecewise-constant profiles over it.

A profile is what a planner writes per interval: volumes forecast per 30 min, agents seated per 30 min. Lists are laid
from midnight of the start day and repeat when the horizon is longer; ``by_weekday`` gives one day's list per day of week;
a CSV gives rows by clock time (a daily profile) or by date-time (an absolute series, zero outside its rows).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from sim.validate import Checker, join

DAY = 86400.0
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_START = datetime(2024, 1, 1)  # a Monday at midnight


@dataclass(frozen=True)
class Calendar:
    start: datetime = DEFAULT_START

    @property
    def start_clock_s(self) -> float:
        """Seconds from the start day's midnight to t = 0."""
        s = self.start
        return s.hour * 3600.0 + s.minute * 60.0 + s.second

    def day_index(self, t: np.ndarray) -> np.ndarray:
        """Calendar day of each time (0 = the start day)."""
        return np.floor((np.asarray(t, float) + self.start_clock_s) / DAY).astype(int)

    def weekday(self, t: np.ndarray) -> np.ndarray:
        """Day of week of each time, 0 = Monday."""
        return (self.start.weekday() + self.day_index(t)) % 7

    def clock(self, t: np.ndarray) -> np.ndarray:
        """Seconds after midnight of each time."""
        return np.mod(np.asarray(t, float) + self.start_clock_s, DAY)

    def midnights(self, horizon_s: float) -> np.ndarray:
        """Times of the midnights inside (0, horizon)."""
        first = DAY - self.start_clock_s if self.start_clock_s else DAY
        return np.arange(first, horizon_s, DAY)


@dataclass(frozen=True)
class Profile:
    """A value per interval over time. Exactly one of ``constant``, ``cycle``/``by_weekday`` or ``series`` describes it."""

    interval_s: float = 1800.0
    constant: float | None = None
    cycle: tuple[float, ...] | None = None
    by_weekday: tuple[tuple[float, ...] | None, ...] | None = None
    series_start_s: tuple[float, ...] | None = None
    series_values: tuple[float, ...] | None = None
    companions: tuple[tuple[str, Profile], ...] = ()  # per-interval columns read beside the values (a forecast's aht)

    def companion(self, name: str) -> Profile | None:
        """The profile of an optional column read with this one (``"aht"``: seconds, 0 where not given), if any."""
        return dict(self.companions).get(name)

    def value_at(self, t: np.ndarray, cal: Calendar) -> np.ndarray:
        t = np.asarray(t, float)
        if self.constant is not None:
            return np.full(t.shape, self.constant)
        if self.series_start_s is not None:
            starts = np.asarray(self.series_start_s)
            idx = np.searchsorted(starts, t, side="right") - 1
            ok = (idx >= 0) & (t < starts[np.clip(idx, 0, None)] + self.interval_s)
            return np.where(ok, np.asarray(self.series_values)[np.clip(idx, 0, None)], 0.0)
        since_midnight0 = t + cal.start_clock_s
        out = np.zeros(t.shape)
        if self.cycle is not None:
            cyc = np.asarray(self.cycle)
            out = cyc[np.floor(since_midnight0 / self.interval_s).astype(int) % len(cyc)]
        if self.by_weekday is not None:
            wd, slot = cal.weekday(t), np.floor(cal.clock(t) / self.interval_s).astype(int)
            for d, day in enumerate(self.by_weekday):
                if day is not None:
                    sel = wd == d
                    out = np.where(sel, np.asarray(day)[np.clip(slot, 0, len(day) - 1)], out)
        return out

    def edges(self, horizon_s: float, cal: Calendar) -> np.ndarray:
        """Times inside (0, horizon) where the value may change."""
        if self.constant is not None:
            return np.empty(0)
        if self.series_start_s is not None:
            s = np.asarray(self.series_start_s)
            e = np.concatenate([s, s + self.interval_s])
        else:
            e = np.arange(-cal.start_clock_s, horizon_s, self.interval_s)
        return e[(e > 0) & (e < horizon_s)]

    def steps(self, horizon_s: float, cal: Calendar, extra_edges: np.ndarray | None = None,
              merge: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """Piece starts in [0, horizon) and the value on each piece (consecutive equal values merged unless the
        caller still has to apply something that changes at ``extra_edges``)."""
        e = self.edges(horizon_s, cal)
        if extra_edges is not None:
            e = np.concatenate([e, extra_edges])
        starts = np.unique(np.concatenate([[0.0], e]))
        values = self.value_at(starts, cal)
        if not merge:
            return starts, values
        keep = np.concatenate([[True], values[1:] != values[:-1]])
        return starts[keep], values[keep]


def parse_start(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"):
            try:
                return datetime.strptime(value.strip(), fmt)
            except ValueError:
                pass
    raise ValueError


def _numbers(v: Any, integer: bool) -> tuple[float, ...]:
    if not isinstance(v, list) or not v:
        raise ValueError
    for x in v:
        if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x) or x < 0 or (
                integer and not float(x).is_integer()):
            raise ValueError
    return tuple(float(x) for x in v)


MIN_INTERVAL_S = 60.0  # the shortest profile or reporting interval (1 min); intervals must divide 24 h


def parse_interval(raw: dict, path: str, chk: Checker, default: float = 1800.0,
                   whole_run_s: float | None = None) -> float | None:
    """An ``interval`` from 1 min to 24 h that divides the day evenly (so days start on an interval boundary); a
    reporting interval may also be the whole run (``whole_run_s``: one interval from start to horizon)."""
    interval = chk.duration(raw, "interval", path, default=default, positive=True, low=MIN_INTERVAL_S, high=DAY)
    if interval is not None and whole_run_s is not None and abs(interval - whole_run_s) < 1e-9:
        return interval
    if interval is not None and abs(DAY / interval - round(DAY / interval)) > 1e-9:
        chk.add(join(path, "interval"), 'an interval that divides 24 h evenly (such as "15min", "30min", "1h")',
                raw.get("interval"))
        return None
    return interval


def parse_profile(raw: dict, path: str, chk: Checker, base_dir: Path, cal: Calendar, *, list_key: str,
                  file_key: str, column: str, integer: bool, open_hours: tuple[float, float] | None = None,
                  horizon_s: float | None = None, warn_outside: bool = True) -> Profile | None:
    """Read a profile from ``list_key`` (+ ``interval``, ``by_weekday``, ``repeat``) or a CSV named by ``file_key``
    (``sim.profile_csv``; + ``missing``, ``encoding``).

    Values are per interval (volumes offered, agents seated); finite, non-negative; integers where ``integer``. A list
    that is shorter than the run (so repeats) must cover a whole number of days unless ``repeat = true`` says it is a
    cycle of its own length.
    """
    what = "a list of non-negative " + ("whole numbers" if integer else "numbers")
    interval = parse_interval(raw, path, chk, whole_run_s=horizon_s)
    if interval is None:
        return None
    if file_key in raw:
        from sim.profile_csv import parse_csv_profile

        return parse_csv_profile(raw, path, chk, base_dir, cal, file_key=file_key, column=column, integer=integer,
                                 interval=interval, open_hours=open_hours, horizon_s=horizon_s,
                                 warn_outside=warn_outside, profile=Profile, parse_start=parse_start)
    chk.string(raw, "missing", path, default="error", choices=("error", "zero"))
    if "encoding" in raw:
        chk.add(join(path, "encoding"), f"encoding only beside {file_key} = \"file.csv\"", raw["encoding"])
    cycle = chk.value(raw, list_key, path, lambda v: _numbers(v, integer), what, default=None)
    repeat = chk.value(raw, "repeat", path, lambda v: v if isinstance(v, bool) else _no(), "true or false",
                       default=False)
    per_day = DAY / interval
    covers_run = horizon_s is not None and cycle is not None and \
        len(cycle) * interval >= cal.start_clock_s + horizon_s - 1e-9  # laid once: never wraps inside the run
    if cycle is not None and not repeat and not covers_run and len(cycle) % round(per_day):
        chk.add(join(path, list_key), f"a whole number of days of {interval / 60:g}-minute values ({per_day:g} a "
                                      f"day; or repeat = true for a cycle of {len(cycle)} intervals)",
                text=f"{len(cycle)} values")
        return None
    if cycle is not None and open_hours is not None and warn_outside:
        _warn_outside_hours(chk, join(path, list_key), cycle, interval, open_hours)
    if cycle is not None and "interval" not in raw and len(cycle) != per_day:
        chk.warn(join(path, list_key), f"{len(cycle)} values at the default interval of {interval / 60:g} minutes "
                                       f"cover {len(cycle) * interval / 3600:g} h; write interval = \"30min\" to "
                                       f"confirm (or the interval the values are for)")
    wd_raw = raw.get("by_weekday")
    by_weekday = None
    if wd_raw is not None:
        wd_path = join(path, "by_weekday")
        chk.table(wd_raw, wd_path, WEEKDAYS)
        if isinstance(wd_raw, dict):
            days: list[tuple[float, ...] | None] = [None] * 7
            for d, name in enumerate(WEEKDAYS):
                if name in wd_raw:
                    days[d] = chk.value(wd_raw, name, wd_path, lambda v: _numbers(v, integer), what)
                    if days[d] is not None and open_hours is not None and warn_outside:
                        _warn_outside_hours(chk, join(wd_path, name), days[d], interval, open_hours)
                    if days[d] is not None and len(days[d]) != per_day:
                        chk.add(join(wd_path, name), f"{per_day:g} values (one day of {interval / 60:g}-minute intervals)",
                                f"{len(days[d])} values")
                elif cycle is None:
                    chk.add(join(wd_path, name), f"a list for every day of the week, or `{list_key}` as the default day")
            by_weekday = tuple(days)
    elif cycle is None and list_key in raw:
        return None  # already reported
    if cycle is None and by_weekday is None:
        return None
    return Profile(interval_s=interval, cycle=cycle, by_weekday=by_weekday)


VALUE_PROFILE_KEYS = ("values", "file", "interval", "by_weekday", "repeat", "encoding")


def is_value_profile(raw: Any) -> bool:
    """A per-interval value written as a table (``{ values = [...], interval = "1h" }`` or ``{ file = "x.csv" }``)."""
    return isinstance(raw, dict)


def parse_value_profile(raw: Any, path: str, chk: Checker, base_dir: Path, cal: Calendar, *, low: float,
                        high: float, low_open: bool, what: str, horizon_s: float | None = None) -> Profile | None:
    """A value per interval (handle time, availability) written the way volumes are: ``values`` (a list per interval
    from midnight, + ``interval``, ``by_weekday``, ``repeat``) or ``file = "x.csv"`` (columns ``interval_start`` and
    ``value``, + ``encoding``), read by ``parse_profile``. Unlike volumes no interval defaults to zero: a CSV needs a
    row for every interval of each day it covers (dated rows: every interval of the run), and ``missing`` is refused.
    Each value must lie in [``low``, ``high``] (``low`` excluded when ``low_open``); ``what`` names it."""
    if not isinstance(raw, dict):
        chk.add(path, f'{what} per interval: {{ values = [...], interval = "30min" }} or {{ file = "file.csv" }}', raw)
        return None
    chk.table(raw, path, VALUE_PROFILE_KEYS)
    if "missing" in raw:
        return None  # reported as an unknown key: a value per interval has no default
    forms = [k for k in ("values", "file") if k in raw]
    if len(forms) != 1 and not ("by_weekday" in raw and not forms):
        chk.add(path, "exactly one of values (with by_weekday) or file", ", ".join(forms) or "none")
        return None
    prof = parse_profile(raw, path, chk, base_dir, cal, list_key="values", file_key="file", column="value",
                         integer=False, open_hours=(0.0, DAY), horizon_s=horizon_s, warn_outside=False)
    if prof is None:
        return None
    bound = f"{what} per interval, each {'above' if low_open else 'at least'} {low:g} and at most {high:g}"
    iv = prof.interval_s
    clock = lambda i: f"{int(i * iv % DAY // 3600):02d}:{int(i * iv % 3600 // 60):02d}"  # noqa: E731
    lists: list[tuple[str, tuple[float, ...], Any]] = []
    if prof.cycle is not None:
        lists.append((join(path, "values"), prof.cycle, lambda i: f"[{i}]"))
    if prof.by_weekday is not None and "file" not in raw:
        lists += [(join(join(path, "by_weekday"), WEEKDAYS[d]), day, lambda i: f"[{i}]")
                  for d, day in enumerate(prof.by_weekday) if day is not None]
    elif prof.by_weekday is not None:
        lists.append((join(path, "file"), prof.by_weekday[0] or (), lambda i: f"the row for {clock(i)}"))
    if prof.series_values is not None:
        starts = prof.series_start_s or ()
        lists.append((join(path, "file"), prof.series_values,
                      lambda i: f"the row for {cal.start + _timedelta(starts[i]):%Y-%m-%d %H:%M}"))
        if horizon_s is not None:
            have = {round(t / iv) for t in starts}
            need = np.arange(-(cal.start_clock_s % iv), horizon_s, iv)
            gaps = [t for t in need if round(t / iv) not in have]
            if gaps:
                when = ", ".join(f"{cal.start + _timedelta(t):%Y-%m-%d %H:%M}" for t in gaps[:4])
                more = f" (and {len(gaps) - 4} more)" if len(gaps) > 4 else ""
                chk.add(join(path, "file"), f"a row for every {iv / 60:g}-minute interval of the run ({what} has "
                                            f"no default)", text=f"no row for {when}{more}")
                return None
    for key, values, where in lists:
        bad = [i for i, v in enumerate(values) if not (low < v if low_open else low <= v) or v > high]
        if bad:
            more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
            chk.add(key, bound, text=f"{values[bad[0]]:g} at {where(bad[0])}{more}")
            return None
    return prof


def _timedelta(seconds: float):
    from datetime import timedelta

    return timedelta(seconds=float(seconds))


def _warn_outside_hours(chk: Checker, key: str, values: tuple[float, ...], interval: float,
                        open_hours: tuple[float, float]) -> None:
    """Warn about volumes laid outside opening hours: nobody is there to offer them to."""
    lo, hi = open_hours
    outside = [i for i, v in enumerate(values) if v > 0 and not (
        (i * interval) % DAY < hi and (i * interval) % DAY + interval > lo)]
    if outside:
        clocks = [f"{int((i * interval) % DAY // 3600):02d}:{int((i * interval) % 3600 // 60):02d} ([{i}])"
                  for i in outside[:4]]
        more = f" (and {len(outside) - 4} more)" if len(outside) > 4 else ""
        chk.warn(key, f"volumes outside opening hours offer nothing: {', '.join(clocks)}{more}")


def _no():
    raise ValueError


def busyness_factors(rng: np.random.Generator, cv: float, n_days: int) -> np.ndarray:
    """One Gamma(a, a) factor with mean 1 per replication-day (Avramidis, Deslauriers & L'Ecuyer 2004); cv = 0 → ones."""
    if cv <= 0:
        return np.ones(n_days)
    a = 1.0 / (cv * cv)
    return rng.gamma(a, 1.0 / a, n_days)


def n_days(horizon_s: float, cal: Calendar) -> int:
    return int(math.floor((horizon_s + cal.start_clock_s) / DAY)) + 1
