"""Scenario keys of the phone funnel, besides the IVR tree (``sim.funnel.ivr``).

Each ``parse_*`` is a phone-channel key of the funnel feature (``sim.extensions.FUNNEL``), called by the scenario
reader as ``fn(raw_value, path, chk, ctx)``; ``check`` is a post-check over the whole scenario; ``build_funnel(channel)``
gathers a channel's parsed keys with their defaults at load time (``None`` when the channel has none: the plain
Erlang-A queue) and ``funnel_spec(channel)`` returns it. Defaults and
their sources are listed in ``docs/funnel.md``; assumed ones are marked [assumed].
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.distributions import Dist, Exponential, Lognormal, parse_dist
from sim.funnel.ivr import Ivr
from sim.validate import Checker, join

KEYS = ("lines", "ivr", "priorities", "departments", "transfers", "hold", "redials", "callbacks", "resolution")
REDIAL_AFTER = ("blocked", "abandoned", "abandoned_ivr")


@dataclass(frozen=True)
class Priorities:
    """Priority classes of callers and their shares (e.g. premium = 2 as in the Anonymous Bank data); higher first."""

    classes: tuple[int, ...]
    shares: tuple[float, ...]
    cum: tuple[float, ...] = field(default=(), repr=False)

    def __post_init__(self):
        object.__setattr__(self, "cum", tuple(np.cumsum(self.shares).tolist()))

    def at(self, u: float) -> int:
        return self.classes[min(bisect.bisect_right(self.cum, u), len(self.classes) - 1)]


@dataclass(frozen=True)
class Department:
    """A department queue's own settings: handle time, and overflow to other groups after ``overflow_after_s``."""

    handle_time: Dist | None = None
    overflow_after_s: float | None = None
    overflow_to: tuple[str, ...] = ()


@dataclass(frozen=True)
class Transfers:
    """What an agent does with a caller of another department: diagnose, then transfer cold (caller re-queues and
    repeats the issue) or warm (queued with ``warm_priority`` in the target queue, no repetition)."""

    diagnosis: Dist = Lognormal.from_mean_cv(60.0, 0.5)  # "a short diagnosis (~1 min)", domain notes §2; shape [assumed]
    mode: str = "cold"                                      # [assumed]
    repeat: Dist | None = Exponential(30.0)                 # extra handle time after a cold transfer [assumed]
    warm_priority: int = 10                                 # ahead of every caller class [assumed]
    misdiagnosis: float = 0.0                               # transfer to yet another wrong department [assumed]
    handles_any: tuple[str, ...] = ()                       # queues whose agents handle every issue (no transfer)


@dataclass(frozen=True)
class Hold:
    """Hold announcements every ``every_s`` seconds; at each a waiting caller hangs up with probability ``abandon``
    (the patience hazard spikes at announcements: Brown et al. 2005, domain notes §1; the size is [assumed])."""

    every_s: float = 60.0
    abandon: float = 0.03


@dataclass(frozen=True)
class Redials:
    """Blocked or abandoned callers call again with ``probability`` after ``delay`` (Aguir et al. 2004; defaults r = 0.5,
    exponential mean 15 min [assumed], domain notes §1). ``max_attempts`` caps one customer's attempts [assumed]."""

    probability: float = 0.5
    delay: Dist = Exponential(900.0)
    after: tuple[str, ...] = REDIAL_AFTER
    max_attempts: int = 10


@dataclass(frozen=True)
class Callbacks:
    """Virtual hold: when the expected wait exceeds ``offer_above_s``, callers are offered a call back and accept with
    probability ``accept`` [assumed]; the return call waits behind every live call. Target: back within ``within_s``
    (consumers expect a phone call back within 2 h: Social Media Today, domain notes §3)."""

    offer_above_s: float = 120.0
    accept: float = 0.5
    within_s: float = 7200.0


@dataclass(frozen=True)
class Resolution:
    """First-contact resolution: a served call resolves the issue with ``first_contact`` [assumed], lowered by
    ``transfer_penalty`` (relative) after a transfer (−14%: SQM Group, domain notes §2); an unresolved customer calls
    again with ``call_again`` after ``delay`` [assumed]."""

    first_contact: float = 0.75
    transfer_penalty: float = 0.14
    call_again: float = 1.0
    delay: Dist = Exponential(4 * 3600.0)


@dataclass(frozen=True)
class Funnel:
    """Everything the phone funnel needs for one channel (defaults filled in)."""

    lines: int | None
    ivr: Ivr | None
    priorities: Priorities | None
    departments: dict
    transfers: Transfers
    hold: Hold | None
    redials: Redials | None
    callbacks: Callbacks | None
    resolution: Resolution | None


def funnel_spec(channel) -> Funnel | None:
    """The channel's funnel (built at load time), or None when it uses none of the funnel keys (the plain queue)."""
    return channel.features.get("funnel")


def build_funnel(channel) -> Funnel | None:
    """The channel's parsed funnel keys with their defaults, or None when it uses none of them."""
    ex = channel.extra
    if channel.kind != "phone" or not any(k in ex for k in KEYS):
        return None
    return Funnel(ex.get("lines"), ex.get("ivr"), ex.get("priorities"), dict(ex.get("departments") or {}),
                  ex.get("transfers") or Transfers(), ex.get("hold"), ex.get("redials"), ex.get("callbacks"),
                  ex.get("resolution"))


# Parsers -----------------------------------------------------------------------------------------------------------
def _dist(raw: dict, key: str, path: str, chk: Checker, ctx, default):
    return parse_dist(raw[key], join(path, key), chk, ctx.base_dir) if key in raw else default


def parse_lines(raw: Any, path: str, chk: Checker, ctx) -> int | None:
    """``lines = N``: trunk lines; a call finding N calls in the system (IVR, queue, service) gets a busy signal."""
    return chk.number({"lines": raw}, "lines", path.rsplit(".", 1)[0], low=1, integer=True)


def parse_priorities(raw: Any, path: str, chk: Checker, ctx) -> Priorities | None:
    """``priorities = { 0 = 0.85, 2 = 0.15 }``: class → share of callers."""
    if not isinstance(raw, dict) or not raw:
        chk.add(path, "a table of priority class → share, such as { 0 = 0.85, 2 = 0.15 }", raw)
        return None
    classes, shares, ok = [], [], True
    for k in raw:
        try:
            cls = int(k)
        except ValueError:
            chk.add(join(path, k), "a whole-number priority class as the key (higher is served first)", k)
            ok = False
            continue
        s = chk.number(raw, k, path, low=0, high=1)
        if s is None:
            ok = False
            continue
        classes.append(cls)
        shares.append(s)
    if ok and abs(sum(shares) - 1) > 1e-6:
        chk.add(path, "shares summing to 1", f"{shares} (sum {sum(shares):g})")
        ok = False
    if not ok:
        return None
    order = np.argsort(classes)
    return Priorities(tuple(classes[i] for i in order), tuple(shares[i] for i in order))


def parse_departments(raw: Any, path: str, chk: Checker, ctx) -> dict | None:
    """``[channels.phone.departments.QUEUE]``: per-department handle time and overflow."""
    if not isinstance(raw, dict):
        chk.add(path, "a table of departments: [channels.phone.departments.billing]", raw)
        return None
    out = {}
    for q, d in raw.items():
        p = join(path, q)
        if not isinstance(d, dict):
            chk.add(p, "a department table (handle_time, overflow_after, overflow_to)", d)
            continue
        n0 = len(chk.problems)
        chk.table(d, p, ("handle_time", "overflow_after", "overflow_to"))
        ht = _dist(d, "handle_time", p, chk, ctx, None)
        after = chk.duration(d, "overflow_after", p, default=None)
        to = d.get("overflow_to", [])
        if not (isinstance(to, list) and all(isinstance(g, str) for g in to)):
            chk.add(join(p, "overflow_to"), 'a list of agent group names such as ["general"]', to)
            to = []
        if (after is None) != (not to) and len(chk.problems) == n0:
            chk.add(p, "overflow_after and overflow_to together (after how long, to which groups)",
                    "only overflow_after" if after is not None else "only overflow_to")
        if len(chk.problems) == n0:
            out[q] = Department(ht, after, tuple(to))
    return out


def parse_transfers(raw: Any, path: str, chk: Checker, ctx) -> Transfers | None:
    if not isinstance(raw, dict):
        chk.add(path, "a transfers table (diagnosis_time, mode, repeat_time, warm_priority, misdiagnosis, handles_any)",
                raw)
        return None
    n0 = len(chk.problems)
    chk.table(raw, path, ("diagnosis_time", "mode", "repeat_time", "warm_priority", "misdiagnosis", "handles_any"))
    d = Transfers()
    diag = _dist(raw, "diagnosis_time", path, chk, ctx, d.diagnosis)
    mode = chk.string(raw, "mode", path, default=d.mode, choices=("cold", "warm"))
    repeat = _dist(raw, "repeat_time", path, chk, ctx, d.repeat)
    warm = chk.number(raw, "warm_priority", path, default=d.warm_priority, integer=True)
    mis = chk.number(raw, "misdiagnosis", path, default=d.misdiagnosis, low=0, high=1)
    anyq = raw.get("handles_any", [])
    if not (isinstance(anyq, list) and all(isinstance(q, str) for q in anyq)):
        chk.add(join(path, "handles_any"), 'a list of queue ids such as ["general"]', anyq)
    if len(chk.problems) > n0:
        return None
    return Transfers(diag, mode, repeat, warm, mis, tuple(anyq))


def parse_hold(raw: Any, path: str, chk: Checker, ctx) -> Hold | None:
    if not isinstance(raw, dict):
        chk.add(path, 'a hold table such as { announce_every = "60s", abandon = 0.03 }', raw)
        return None
    n0 = len(chk.problems)
    chk.table(raw, path, ("announce_every", "abandon"))
    d = Hold()
    every = chk.duration(raw, "announce_every", path, default=d.every_s, positive=True)
    ab = chk.number(raw, "abandon", path, default=d.abandon, low=0, high=1)
    return None if len(chk.problems) > n0 else Hold(every, ab)


def parse_redials(raw: Any, path: str, chk: Checker, ctx) -> Redials | None:
    if not isinstance(raw, dict):
        chk.add(path, 'a redials table such as { probability = 0.5, delay = { dist = "exponential", mean = "15min" } }',
                raw)
        return None
    n0 = len(chk.problems)
    chk.table(raw, path, ("probability", "delay", "after", "max_attempts"))
    d = Redials()
    p = chk.number(raw, "probability", path, default=d.probability, low=0, high=1)
    delay = _dist(raw, "delay", path, chk, ctx, d.delay)
    after = raw.get("after", list(d.after))
    if not (isinstance(after, list) and all(a in REDIAL_AFTER for a in after)):
        chk.add(join(path, "after"), f"a list of outcomes among {', '.join(REDIAL_AFTER)}", after)
    cap = chk.number(raw, "max_attempts", path, default=d.max_attempts, low=1, integer=True)
    return None if len(chk.problems) > n0 else Redials(p, delay, tuple(after), cap)


def parse_callbacks(raw: Any, path: str, chk: Checker, ctx) -> Callbacks | None:
    if not isinstance(raw, dict):
        chk.add(path, 'a callbacks table such as { offer_above = "2min", accept = 0.5, within = "2h" }', raw)
        return None
    n0 = len(chk.problems)
    chk.table(raw, path, ("offer_above", "accept", "within"))
    d = Callbacks()
    above = chk.duration(raw, "offer_above", path, default=d.offer_above_s)
    acc = chk.number(raw, "accept", path, default=d.accept, low=0, high=1)
    within = chk.duration(raw, "within", path, default=d.within_s, positive=True)
    return None if len(chk.problems) > n0 else Callbacks(above, acc, within)


def parse_resolution(raw: Any, path: str, chk: Checker, ctx) -> Resolution | None:
    if not isinstance(raw, dict):
        chk.add(path, "a resolution table such as { first_contact = 0.75, transfer_penalty = 0.14 }", raw)
        return None
    n0 = len(chk.problems)
    chk.table(raw, path, ("first_contact", "transfer_penalty", "call_again", "delay"))
    d = Resolution()
    fc = chk.number(raw, "first_contact", path, default=d.first_contact, low=0, high=1)
    pen = chk.number(raw, "transfer_penalty", path, default=d.transfer_penalty, low=0, high=1)
    again = chk.number(raw, "call_again", path, default=d.call_again, low=0, high=1)
    delay = _dist(raw, "delay", path, chk, ctx, d.delay)
    return None if len(chk.problems) > n0 else Resolution(fc, pen, again, delay)


def check(sc, chk: Checker) -> None:
    """Cross-checks needing the agent groups: departments and overflow targets, generalist queues, IVR vs ivr_time."""
    for ch in sc.channels.values():
        f = funnel_spec(ch)
        if f is None:
            continue
        base = f"channels.{ch.name}"
        queues = ch.queues
        if f.ivr is not None and ch.ivr_time is not None:
            chk.add(join(base, "ivr_time"), "either ivr_time (a flat delay) or an [ivr] menu tree, not both", "both")
        for q, dep in f.departments.items():
            p = join(join(base, "departments"), q)
            if q not in queues:
                chk.add(p, f"a queue of this channel ({', '.join(queues)})", q)
                continue
            for i, g in enumerate(dep.overflow_to):
                gp = join(join(p, "overflow_to"), i)
                if g not in sc.agents:
                    chk.add(gp, f"an agent group ({', '.join(sc.agents)})", g)
                elif q in sc.agents[g].serves:
                    chk.add(gp, f"a group that does not already serve {q}", g)
        for i, q in enumerate(f.transfers.handles_any):
            if q not in queues:
                chk.add(join(join(base, "transfers.handles_any"), i), f"a queue of this channel ({', '.join(queues)})", q)


