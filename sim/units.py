"""Durations and rates as people write them in scenario files: "20s", "4min", "1.5h", "10d"; "100/h", "6/min".

All times inside contactsim are seconds (floats); rates are per second. Every parser refuses what is not a finite
number ("1e999s", "100/0h"), so no infinity or NaN gets past the boundary.
"""
from __future__ import annotations

import math
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
            seconds = float(m.group(1)) * _UNITS[m.group(2).lower()]
            if math.isfinite(seconds):
                return seconds
    raise ValueError(f"expected {DURATION_EXAMPLE}, got {value!r}")


def parse_rate(value: object) -> float:
    """Events per second in a rate string ("100/h" -> 0.02777…; "5/30min" works too)."""
    if isinstance(value, str):
        m = _RATE.match(value)
        if m and m.group(3).lower() in _UNITS:
            per = (float(m.group(2)) if m.group(2) else 1.0) * _UNITS[m.group(3).lower()]
            count = float(m.group(1))
            if per > 0 and math.isfinite(per) and math.isfinite(count) and math.isfinite(count / per):
                return count / per
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


def finite(value: object) -> float:
    """``value`` as a float when it is a real, finite number (not a bool, NaN or infinity); ValueError otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"expected a number, got {value!r}")
    x = float(value)
    if not math.isfinite(x):
        raise ValueError(f"expected a finite number, got {value!r}")
    return x


SERVICE_LEVEL_RULE = "a service level up to 1 as a fraction (0.8) or above 1 up to 100 as a percentage (80)"
TARGET_EXAMPLE = ('a target such as "80/20s" or "0.8/20s" (80% answered within 20 s; the level up to 1 is a fraction, '
                  'above 1 up to 100 a percentage)')
_LEVEL = re.compile(rf"^\s*({_NUMBER})\s*(%?)\s*$")
_TARGET = re.compile(rf"^\s*({_NUMBER})\s*(%?)\s*/\s*(.+?)\s*$")


def parse_service_level(value: object) -> float:
    """The share answered within the threshold, from a number or a string ("80%", "80", "0.8" -> 0.8).

    One rule everywhere (command line and scenario files): up to 1 is a fraction, above 1 up to 100 a percentage, a
    trailing "%" always a percentage; anything else (negative, above 100, NaN, infinity) is refused. 0 means 0.
    """
    if isinstance(value, str):
        m = _LEVEL.match(value)
        if not m:
            raise ValueError(f"expected {SERVICE_LEVEL_RULE}, got {value!r}")
        x, percent = float(m.group(1)), bool(m.group(2))
    else:
        x, percent = finite(value), False
    if not math.isfinite(x) or x < 0 or x > 100 or (percent and x > 100):
        raise ValueError(f"expected {SERVICE_LEVEL_RULE}, got {value!r}")
    return x / 100.0 if percent or x > 1 else x


def parse_target(text: object) -> tuple[float, float]:
    """``"80/20s"`` or ``"0.8/20s"`` -> (0.8, 20.0): the share to answer within the time (a fraction) and the time in
    seconds. Echo the result with ``describe_target`` so a misreading shows at once."""
    if isinstance(text, str):
        m = _TARGET.match(text)
        if m:
            try:
                return parse_service_level(m.group(1) + m.group(2)), parse_duration(m.group(3))
            except ValueError:
                pass
    raise ValueError(f"expected {TARGET_EXAMPLE}, got {text!r}")


def describe_target(level: float, within_s: float) -> str:
    """ "80% answered within 20s" (what a parsed target means, for echoing it back)."""
    return f"{100 * level:g}% answered within {format_duration(within_s)}"
