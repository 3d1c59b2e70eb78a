"""The IVR phone tree: nested menus whose leaves send a caller to a department queue or to self-service.

A caller's *issue* is one path from the main menu to a leaf, drawn when the customer is created with the probability
given by the option shares along it (each option's ``share`` is the part of the callers reaching its menu whose issue
lies below it). At every menu the caller hears the prompt (options × ``seconds_per_option``, ~3 s each: domain notes
§2), takes a decision time, and then either hangs up (``hang_up``), presses 0 for the general queue (``zero_out``),
picks a wrong branch (``misroute``: domain notes §2, ε = 0.07 per level over L = 3 levels gives ≈ 19.6% misrouted,
an assumed calibration to SQM's ~19% transferred) or the option above their issue. A caller off track keeps choosing by
the shares (their best guess) and lands in a wrong department. A self-service leaf completes the issue with probability
``p`` after its duration (Khudyakov, Feigin & Mandelbaum 2010); the others, and misrouted callers, go on to its queue.

Menus are written inline (``menu = {...}``) or named under ``[…ivr.menus.NAME]`` and reached with ``goto = "NAME"``
(a named menu may be reached from several places, never from itself: cycles are errors).
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.distributions import Dist, Exponential, parse_dist
from sim.funnel.draws import SS_OK, SS_TIME, quantile
from sim.validate import Checker, join

# Defaults (docs/funnel.md lists them with their sources).
SECONDS_PER_OPTION = 3.0      # prompt time per option (domain notes §2)
DECISION_MEAN_S = 4.0         # mean caller decision time per menu, exponential [assumed]
MISROUTE = 0.07               # per level (domain notes §2) [assumed calibration to SQM Group]
ZERO_OUT = 0.02               # share pressing 0 at each menu [assumed]
HANG_UP = 0.01                # share hanging up in each menu [assumed]
MAX_ISSUES = 10_000

MENU_KEYS = ("label", "prompt", "seconds_per_option", "decision_time", "misroute", "zero_out", "hang_up", "options")
IVR_KEYS = ("greeting", "zero_out_queue", "menu", "menus", *MENU_KEYS[1:-1])


@dataclass(frozen=True)
class SelfService:
    """Self-service at a leaf: completes the caller's issue with probability ``p`` after ``duration``."""

    p: float
    duration: Dist


@dataclass(frozen=True)
class Leaf:
    label: str
    queue: str
    self_service: SelfService | None = None
    key: str = ""  # where in the scenario file


@dataclass(frozen=True)
class Option:
    label: str
    share: float
    target: "Menu | Leaf"


@dataclass(frozen=True)
class Menu:
    name: str  # shown in the legs table ("main", "orders", "main/2")
    prompt_s: float
    decision: Dist | None
    misroute: float
    zero_out: float
    hang_up: float
    options: tuple[Option, ...]
    key: str = ""
    cum_shares: tuple[float, ...] = field(default=(), repr=False)

    def __post_init__(self):
        total = sum(o.share for o in self.options) or 1.0
        object.__setattr__(self, "cum_shares", tuple(np.cumsum([o.share / total for o in self.options]).tolist()))

    @property
    def mean_s(self) -> float:
        return self.prompt_s + (self.decision.mean if self.decision is not None else 0.0)

    def by_share(self, u: float) -> int:
        return min(bisect.bisect_right(self.cum_shares, u), len(self.options) - 1)

    def wrong_option(self, right: int, u: float) -> int:
        """A branch other than ``right``, in proportion to the shares (uniform if the others all have share 0)."""
        others = [j for j in range(len(self.options)) if j != right]
        w = np.array([self.options[j].share for j in others], float)
        w = w / w.sum() if w.sum() > 0 else np.full(len(others), 1.0 / len(others))
        return others[min(int(np.searchsorted(np.cumsum(w), u, side="right")), len(others) - 1)]


@dataclass(frozen=True)
class Issue:
    """One reason to call: the path of option indices to a leaf, its probability and its department."""

    path: tuple[int, ...]
    leaf: Leaf
    p: float

    @property
    def department(self) -> str:
        return self.leaf.queue


@dataclass(frozen=True)
class Ivr:
    root: Menu
    greeting_s: float
    zero_out_queue: str
    issues: tuple[Issue, ...]
    cum_p: tuple[float, ...] = field(repr=False, default=())

    @property
    def queues(self) -> tuple[str, ...]:
        out = [self.zero_out_queue]
        for i in self.issues:
            if i.department not in out:
                out.append(i.department)
        return tuple(out)

    @property
    def departments(self) -> tuple[str, ...]:
        out: list[str] = []
        for i in self.issues:
            if i.department not in out:
                out.append(i.department)
        return tuple(out)

    @property
    def depth(self) -> int:
        """Menus on the longest path from the main menu to a leaf (the tape's IVR slots)."""
        return max(len(i.path) for i in self.issues)

    def issue_at(self, u: float) -> int:
        """The issue of a caller with uniform ``u`` (the intent mix)."""
        return min(bisect.bisect_right(self.cum_p, u), len(self.issues) - 1)


class Walk:
    """Where one caller's pass through the menus ends: ``end`` is "hang_up", "self_served" or "queue", at time ``at``;
    ``misrouted`` is True/False when a menu choice sent the caller to a department (None after pressing 0)."""

    __slots__ = ("end", "at", "queue", "misrouted", "zero_out")

    def __init__(self, end: str, at: float, queue: str | None = None, misrouted: bool | None = None,
                 zero_out: bool = False):
        self.end, self.at, self.queue, self.misrouted, self.zero_out = end, at, queue, misrouted, zero_out


def walk(ivr: Ivr, issue: Issue, tape, t: float, book=None, cid: int = -1) -> Walk:
    """Take one caller (with ``issue``) through the tree from time ``t``, reading the caller's tape
    (``sim.funnel.draws``: per level, slots for hanging up, pressing 0, the pick, when a hang-up happens, the decision
    time and a wrong branch); each stage is added to ``book`` (a ``sim.funnel.legs.LegBook``) when given."""
    add = book.add if book is not None else (lambda *a, **k: 0)
    if ivr.greeting_s > 0:
        add(cid, "greeting", "greeting", None, None, -1, t, t + ivr.greeting_s, "next")
        t += ivr.greeting_s
    node: Menu | Leaf = ivr.root
    on_track, depth = True, 0
    while isinstance(node, Menu):
        dur = node.prompt_s + (quantile(node.decision, tape.level(depth, 4)) if node.decision is not None else 0.0)
        if tape.level(depth, 0) < node.hang_up:
            end = t + tape.level(depth, 3) * dur
            add(cid, "menu", node.name, None, None, -1, t, end, "hang_up")
            return Walk("hang_up", end)
        end = t + dur
        if tape.level(depth, 1) < node.zero_out:
            add(cid, "menu", node.name, None, None, -1, t, end, "zero_out")
            return Walk("queue", end, ivr.zero_out_queue, None, True)
        u_pick = tape.level(depth, 2)
        if on_track:
            j = issue.path[depth]
            if len(node.options) > 1 and u_pick < node.misroute:
                j = node.wrong_option(j, tape.level(depth, 5))
                on_track = False
        else:
            j = node.by_share(u_pick)
        opt = node.options[j]
        add(cid, "menu", node.name, None, None, -1, t, end, opt.label)
        node, t, depth = opt.target, end, depth + 1
    leaf = node
    if leaf.self_service is not None:
        ss = leaf.self_service
        d = quantile(ss.duration, tape.at(SS_TIME))
        done = on_track and tape.at(SS_OK) < ss.p
        add(cid, "self_service", leaf.label, None, None, -1, t, t + d, "completed" if done else "failed")
        t += d
        if done:
            return Walk("self_served", t)
    return Walk("queue", t, leaf.queue, leaf.queue != issue.department, False)


# Expected values from the tree's probabilities ---------------------------------------------------------------------
def expected(ivr: Ivr) -> dict[str, Any]:
    """Exact probabilities of each way out of the menus, over the intent mix: ``hang_up``, ``zero_out``,
    ``self_served``, ``routed`` (sent to a department by a menu choice), ``misrouted`` (routed to a department other
    than the issue's, as a share of all callers), ``misrouted_share`` (= misrouted / routed), ``to_queue`` (P(first
    queue = q) over all callers), and ``mean_ivr_s`` (expected time in greeting, menus and self-service; a caller who
    hangs up does so halfway through that menu on average)."""
    out = {"hang_up": 0.0, "zero_out": 0.0, "self_served": 0.0, "routed": 0.0, "misrouted": 0.0, "mean_ivr_s": 0.0,
           "to_queue": {}}

    def leaf_end(leaf: Leaf, issue: Issue, on_track: bool, p: float) -> None:
        if leaf.self_service is not None:
            out["mean_ivr_s"] += p * leaf.self_service.duration.mean
            if on_track:
                out["self_served"] += p * leaf.self_service.p
                p *= 1 - leaf.self_service.p
        out["routed"] += p
        out["to_queue"][leaf.queue] = out["to_queue"].get(leaf.queue, 0.0) + p
        if leaf.queue != issue.department:
            out["misrouted"] += p

    def visit(node, issue: Issue, depth: int, on_track: bool, p: float) -> None:
        if isinstance(node, Leaf):
            leaf_end(node, issue, on_track, p)
            return
        out["mean_ivr_s"] += p * node.mean_s * (1 - node.hang_up / 2)
        out["hang_up"] += p * node.hang_up
        p *= 1 - node.hang_up
        out["zero_out"] += p * node.zero_out
        out["to_queue"][ivr.zero_out_queue] = out["to_queue"].get(ivr.zero_out_queue, 0.0) + p * node.zero_out
        p *= 1 - node.zero_out
        opts = node.options
        if on_track:
            right = issue.path[depth]
            eps = node.misroute if len(opts) > 1 else 0.0
            visit(opts[right].target, issue, depth + 1, True, p * (1 - eps))
            if eps > 0:
                others = [j for j in range(len(opts)) if j != right]
                w = np.array([opts[j].share for j in others], float)
                w = w / w.sum() if w.sum() > 0 else np.full(len(others), 1.0 / len(others))
                for j, wj in zip(others, w):
                    visit(opts[j].target, issue, depth + 1, False, p * eps * wj)
        else:
            total = sum(o.share for o in opts)
            for o in opts:
                if o.share > 0:
                    visit(o.target, issue, depth + 1, False, p * o.share / total)

    for issue in ivr.issues:
        out["mean_ivr_s"] += issue.p * ivr.greeting_s
        visit(ivr.root, issue, 0, True, issue.p)
    out["misrouted_share"] = out["misrouted"] / out["routed"] if out["routed"] > 0 else float("nan")
    return out


# Reading the tree from a scenario ----------------------------------------------------------------------------------
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
