"""Command-line option readers shared by ``contactsim erlang`` and ``erlang --forecast``: each turns the text of one
option into a value or raises ``ValueError``, which ``_option`` turns into one ``error: --flag: expected …`` line."""
from __future__ import annotations

import math
import re

from sim.errors import InputError

_NUMBER = r"[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?"
_FRACTION = re.compile(rf"^\s*({_NUMBER})\s*(%?)\s*$")


def _option(flag: str, text: str, parse, expected: str):
    try:
        return parse(text)
    except ValueError:
        raise InputError(f"{flag}: expected {expected}, got {text!r}") from None


def parse_target(text: str) -> tuple[float, float]:
    """``"80/20s"`` or ``"0.8/20s"`` -> (0.8, 20.0) by the one rule of ``sim.units.parse_target`` (a number up to 1 is a
    fraction, above 1 up to 100 a percentage); a staffing target must lie strictly between 0% and 100%."""
    from sim.units import parse_target as parse

    level, within = parse(text)
    if not 0.0 < level < 1.0:
        raise ValueError(text)
    return level, within


def parse_fraction(text: str, allow_zero: bool, allow_one: bool) -> float:
    """``"30%"`` or ``"0.3"`` -> 0.3, refusing values outside [0, 1] (and 0 or 1 unless allowed)."""
    m = _FRACTION.match(text)
    if not m:
        raise ValueError(text)
    value = float(m.group(1)) / (100.0 if m.group(2) else 1.0)
    if value < 0.0 or value > 1.0 or (value == 0.0 and not allow_zero) or (value == 1.0 and not allow_one):
        raise ValueError(text)
    return value


def _whole(text: str) -> int:
    if not re.fullmatch(r"\s*[0-9]+\s*", text):
        raise ValueError(text)
    return int(text)


def _positive(parse):
    def checked(text: str) -> float:
        value = parse(text)
        if not value > 0.0 or math.isinf(value):
            raise ValueError(text)
        return value
    return checked
