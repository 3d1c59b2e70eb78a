"""Reading the IVR menu tree from a scenario (``[channels.NAME.ivr]``): every problem is reported with the menu path
that has it (``channels.phone.ivr.menus.sales.options[1].goto``), and cycles of ``goto`` are refused.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.distributions import Dist, Exponential, parse_dist
from sim.funnel.ivr import Issue, Ivr, Leaf, Menu, Option, SelfService
from sim.validate import Checker, join

# Defaults (docs/funnel.md lists them with their sources).
SECONDS_PER_OPTION = 3.0      # prompt time per option (domain notes §2)
DECISION_MEAN_S = 4.0         # mean caller decision time per menu, exponential [assumed]
MISROUTE = 0.07               # per level (domain notes §2) [assumed calibration to SQM Group]
ZERO_OUT = 0.02               # share pressing 0 at each menu [assumed]
HANG_UP = 0.01                # share hanging up in each menu [assumed]
MAX_ISSUES = 10_000          # paths from the main menu to a leaf
MAX_LEVELS = 20              # menus from the main menu to a department, goto chains included (real trees have 2–5)

MENU_KEYS = ("label", "prompt", "seconds_per_option", "decision_time", "misroute", "zero_out", "hang_up", "options")
IVR_KEYS = ("greeting", "zero_out_queue", "menu", "menus", *MENU_KEYS[1:-1])


@dataclass
class _Defaults:
    seconds_per_option: float
    decision: Dist | None
    misroute: float
    zero_out: float
    hang_up: float


class _Reader:
    def __init__(self, chk: Checker, base: str, defaults: _Defaults, named: dict, queues: set[str], ctx):
        self.chk, self.base, self.defaults, self.named, self.queues, self.ctx = chk, base, defaults, named, queues, ctx
        self.done: dict[str, Menu | None] = {}
        self.reached: set[str] = set()
        self.ok = True
        self.bad_goto = False

    def problem(self, key: str, expected: str, found: Any = None) -> None:
        self.ok = False
        if found is None:
            self.chk.add(key, expected)
        else:
            self.chk.add(key, expected, found)

    def menu(self, raw: Any, path: str, name: str, stack: tuple[str, ...]) -> Menu | None:
        chk, d = self.chk, self.defaults
        if not isinstance(raw, dict):
            self.problem(path, "a menu table with options = [...]", raw)
            return None
        n_before = len(chk.problems)
        chk.table(raw, path, MENU_KEYS)
        spo = chk.duration(raw, "seconds_per_option", path, default=d.seconds_per_option)
        decision = parse_dist(raw["decision_time"], join(path, "decision_time"), chk, self.ctx.base_dir) \
            if "decision_time" in raw else d.decision
        probs = {k: chk.number(raw, k, path, default=getattr(d, k), low=0, high=1)
                 for k in ("misroute", "zero_out", "hang_up")}
        label = chk.string(raw, "label", path, default=name)
        opts_raw = raw.get("options")
        opath = join(path, "options")
        if not (isinstance(opts_raw, list) and opts_raw):
            self.problem(opath, "a non-empty list of options such as { share = 0.5, queue = \"billing\" }",
                         opts_raw if "options" in raw else None)
            return None
        options = []
        for i, o in enumerate(opts_raw):
            opt = self.option(o, join(opath, i), label or name, i, stack)
            options.append(opt)
        shares = [o.share for o in options if o is not None]
        if len(shares) == len(options) and abs(sum(shares) - 1) > 1e-6:
            self.problem(opath, "option shares summing to 1 (each: the part of the callers reaching this menu whose "
                                "issue lies below the option)", f"shares {shares} (sum {sum(shares):g})")
        prompt = chk.duration(raw, "prompt", path, default=None)
        if len(chk.problems) > n_before or any(o is None for o in options) or spo is None:
            self.ok = False
            return None
        if prompt is None:
            prompt = len(options) * spo
        return Menu(label or name, prompt, decision, probs["misroute"], probs["zero_out"], probs["hang_up"],
                    tuple(options), path)

    def option(self, raw: Any, path: str, menu_name: str, i: int, stack: tuple[str, ...]) -> Option | None:
        chk = self.chk
        if not isinstance(raw, dict):
            self.problem(path, 'an option table such as { share = 0.3, queue = "billing" }', raw)
            return None
        n_before = len(chk.problems)
        chk.table(raw, path, ("label", "share", "queue", "goto", "menu", "self_service"))
        label = chk.string(raw, "label", path, default=f"{menu_name}/{i + 1}")
        share = chk.number(raw, "share", path, low=0, high=1)
        kinds = [k for k in ("queue", "goto", "menu") if k in raw]
        if len(kinds) != 1:
            self.problem(path, 'exactly one of queue = "…" (a department), goto = "…" (a named menu) or menu = {…}',
                         ", ".join(kinds) or "none of them")
            return None
        target: Menu | Leaf | None = None
        if "self_service" in raw and kinds[0] != "queue":
            self.problem(join(path, "self_service"), 'self-service on a leaf with queue = "…" (where callers go when '
                                                     'self-service does not complete)', "a menu")
        if kinds[0] == "queue":
            q = chk.string(raw, "queue", path)
            if q is not None and self.queues and q not in self.queues:
                self.problem(join(path, "queue"), f"a queue served by an agent group ({', '.join(sorted(self.queues))})",
                             q)
                q = None
            ss = self.self_service(raw["self_service"], join(path, "self_service")) if "self_service" in raw else None
            if q is not None and ss is not False:
                target = Leaf(label or f"{menu_name}/{i + 1}", q, ss, path)
        elif kinds[0] == "menu":
            target = self.menu(raw["menu"], join(path, "menu"), label or f"{menu_name}/{i + 1}", stack)
        else:
            ref = raw["goto"]
            gpath = join(path, "goto")
            if not isinstance(ref, str) or ref not in self.named:
                self.bad_goto = True
                known = ", ".join(sorted(self.named)) or "none defined"
                self.problem(gpath, f"the name of a menu under {self.base}.menus ({known})", ref)
            elif ref in stack:
                cycle = " → ".join([*stack[stack.index(ref):], ref])
                self.problem(gpath, f"a menu that does not lead back to itself (cycle {cycle})", ref)
            else:
                self.reached.add(ref)
                if ref not in self.done:
                    self.done[ref] = None  # in progress
                    self.done[ref] = self.menu(self.named[ref], join(join(self.base, "menus"), ref), ref,
                                               (*stack, ref))
                target = self.done[ref]
        if len(chk.problems) > n_before or target is None or share is None:
            self.ok = False
            return None
        return Option(label or f"{menu_name}/{i + 1}", share, target)

    def self_service(self, raw: Any, path: str) -> SelfService | bool:
        chk = self.chk
        if not isinstance(raw, dict):
            self.problem(path, 'a table such as { p = 0.4, duration = { dist = "exponential", mean = "90s" } }', raw)
            return False
        chk.table(raw, path, ("p", "duration"))
        p = chk.number(raw, "p", path, low=0, high=1)
        if "duration" not in raw:
            self.problem(join(path, "duration"), "a distribution of time spent in self-service (required)")
            return False
        dur = parse_dist(raw["duration"], join(path, "duration"), chk, self.ctx.base_dir)
        if p is None or dur is None:
            return False
        return SelfService(p, dur)


@dataclass(frozen=True)
class Unparsed:
    """Stands in for a tree with problems (already reported), so that agent groups serving its departments are not
    reported as serving unknown queues as well."""

    queues: tuple[str, ...]


def served_queues(ctx) -> set[str]:
    """Queue ids some agent group serves, read from the raw scenario (the groups are parsed after the channels)."""
    out = set()
    agents = ctx.raw.get("agents")
    if isinstance(agents, dict):
        for g in agents.values():
            serves = g.get("serves") if isinstance(g, dict) else None
            if isinstance(serves, list):
                out |= {q for q in serves if isinstance(q, str)}
    return out


def _submenus(menu: Any, named: dict) -> list[dict]:
    """The menus one level below a raw menu table: inline ``menu = {…}`` and ``goto = "name"`` targets."""
    out = []
    options = menu.get("options") if isinstance(menu, dict) else None
    for o in options if isinstance(options, list) else ():
        if not isinstance(o, dict):
            continue
        if isinstance(o.get("menu"), dict):
            out.append(o["menu"])
        ref = o.get("goto")
        if isinstance(ref, str) and isinstance(named.get(ref), dict):
            out.append(named[ref])
    return out


def menu_levels(roots: list[Any], named: dict) -> int:
    """Most menus on any path from one of ``roots`` down to a leaf, walked without recursion (a goto cycle counts
    once; the reader reports it)."""
    height: dict[int, int] = {}
    open_: set[int] = set()
    best = 0
    for root in roots:
        stack = [(root, False)]
        while stack:
            node, expanded = stack.pop()
            key = id(node)
            if key in height:
                continue
            below = _submenus(node, named)
            if not expanded:
                open_.add(key)
                stack.append((node, True))
                stack.extend((c, False) for c in below if id(c) not in height and id(c) not in open_)
            else:
                open_.discard(key)
                height[key] = 1 + max((height.get(id(c), 0) for c in below), default=0)
        best = max(best, height.get(id(root), 0))
    return best


def parse_ivr(raw: Any, path: str, chk: Checker, ctx) -> Ivr | None:
    """``[channels.NAME.ivr]``: the menu tree (see the module docstring and docs/funnel.md)."""
    if not isinstance(raw, dict):
        chk.add(path, "an IVR table with a main menu: [channels.phone.ivr.menu] options = [...]", raw)
        return None
    n_before = len(chk.problems)
    chk.table(raw, path, IVR_KEYS)
    greeting = chk.duration(raw, "greeting", path, default=0.0)
    spo = chk.duration(raw, "seconds_per_option", path, default=SECONDS_PER_OPTION)
    decision = parse_dist(raw["decision_time"], join(path, "decision_time"), chk, ctx.base_dir) \
        if "decision_time" in raw else Exponential(DECISION_MEAN_S)
    probs = {k: chk.number(raw, k, path, default=v, low=0, high=1)
             for k, v in (("misroute", MISROUTE), ("zero_out", ZERO_OUT), ("hang_up", HANG_UP))}
    ch_raw = ctx.raw.get("channels", {}).get(ctx.name, {})
    channel_queue = ch_raw.get("queue", ctx.name) if isinstance(ch_raw, dict) else ctx.name
    queues = served_queues(ctx)
    zq = chk.string(raw, "zero_out_queue", path, default=channel_queue)
    if zq is not None and queues and zq not in queues:
        chk.add(join(path, "zero_out_queue"), f"a queue served by an agent group ({', '.join(sorted(queues))})", zq)
    named = raw.get("menus", {})
    if not isinstance(named, dict):
        chk.add(join(path, "menus"), "a table of named menus ([channels.phone.ivr.menus.NAME])", named)
        named = {}
    if "menu" not in raw:
        chk.add(join(path, "menu"), "the main menu: a table with options = [...] (required)")
        return Unparsed(tuple(sorted(queues)))
    if len(chk.problems) > n_before or decision is None or spo is None:
        return Unparsed(tuple(sorted(queues)))
    levels = menu_levels([raw["menu"], *named.values()], named)
    if levels > MAX_LEVELS:
        chk.add(join(path, "menu"), f"a menu tree at most {MAX_LEVELS} menus deep (goto chains included)",
                text=f"{levels} menus deep")
        return Unparsed(tuple(sorted(queues)))
    defaults = _Defaults(spo, decision, probs["misroute"], probs["zero_out"], probs["hang_up"])
    reader = _Reader(chk, path, defaults, named, queues, ctx)
    root = reader.menu(raw["menu"], join(path, "menu"), "main", ())
    for name in named:
        if name not in reader.done:  # not reached: still read it, so that its own problems are reported too
            reader.done[name] = None
            reader.done[name] = reader.menu(named[name], join(join(path, "menus"), name), name, (name,))
            if not reader.bad_goto:  # (with a broken goto, an unreached menu is only its consequence)
                chk.add(join(join(path, "menus"), name), "a menu that some option reaches with goto",
                        "a menu never reached")
            reader.ok = False
    if root is None or not reader.ok:
        return Unparsed(tuple(sorted(queues)))
    issues = []
    too_many = False

    def collect(node, path_: tuple[int, ...], p: float) -> None:
        nonlocal too_many
        if len(issues) > MAX_ISSUES:
            too_many = True
            return
        if isinstance(node, Leaf):
            issues.append(Issue(path_, node, p))
            return
        total = sum(o.share for o in node.options)
        for j, o in enumerate(node.options):
            collect(o.target, (*path_, j), p * o.share / total if total > 0 else 0.0)

    collect(root, (), 1.0)
    if too_many:
        chk.add(join(path, "menu"), f"a tree with at most {MAX_ISSUES} paths from the main menu to a leaf", "more")
        return None
    cum = np.cumsum([i.p for i in issues])
    cum = tuple((cum / cum[-1]).tolist())
    return Ivr(root, greeting or 0.0, zq or channel_queue, tuple(issues), cum)
