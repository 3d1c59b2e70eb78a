"""Collect every problem in an input at once, each with its file, dotted key, expectation and finding.

Used by the scenario reader (and any other reader of people's files) so that one run of ``contactsim check`` lists
everything wrong, with a "did you mean" for misspelt keys.
"""
from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Iterable
from typing import Any

from sim.errors import Problem, ScenarioError
from sim.input_warnings import warn_input
from sim.units import (
    DURATION_EXAMPLE,
    RATE_EXAMPLE,
    SERVICE_LEVEL_RULE,
    format_duration,
    parse_clock,
    parse_duration,
    parse_rate,
    parse_service_level,
)

MISSING = object()
MAX_DURATION_S = 3650 * 86400.0  # ten years: longer durations are slips (a date typed as seconds, a unit missed)
MAX_DEPTH = 32  # tables and lists nested deeper than this are refused (a scenario needs about 12)


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
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if value != value else ("inf" if value > 0 else "-inf")
    return repr(value)


def check_tree(raw: Any, chk: Checker, max_depth: int = MAX_DEPTH) -> bool:
    """Walk a whole read file (no recursion): refuse nesting deeper than ``max_depth`` and every NaN or infinite
    float (TOML allows ``nan`` and ``inf``; no scenario key means either). True when nothing was found."""
    n_before = len(chk.problems)
    stack: list[tuple[str, Any, int]] = [("", raw, 0)]
    while stack:
        path, node, depth = stack.pop()
        if isinstance(node, (dict, list)):
            if depth >= max_depth:
                chk.add(path or "(top)", f"tables and lists nested at most {max_depth} deep", text="deeper nesting")
                continue
            items = list(node.items() if isinstance(node, dict) else enumerate(node))
            bad = [k for k, v in items if isinstance(v, float) and not math.isfinite(v)]
            if bad and isinstance(node, list):  # one line per list, however many of its items are bad
                more = f" (and {len(bad) - 1} more in this list)" if len(bad) > 1 else ""
                chk.add(join(path, bad[0]), "a finite number", text=show(node[bad[0]]) + more)
            elif bad:
                for k in bad:
                    chk.add(join(path, k), "a finite number", node[k])
            stack.extend((join(path, k), v, depth + 1) for k, v in reversed(items) if isinstance(v, (dict, list)))
    return len(chk.problems) == n_before


class Checker:
    """Accumulates ``Problem`` s for one file; ``done()`` raises one ``ScenarioError`` listing them all."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    def add(self, key: str, expected: str, found: Any = MISSING, *, text: str | None = None) -> None:
        """Record a problem; ``found`` is a value as read (shown TOML-like), ``text`` a description shown as is."""
        shown = text if text is not None else "" if found is MISSING else show(found)
        self.problems.append(Problem(self.file, key, expected, shown))

    def warn(self, key: str, message: str) -> None:
        """Valid but suspicious: an ``InputWarning`` naming this file and ``key`` (an error under ``--strict``)."""
        warn_input(self.file, key, message)

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
    def duration(self, raw: dict, key: str, path: str, default: Any = MISSING, positive: bool = False,
                 low: float | None = None, high: float | None = MAX_DURATION_S) -> Any:
        """Seconds; ``low``/``high`` (seconds) bound it where a tiny or huge value would make no sense (any duration is
        at most ``MAX_DURATION_S``, ten years)."""
        def conv(v: Any) -> float:
            d = parse_duration(v)
            if d < 0 or (positive and d == 0) or (low is not None and d < low) or (high is not None and d > high):
                raise ValueError
            return d
        what = ("a positive " if positive else "a non-negative ") + DURATION_EXAMPLE.removeprefix("a ")
        try:
            written = parse_duration(raw.get(key)) if key in raw else None
        except ValueError:
            written = None
        if low is not None or (high is not None and written is not None and written > high):
            what += " from " + format_duration(low or 0.0) + (" to " + format_duration(high) if high is not None else "")
        return self.value(raw, key, path, conv, what, default)

    def service_level(self, raw: dict, key: str, path: str, default: Any = MISSING) -> Any:
        """A share answered within the threshold: up to 1 a fraction, above 1 up to 100 a percentage (0 is 0)."""
        return self.value(raw, key, path, parse_service_level, SERVICE_LEVEL_RULE, default)

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
            if not math.isfinite(v) or (integer and not float(v).is_integer()):
                raise ValueError
            if low is not None and (v < low or (low_open and v == low)):
                raise ValueError
            if high is not None and v > high:
                raise ValueError
            return int(v) if integer else float(v)
        kind = "an integer" if integer else "a number"
        written = raw.get(key)
        over = isinstance(written, (int, float)) and high is not None and written > high
        if low is not None and high is not None and not low_open:
            kind += f" from {low:g} to {high:g}"
        elif low is not None:
            kind += f" {'>' if low_open else '≥'} {low:g}" + (f" up to {high:g}" if over else "")
        elif over:
            kind += f" up to {high:g}"
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
