"""Collect every problem in an input at once, each with its file, dotted key, expectation and finding.

Used by the scenario reader (and any other reader of people's files) so that one run of ``contactsim check`` lists
everything wrong, with a "did you mean" for misspelt keys.
"""
from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from typing import Any

from sim.errors import Problem, ScenarioError
from sim.units import DURATION_EXAMPLE, RATE_EXAMPLE, parse_clock, parse_duration, parse_rate

MISSING = object()


def join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def show(value: Any) -> str:
    """How a found value is shown in a message (TOML-like: strings quoted)."""
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    return repr(value)


class Checker:
    """Accumulates ``Problem`` s for one file; ``done()`` raises one ``ScenarioError`` listing them all."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    def add(self, key: str, expected: str, found: Any = MISSING) -> None:
        self.problems.append(Problem(self.file, key, expected, "" if found is MISSING else show(found)))

    def done(self) -> None:
        if self.problems:
            raise ScenarioError(self.problems)

    def table(self, raw: Any, path: str, allowed: Iterable[str]) -> dict:
        """``raw`` as a table whose keys must be among ``allowed`` (unknown keys: error with a suggestion)."""
        if not isinstance(raw, dict):
            self.add(path, "a table", raw)
            return {}
        allowed = list(allowed)
        for key in raw:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f' (did you mean "{close[0]}"?)' if close else f" (known keys: {', '.join(allowed)})"
                self.problems.append(Problem(self.file, join(path, key), f"a known key{hint}", "an unknown key"))
        return raw

    def value(self, raw: dict, key: str, path: str, convert: Callable[[Any], Any], expected: str,
              default: Any = MISSING) -> Any:
        """Convert ``raw[key]``; a missing required key or a failed conversion is recorded and gives None."""
        where = join(path, key)
        if key not in raw:
            if default is MISSING:
                self.add(where, expected + " (required)")
                return None
            return default
        try:
            return convert(raw[key])
        except (ValueError, TypeError):
            self.add(where, expected, raw[key])
            return None

    # Common kinds of value -------------------------------------------------------------------
    def duration(self, raw: dict, key: str, path: str, default: Any = MISSING, positive: bool = False) -> Any:
        def conv(v: Any) -> float:
            d = parse_duration(v)
            if d < 0 or (positive and d == 0):
                raise ValueError
            return d
        what = ("a positive " if positive else "a non-negative ") + DURATION_EXAMPLE.removeprefix("a ")
        return self.value(raw, key, path, conv, what, default)

    def rate(self, raw: dict, key: str, path: str, default: Any = MISSING) -> Any:
        def conv(v: Any) -> float:
            r = parse_rate(v)
            if r < 0:
                raise ValueError
            return r
        return self.value(raw, key, path, conv, RATE_EXAMPLE, default)

    def number(self, raw: dict, key: str, path: str, default: Any = MISSING, low: float | None = None,
               high: float | None = None, integer: bool = False, low_open: bool = False) -> Any:
        def conv(v: Any) -> float:
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise TypeError
            if integer and not float(v).is_integer():
                raise ValueError
            if low is not None and (v < low or (low_open and v == low)):
                raise ValueError
            if high is not None and v > high:
                raise ValueError
            return int(v) if integer else float(v)
        kind = "an integer" if integer else "a number"
        if low is not None and high is not None:
            kind += f" from {low:g} to {high:g}"
        elif low is not None:
            kind += f" {'>' if low_open else '≥'} {low:g}"
        return self.value(raw, key, path, conv, kind, default)

    def string(self, raw: dict, key: str, path: str, default: Any = MISSING, choices: Iterable[str] | None = None) -> Any:
        choices = list(choices) if choices is not None else None

        def conv(v: Any) -> str:
            if not isinstance(v, str) or (choices is not None and v not in choices):
                raise ValueError
            return v
        what = "one of " + ", ".join(f'"{c}"' for c in choices) if choices else "a string"
        return self.value(raw, key, path, conv, what, default)

    def clock_range(self, raw: dict, key: str, path: str, default: Any = MISSING) -> Any:
        def conv(v: Any) -> tuple[float, float]:
            if not isinstance(v, str) or "-" not in v:
                raise ValueError
            a, b = v.split("-", 1)
            lo, hi = parse_clock(a), parse_clock(b)
            if hi <= lo:
                raise ValueError
            return lo, hi
        return self.value(raw, key, path, conv, 'opening hours such as "08:00-20:00"', default)
