"""Durations and rates as people write them in scenario files: "20s", "4min", "1.5h", "10d"; "100/h", "6/min".

All times inside contactsim are seconds (floats); rates are per second.
"""
from __future__ import annotations

import re

_UNITS = {
    "ms": 0.001,
    "s": 1.0, "sec": 1.0, "secs": 1.0, "second": 1.0, "seconds": 1.0,
    "m": 60.0, "min": 60.0, "mins": 60.0, "minute": 60.0, "minutes": 60.0,
    "h": 3600.0, "hr": 3600.0, "hrs": 3600.0, "hour": 3600.0, "hours": 3600.0,
    "d": 86400.0, "day": 86400.0, "days": 86400.0,
    "w": 604800.0, "week": 604800.0, "weeks": 604800.0,
}
_NUMBER = r"[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?"
_DURATION = re.compile(rf"^\s*({_NUMBER})\s*([a-zA-Z]+)\s*$")
_RATE = re.compile(rf"^\s*({_NUMBER})\s*/\s*({_NUMBER})?\s*([a-zA-Z]+)\s*$")

DURATION_EXAMPLE = 'a duration such as "240s", "4min", "1.5h" or "10d"'
RATE_EXAMPLE = 'a rate such as "100/h" or "6/min"'


def parse_duration(value: object) -> float:
    """Seconds in a duration string ("4min" -> 240.0). Bare numbers are refused: the unit must be written."""
    if isinstance(value, str):
        m = _DURATION.match(value)
        if m and m.group(2).lower() in _UNITS:
            return float(m.group(1)) * _UNITS[m.group(2).lower()]
    raise ValueError(f"expected {DURATION_EXAMPLE}, got {value!r}")


def parse_rate(value: object) -> float:
    """Events per second in a rate string ("100/h" -> 0.02777…; "5/30min" works too)."""
    if isinstance(value, str):
        m = _RATE.match(value)
        if m and m.group(3).lower() in _UNITS:
            per = float(m.group(2)) if m.group(2) else 1.0
            return float(m.group(1)) / (per * _UNITS[m.group(3).lower()])
    raise ValueError(f"expected {RATE_EXAMPLE}, got {value!r}")


def format_duration(seconds: float) -> str:
    """Shortest readable form, for writing scenario files and tables ("240s", "30min", "2h")."""
    for unit, size in (("d", 86400.0), ("h", 3600.0), ("min", 60.0)):
        if seconds >= size and float(seconds / size).is_integer():
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def parse_clock(value: object) -> float:
    """Seconds after midnight of "HH:MM" or "HH:MM:SS" ("24:00" is the end of the day)."""
    if isinstance(value, str):
        m = re.match(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$", value)
        if m:
            h, mi, s = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
            if (h < 24 and mi < 60 and s < 60) or (h == 24 and mi == 0 and s == 0):
                return h * 3600.0 + mi * 60.0 + s
    raise ValueError(f'expected a clock time such as "08:00", got {value!r}')
