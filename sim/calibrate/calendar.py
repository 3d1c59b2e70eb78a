"""The calendar of a contact log: which days are ordinary working days and which must be screened out before fitting.

A log mixes day types (Israeli centres work Sunday–Thursday; Friday is short, Saturday nearly closed) with holidays and
partial days (the Anonymous Bank's March 1999 has Purim on the 2nd, an early close on the 8th, a late start on the 15th,
an outage on the 22nd and Passover eve on the 31st). A day is screened out when its offered volume is below
``low_ratio`` of the median of its day type, or when it has a run of ``gap_intervals`` empty intervals where that day
type is normally busy (the centre was closed or recording stopped). Brown et al. (2005) screen days the same way.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

import numpy as np
import pandas as pd

from sim.errors import InputError

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # pandas dayofweek order
WORKING_DAYS = {"technion": ("sun", "mon", "tue", "wed", "thu"), "csv": ("mon", "tue", "wed", "thu", "fri")}
LOW_RATIO = 0.6
GAP_INTERVALS = 2
BUSY_SHARE = 0.15


def offered(calls: pd.DataFrame) -> pd.DataFrame:
    """Contacts that reached the agent queue (served or abandoned there): what ``volumes`` in a scenario count."""
    return calls[calls["outcome"].isin(["served", "abandoned"])]


def interval_counts(calls: pd.DataFrame, interval_s: float = 1800.0) -> pd.DataFrame:
    """Offered contacts per day (rows, dates) and interval of day (columns, seconds after midnight)."""
    off = offered(calls)
    day = off["arrival_at"].dt.normalize()
    slot = ((off["arrival_at"] - day).dt.total_seconds() // interval_s) * interval_s
    table = pd.crosstab(day.dt.date, slot)
    slots = np.arange(0, 86400, interval_s)
    all_days = pd.Index(sorted(set(calls["arrival_at"].dt.date)), name="date")
    return table.reindex(index=all_days, columns=slots, fill_value=0)


def parse_working_days(text: str | None, format: str) -> tuple[str, ...]:
    if not text:
        return WORKING_DAYS.get(format, WORKING_DAYS["csv"])
    days = tuple(d.strip().lower()[:3] for d in text.split(",") if d.strip())
    bad = [d for d in days if d not in WEEKDAY_NAMES]
    if bad or not days:
        raise InputError(f"--working-days: expected day names such as sun,mon,tue,wed,thu; got {text!r}")
    return days


def day_table(calls: pd.DataFrame, working_days=WORKING_DAYS["technion"], interval_s: float = 1800.0,
              low_ratio: float = LOW_RATIO, gap_intervals: int = GAP_INTERVALS) -> pd.DataFrame:
    """One row per calendar day in the log: volumes, day type, and whether it is a regular day fit to use."""
    counts = interval_counts(calls, interval_s)
    all_per_day = calls.groupby(calls["arrival_at"].dt.date).size()
    rows = []
    for d in counts.index:
        wd = WEEKDAY_NAMES[pd.Timestamp(d).day_of_week]
        rows.append({"date": d, "weekday": wd, "day_type": "weekday" if wd in working_days else wd,
                     "contacts": int(all_per_day.get(d, 0)), "offered": int(counts.loc[d].sum())})
    days = pd.DataFrame(rows)
    days["ratio_to_median"] = np.nan
    days["longest_gap"] = 0
    days["status"] = "regular"
    days["reason"] = ""
    for dtype, group in days.groupby("day_type"):
        prof = counts.loc[group["date"]]
        median_total = float(group["offered"].median())
        median_prof = prof.median(axis=0).to_numpy()
        busy = median_prof >= max(5.0, BUSY_SHARE * median_prof.max()) if median_prof.max() > 0 else median_prof > 0
        for i, d in zip(group.index, group["date"]):
            ratio = days.at[i, "offered"] / median_total if median_total > 0 else np.nan
            days.at[i, "ratio_to_median"] = ratio
            gap = _longest_run(busy & (prof.loc[d].to_numpy() == 0))
            days.at[i, "longest_gap"] = gap
            if median_total > 0 and ratio < low_ratio:
                days.at[i, "status"], days.at[i, "reason"] = "screened", (
                    f"low volume: {ratio:.0%} of the {dtype} median (holiday or partial day)")
            elif gap >= gap_intervals:
                days.at[i, "status"], days.at[i, "reason"] = "screened", (
                    f"partial day: {gap} consecutive empty intervals in normally busy hours")
    return days


def _longest_run(mask: np.ndarray) -> int:
    best = run = 0
    for m in mask:
        run = run + 1 if m else 0
        best = max(best, run)
    return best


def _parse_date(text: str) -> date:
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%y%m%d", "%Y%m%d"):
        try:
            return pd.to_datetime(text, format=fmt).date()
        except ValueError:
            pass
    raise InputError(f"--days: expected dates as YYYY-MM-DD (or yymmdd), got {text!r}")


def parse_dates(spec: str) -> list[date]:
    """``"1999-03-01,1999-03-03..1999-03-05"`` as a list of dates (ranges inclusive)."""
    out: list[date] = []
    for part in re.split(r"[,\s]+", spec.strip()):
        if not part:
            continue
        if ".." in part:
            a, b = (_parse_date(x) for x in part.split("..", 1))
            if b < a:
                raise InputError(f"--days: range {part!r} ends before it starts")
            out += [a + timedelta(days=k) for k in range((b - a).days + 1)]
        else:
            out.append(_parse_date(part))
    if not out:
        raise InputError(f"--days: no dates in {spec!r}")
    return out


def select_days(days: pd.DataFrame, spec: str = "weekday") -> tuple[list[date], list[str]]:
    """The dates to fit on and notes about the choice.

    ``weekday``: regular working days; ``all``: regular days of every type; otherwise a list of dates (used as given,
    with a note for any the screen would have removed).
    """
    notes: list[str] = []
    if spec == "weekday":
        chosen = days[(days["day_type"] == "weekday") & (days["status"] == "regular")]["date"].tolist()
    elif spec == "all":
        chosen = days[days["status"] == "regular"]["date"].tolist()
    else:
        wanted = parse_dates(spec)
        known = set(days["date"])
        missing = [str(d) for d in wanted if d not in known]
        if missing:
            raise InputError(f"--days: no contacts in the log on {', '.join(missing)} "
                             f"(the log covers {min(known)} to {max(known)})")
        chosen = sorted(set(wanted))
        flagged = days[days["date"].isin(chosen) & (days["status"] != "regular")]
        notes += [f"{r.date} used as asked although screened ({r.reason})" for r in flagged.itertuples()]
    if not chosen:
        raise InputError(f"--days {spec}: no regular days of that kind in the log")
    return chosen, notes
