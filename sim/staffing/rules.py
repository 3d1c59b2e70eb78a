"""The scenario's ``[staffing]`` table: shrinkage, how hard the search simulates, and the shift rules.

    [staffing]
    shrinkage = 0.30            # share of rostered time lost to absence, training, meetings  [assumed default 0.30]
    replications = 40           # replications per simulation in the search (common random numbers)
    check_replications = 40     # fresh replications that check the final plan
    start = "isa"               # isa | mol_erlang_a | erlang_a | erlang_c | sqrt_hw
    sl_definition = "sl_offered"
    margin_z = 0.0              # > 0: an interval passes only if it clears its target by z standard errors

    [staffing.shifts]
    starts = { from = "08:00", to = "16:00", every = "30min" }   # or a list of clock times
    lengths = ["4h", "6h", "8h"]
    break = { longer_than = "5h", length = "30min", earliest = "2h", latest = "5h", paid = false }

Shrinkage here is what the simulation does not model: breaks the scenario models with ``availability`` (or that the
shift rule places explicitly) must not be counted again. Industry shrinkage figures run around 30–35% **[assumed]**.
"""
from __future__ import annotations

from dataclasses import dataclass

from sim.units import parse_clock, parse_duration
from sim.validate import Checker, join

STARTS = ("isa", "mol_erlang_a", "erlang_a", "erlang_c", "sqrt_hw")
DEFAULT_SHRINKAGE = 0.30


@dataclass(frozen=True)
class BreakRule:
    """Shifts longer than ``longer_than_s`` contain one break of ``length_s``, starting between ``earliest_s`` and
    ``latest_s`` after the shift starts; unpaid unless ``paid``."""

    longer_than_s: float
    length_s: float
    earliest_s: float
    latest_s: float
    paid: bool = False


@dataclass(frozen=True)
class ShiftRules:
    """Allowed shift starts (clock seconds after midnight, every day of the horizon), lengths and the break rule."""

    starts_clock_s: tuple[float, ...]
    lengths_s: tuple[float, ...]
    break_rule: BreakRule | None = None


@dataclass(frozen=True)
class StaffingSettings:
    shrinkage: float = DEFAULT_SHRINKAGE
    replications: int = 40
    check_replications: int = 40
    start: str = "isa"
    sl_definition: str = "sl_offered"
    margin_z: float = 0.0
    shifts: ShiftRules | None = None


def parse_section(raw, path: str, chk: Checker, ctx) -> StaffingSettings | None:
    """``[staffing]`` (a section of the staffing feature, ``sim.extensions.STAFFING``)."""
    raw = chk.table(raw, path, ("shrinkage", "replications", "check_replications", "start", "sl_definition",
                                "margin_z", "shifts"))
    shrink = chk.number(raw, "shrinkage", path, default=DEFAULT_SHRINKAGE, low=0, high=0.95)
    reps = chk.number(raw, "replications", path, default=40, low=2, integer=True)
    check = chk.number(raw, "check_replications", path, default=40, low=2, integer=True)
    start = chk.string(raw, "start", path, default="isa", choices=STARTS)
    sl_def = chk.string(raw, "sl_definition", path, default="sl_offered",
                        choices=("sl_offered", "sl_answered", "sl_excl_short_abandons"))
    margin = chk.number(raw, "margin_z", path, default=0.0, low=0, high=10)
    shifts = parse_shifts(raw["shifts"], join(path, "shifts"), chk) if "shifts" in raw else None
    if None in (shrink, reps, check, start, sl_def, margin):
        return None
    return StaffingSettings(shrink, reps, check, start, sl_def, margin, shifts)


def parse_shifts(raw, path: str, chk: Checker) -> ShiftRules | None:
    raw = chk.table(raw, path, ("starts", "lengths", "break"))
    starts = _parse_starts(raw.get("starts"), join(path, "starts"), chk)
    lengths = None
    lraw = raw.get("lengths")
    if not isinstance(lraw, list) or not lraw:
        chk.add(join(path, "lengths"), 'a list of shift lengths such as ["4h", "8h"] (required)',
                lraw if lraw is not None else "nothing")
    else:
        got = []
        for i, v in enumerate(lraw):
            try:
                d = parse_duration(v)
                if not 0 < d <= 24 * 3600:
                    raise ValueError
                got.append(d)
            except ValueError:
                chk.add(join(path, f"lengths[{i}]"), 'a shift length above 0 and at most 24h such as "8h"', v)
        lengths = tuple(sorted(set(got))) if len(got) == len(lraw) else None
    brk = _parse_break(raw["break"], join(path, "break"), chk) if "break" in raw else None
    if starts is None or lengths is None or ("break" in raw and brk is None):
        return None
    return ShiftRules(starts, lengths, brk)


def _parse_starts(raw, path: str, chk: Checker) -> tuple[float, ...] | None:
    expected = 'a list of clock times such as ["08:00", "09:00"] or { from = "08:00", to = "16:00", every = "30min" }'
    if isinstance(raw, list) and raw:
        out = []
        for i, v in enumerate(raw):
            try:
                out.append(parse_clock(v))
            except ValueError:
                chk.add(f"{path}[{i}]", 'a clock time such as "08:00"', v)
                return None
        return tuple(sorted(set(out)))
    if isinstance(raw, dict):
        t = chk.table(raw, path, ("from", "to", "every"))
        lo = chk.value(t, "from", path, parse_clock, 'a clock time such as "08:00"')
        hi = chk.value(t, "to", path, parse_clock, 'a clock time such as "16:00"')
        every = chk.duration(t, "every", path, positive=True)
        if lo is None or hi is None or every is None:
            return None
        if hi < lo:
            chk.add(join(path, "to"), f"a clock time not before from ({raw.get('from')})", raw.get("to"))
            return None
        n = int((hi - lo) // every + 1e-9) + 1
        return tuple(lo + k * every for k in range(n))
    chk.add(path, expected + " (required)", raw if raw is not None else "nothing")
    return None


def _parse_break(raw, path: str, chk: Checker) -> BreakRule | None:
    t = chk.table(raw, path, ("longer_than", "length", "earliest", "latest", "paid"))
    longer = chk.duration(t, "longer_than", path, default=0.0)
    length = chk.duration(t, "length", path, positive=True)
    earliest = chk.duration(t, "earliest", path, default=0.0)
    latest = chk.duration(t, "latest", path, default=None)
    paid = t.get("paid", False)
    if not isinstance(paid, bool):
        chk.add(join(path, "paid"), "true or false", paid)
        return None
    if None in (longer, length, earliest):
        return None
    if latest is not None and latest < earliest:
        chk.add(join(path, "latest"), f"an offset not before earliest ({t.get('earliest')})", t.get("latest"))
        return None
    return BreakRule(longer, length, earliest, latest if latest is not None else float("inf"), paid)
