"""The rows of the next-try rule: what a customer whose contact failed or left the issue unresolved does next.

A row says: after a contact on ``from`` ended with one of the outcomes in ``after`` (the closed vocabulary of
``sim.outcomes``; ``served`` means served *and not resolved* — a resolved customer never tries again), the customer
tries again on ``to`` with ``probability``, after a delay drawn from ``delay``, while they have made fewer than
``max_attempts`` attempts on any channel. Written in a scenario as

    [[next_try]]
    from = "social"
    after = ["silent", "ignored", "served"]
    to = "social"
    probability = 0.8
    delay = { dist = "exponential", mean = "3h" }

Today's shorthands produce rows too, so old scenarios keep working unchanged: ``channels.<phone>.redials`` (phone →
phone after blocked, abandoned or abandoned_ivr) and ``channels.<phone>.resolution.call_again`` (phone → phone after
served, unresolved). A ``[[next_try]]`` row for the same from, to and outcome replaces the shorthand's row for that
outcome. A feature may add rows of its own (``sim.next_try.provided``): the reputation model's spillover (phone →
public post after every end of a call, probability from the caller's experience) is one.

Defaults (per from-channel kind and outcome; ``DEFAULTS``):

- phone after blocked, abandoned, abandoned_ivr: 0.5, exponential mean 15 min (Aguir et al. 2004 for the mechanism,
  the values *assumed*, domain notes §1) — the ``redials`` defaults;
- any channel after served, unresolved: 1.0, exponential mean 4 h (*assumed*) — the ``resolution`` defaults;
- social, email or chat after ignored or silent (and abandoned, in session mode): 0.5, exponential mean 4 h
  (*assumed*: the redial share, and the customer finds out late that nobody answers);
- ``max_attempts`` 10 (*assumed*, the ``redials`` cap).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sim.distributions import Dist, Exponential, parse_dist
from sim.outcomes import OUTCOMES
from sim.validate import Checker, join

# Which outcomes can start a next try, by channel kind (the rest of the vocabulary: open, self_served and callback end
# resolved, still open, or with a return call already booked).
PHONE_AFTER = ("blocked", "abandoned", "abandoned_ivr", "served")
MESSAGING_AFTER = ("ignored", "silent", "served")
SESSION_AFTER = ("ignored", "silent", "abandoned", "served")
AFTER = {"phone": PHONE_AFTER, "social": MESSAGING_AFTER, "email": MESSAGING_AFTER, "chat": MESSAGING_AFTER}
KEYS = ("from", "after", "to", "probability", "delay", "max_attempts")
MAX_ATTEMPTS = 10  # [assumed] (the redials cap)
STREAM = "next_try"  # the keyed stream of the rows written in a scenario and of the shorthands' rows
SOURCE_REDIAL = "Aguir et al. 2004 (mechanism); values assumed"


@dataclass(frozen=True)
class Default:
    probability: float
    delay: Dist
    source: str


def default(kind: str, outcome: str) -> Default:
    """The default probability and delay of a row from a channel of ``kind`` after ``outcome`` (module docstring)."""
    if outcome == "served":
        return Default(1.0, Exponential(4 * 3600.0), "assumed")
    if kind == "phone":
        return Default(0.5, Exponential(900.0), SOURCE_REDIAL)
    return Default(0.5, Exponential(4 * 3600.0), "assumed")


@dataclass(frozen=True)
class Row:
    """One next-try row (module docstring). ``key``: where it was written (``next_try[0]``, ``channels.phone.redials``).
    ``stream``: the keyed stream its decisions draw on; the rows of one stream from one contact are exclusive (one
    uniform picks at most one), rows of different streams decide independently. ``every_end``: the row follows every
    end of a contact, resolved ones too (a feature's row, ``sim.next_try.provided``)."""

    from_channel: str
    after: tuple[str, ...]
    to_channel: str
    probability: float
    delay: Dist
    max_attempts: float
    key: str
    source: str = "assumed"
    stream: str = STREAM
    every_end: bool = False

    @property
    def same_channel(self) -> bool:
        return self.from_channel == self.to_channel


def parse_section(raw: Any, path: str, chk: Checker, ctx) -> tuple[Row, ...] | None:
    """``[[next_try]]``: a list of rows (checked against the channels by ``check``). Also written as one row
    (``[next_try]`` with ``from``), or as named rows (``[next_try.social_again]``, …), whose keys a sweep or the
    ``--set`` option can reach: ``next_try.social_again.probability``."""
    if isinstance(raw, dict) and raw and "from" not in raw and all(isinstance(v, dict) for v in raw.values()):
        items = [(join(path, str(k)), v) for k, v in raw.items()]  # named rows
    elif isinstance(raw, dict):
        items = [(path, raw)]
    elif isinstance(raw, list) and raw:
        items = [(join(path, i), r) for i, r in enumerate(raw)]
    else:
        chk.add(path, 'a list of rows such as [[next_try]] from = "social", after = ["silent"], to = "social", '
                      'probability = 0.8', raw)
        return None
    n0 = len(chk.problems)
    channels = getattr(ctx, "channels", {}) or {}
    rows = []
    for where, r in items:
        if not isinstance(r, dict):
            chk.add(where, "a table with from, after, to, probability, delay, max_attempts", r)
            continue
        chk.table(r, where, KEYS)
        names = list(channels)
        src = chk.string(r, "from", where, choices=names or None)
        dst = chk.string(r, "to", where, default=src, choices=names or None)
        kind = channels[src].kind if src in channels else None
        after = r.get("after")
        allowed = AFTER.get(kind or "", MESSAGING_AFTER + PHONE_AFTER)
        if kind in ("social", "email", "chat") and channels[src].extra.get("mode") == "session":
            allowed = SESSION_AFTER  # a session-mode conversation can also be abandoned in the queue
        if not (isinstance(after, list) and after and all(isinstance(a, str) for a in after)):
            chk.add(join(where, "after"), f"a list of outcomes such as {list(allowed)} (required)",
                    after if "after" in r else "nothing")
            after = None
        else:
            bad = [a for a in after if a not in OUTCOMES]
            wrong = [a for a in after if a in OUTCOMES and a not in allowed]
            if bad:
                chk.add(join(where, "after"), f"outcomes of the closed vocabulary ({', '.join(OUTCOMES)})",
                        text=", ".join(map(repr, bad)))
            elif wrong:
                chk.add(join(where, "after"), f"outcomes a {kind} contact can try again after ({', '.join(allowed)}; "
                        "served means served and not resolved)", text=", ".join(map(repr, wrong)))
            if bad or wrong:
                after = None
        d = default(kind or "phone", after[0] if after else "served") if after else None
        p = chk.number(r, "probability", where, default=d.probability if d else 0.5, low=0, high=1)
        delay = parse_dist(r["delay"], join(where, "delay"), chk, ctx.base_dir) if "delay" in r else \
            (d.delay if d else None)
        cap = chk.number(r, "max_attempts", where, default=MAX_ATTEMPTS, low=1, integer=True)
        if after:
            ds = [default(kind or "phone", a) for a in after]
            mixed = [k for k, same in (("probability", len({x.probability for x in ds}) == 1),
                                       ("delay", len({x.delay for x in ds}) == 1)) if not same and k not in r]
            if mixed:
                chk.add(join(where, mixed[0]), f"{mixed[0]} written out: its default differs between these outcomes "
                        "(served and unresolved: 1.0 after 4 h; ignored or silent: 0.5 after 4 h; a failed call: 0.5 "
                        "after 15 min)", text="nothing")
        if src is None or dst is None or after is None or p is None or delay is None or cap is None:
            continue
        rows.append(Row(src, tuple(after), dst, float(p), delay, float(cap), where,
                        "written" if "probability" in r else d.source if d else "assumed"))
    if len(chk.problems) > n0:
        return None
    seen: dict[tuple[str, str, str], str] = {}
    for row in rows:
        for a in row.after:
            other = seen.setdefault((row.from_channel, row.to_channel, a), row.key)
            if other != row.key:
                chk.add(join(row.key, "after"), f"one row per from, to and outcome ({other} already has "
                        f"{row.from_channel} → {row.to_channel} after {a})", a)
    return None if len(chk.problems) > n0 else tuple(rows)


def shorthand_rows(channel, funnel) -> list[Row]:
    """The rows a phone channel's ``redials`` and ``resolution.call_again`` keys stand for (``funnel``: its
    ``sim.funnel.spec.Funnel``)."""
    out = []
    name = channel.name
    if funnel.redials is not None:
        rd = funnel.redials
        out.append(Row(name, tuple(rd.after), name, rd.probability, rd.delay, float(rd.max_attempts),
                       f"channels.{name}.redials", SOURCE_REDIAL))
    if funnel.resolution is not None:
        res = funnel.resolution
        cap = float(funnel.redials.max_attempts) if funnel.redials is not None else float("inf")
        out.append(Row(name, ("served",), name, res.call_again, res.delay, cap,
                       f"channels.{name}.resolution.call_again", "assumed"))
    return out


def rows_of(scenario) -> tuple[Row, ...]:
    """Every row the scenario runs: the shorthands' (less the outcomes a ``[[next_try]]`` row takes over), then the
    section's."""
    from sim.funnel.spec import funnel_spec

    written: tuple[Row, ...] = scenario.sections.get("next_try") or ()
    taken = {(r.from_channel, r.to_channel, a) for r in written for a in r.after}
    out = []
    for ch in scenario.channels.values():
        f = funnel_spec(ch) if ch.kind == "phone" else None
        if f is None:
            continue
        for r in shorthand_rows(ch, f):
            keep = tuple(a for a in r.after if (r.from_channel, r.to_channel, a) not in taken)
            if keep:
                out.append(r if keep == r.after else Row(r.from_channel, keep, r.to_channel, r.probability, r.delay,
                                                         r.max_attempts, r.key, r.source))
    return (*out, *written)


def row_for(rows, from_channel: str, to_channel: str, outcome: str) -> Row | None:
    """The row from ``from_channel`` to ``to_channel`` after ``outcome``, if any."""
    for r in rows:
        if r.from_channel == from_channel and r.to_channel == to_channel and outcome in r.after:
            return r
    return None


def check(scenario, chk: Checker) -> None:
    """Cross-checks: the rows from one channel after one outcome add up to at most 1."""
    total: dict[tuple[str, str], list[Row]] = {}
    for r in rows_of(scenario):
        for a in r.after:
            total.setdefault((r.from_channel, a), []).append(r)
    for (src, a), rows in total.items():
        if len(rows) > 1 and math.fsum(r.probability for r in rows) > 1 + 1e-12:
            written = next((r for r in rows if r.key.startswith("next_try")), rows[-1])
            chk.add(join(written.key, "probability"), f"probabilities of the rows from {src} after {a} adding up to at "
                    "most 1 (a customer tries again at most once per contact)",
                    text=" + ".join(f"{r.probability:g} ({r.key})" for r in rows))
