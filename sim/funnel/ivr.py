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
(a named menu may be reached from several places, never from itself: cycles are errors); ``sim.funnel.menus`` reads
them from a scenario.
"""
from __future__ import annotations

import bisect
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.distributions import Dist
from sim.funnel.draws import PER_LEVEL, SS_OK, SS_TIME, quantile, quantile_of
from sim.funnel.legs import RESULT, STAGE


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
    target: Menu | Leaf


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
    _wrong: dict = field(default_factory=dict, repr=False, compare=False, hash=False)  # wrong_option's shares

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
        others, cum = self._wrong.get(right) or self._wrong_shares(right)
        return others[min(bisect.bisect_right(cum, u), len(others) - 1)]

    def _wrong_shares(self, right: int) -> tuple[list[int], list[float]]:
        """The other branches and their cumulative shares, computed once per right branch (a hot path)."""
        others = [j for j in range(len(self.options)) if j != right]
        w = np.array([self.options[j].share for j in others], float)
        w = w / w.sum() if w.sum() > 0 else np.full(len(others), 1.0 / len(others))
        self._wrong[right] = (others, np.cumsum(w).tolist())
        return self._wrong[right]


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


GREETING, MENU, SELF_SERVICE = STAGE["greeting"], STAGE["menu"], STAGE["self_service"]
NEXT, HANG_UP, ZERO_OUT, COMPLETED, FAILED = (RESULT[r] for r in ("next", "hang_up", "zero_out", "completed", "failed"))


def _no_row(*values: Any) -> int:
    return 0


class _Step:
    """A menu of the tree with what a caller's pass needs, looked up once (``Walker``)."""

    __slots__ = ("name", "prompt", "decision", "hang_up", "zero_out", "misroute", "labels", "targets", "cum", "last",
                 "wrong")

    def __init__(self, menu: Menu, targets: tuple):
        self.name, self.prompt, self.hang_up, self.zero_out = menu.name, menu.prompt_s, menu.hang_up, menu.zero_out
        self.decision = quantile_of(menu.decision) if menu.decision is not None else None
        n = len(menu.options)
        self.misroute = menu.misroute if n > 1 else -1.0  # one option: nobody picks a wrong one (u >= 0)
        self.labels = tuple(o.label for o in menu.options)
        self.targets = targets
        self.cum, self.last = menu.cum_shares, n - 1
        self.wrong = tuple(menu._wrong.get(j) or menu._wrong_shares(j) for j in range(n)) if n > 1 else ()


class _End:
    """A leaf of the tree (``Walker``): its queue and self-service."""

    __slots__ = ("label", "queue", "p", "duration")

    def __init__(self, leaf: Leaf):
        self.label, self.queue = leaf.label, leaf.queue
        ss = leaf.self_service
        self.p, self.duration = (ss.p, quantile_of(ss.duration)) if ss is not None else (0.0, None)


class Walker:
    """The tree of one IVR laid out for the hot path: ``walk(issue, tape, t, legs, cid)`` is ``walk`` (the same draws
    and stages, added to ``legs``, a ``sim.funnel.legs.LegBook``) returning ``(end, at, queue, misrouted, zero_out)``."""

    def __init__(self, ivr: Ivr):
        self.ivr = ivr
        self.greeting, self.zero_out_queue = ivr.greeting_s, ivr.zero_out_queue
        self.levels = 0  # menus on the longest path through the tree, wrong branches included
        self.root = self._step(ivr.root, 1)
        self.on_tape = self.levels <= ivr.depth  # every level's slots are on the tape

    def _step(self, node: Menu | Leaf, level: int) -> _Step | _End:
        if isinstance(node, Leaf):
            return _End(node)
        self.levels = max(self.levels, level)
        return _Step(node, tuple(self._step(o.target, level + 1) for o in node.options))

    def walk(self, issue: Issue, tape, t: float, legs, cid: int) -> tuple:
        if not self.on_tape:  # a level deeper than the tape: the general walk
            w = _walk(self.ivr, issue, tape, t, legs.row, cid)
            return w.end, w.at, w.queue, w.misrouted, w.zero_out
        put = legs.put_ivr  # (contact_id, stage, name, option, start, end, result)
        if self.greeting > 0:
            put(cid, GREETING, "greeting", None, t, t + self.greeting, NEXT)
            t += self.greeting
        u, i, path = tape.u, tape.off, issue.path
        node = self.root
        on_track, depth = True, 0
        while type(node) is _Step:
            q = node.decision
            dur = node.prompt + q(u[i + 4]) if q is not None else node.prompt
            if u[i] < node.hang_up:
                end = t + u[i + 3] * dur
                put(cid, MENU, node.name, None, t, end, HANG_UP)
                return "hang_up", end, None, None, False
            end = t + dur
            if u[i + 1] < node.zero_out:
                put(cid, MENU, node.name, None, t, end, ZERO_OUT)
                return "queue", end, self.zero_out_queue, None, True
            if on_track:
                j = path[depth]
                if u[i + 2] < node.misroute:
                    others, cum = node.wrong[j]
                    j = others[min(bisect_right(cum, u[i + 5]), len(others) - 1)]
                    on_track = False
            else:
                j = min(bisect_right(node.cum, u[i + 2]), node.last)
            put(cid, MENU, node.name, node.labels[j], t, end, NEXT)
            node, t, depth, i = node.targets[j], end, depth + 1, i + PER_LEVEL
        if node.duration is not None:
            k = tape.k
            d = node.duration(u[k + SS_TIME])
            done = on_track and u[k + SS_OK] < node.p
            put(cid, SELF_SERVICE, node.label, None, t, t + d, COMPLETED if done else FAILED)
            t += d
            if done:
                return "self_served", t, None, None, False
        return "queue", t, node.queue, node.queue != issue.leaf.queue, False


def walk(ivr: Ivr, issue: Issue, tape, t: float, book=None, cid: int = -1) -> Walk:
    """Take one caller (with ``issue``) through the tree from time ``t``, reading the caller's tape
    (``sim.funnel.draws``: per level, slots for hanging up, pressing 0, the pick, when a hang-up happens, the decision
    time and a wrong branch); each stage is added to ``book`` (a ``sim.funnel.legs.LegBook``) when given (a menu choice: result
    ``next``, the option's label in ``option``). ``Walker`` is its form for the hot path."""
    return _walk(ivr, issue, tape, t, book.row if book is not None else _no_row, cid)


def _walk(ivr: Ivr, issue: Issue, tape, t: float, row, cid: int) -> Walk:
    # row(cid, leg, stage, name, option, queue, group, agent, start, end, wrap-up, result)
    if ivr.greeting_s > 0:
        row(cid, 0, "greeting", "greeting", None, t, t + ivr.greeting_s, 0.0, "next")
        t += ivr.greeting_s
    node: Menu | Leaf = ivr.root
    on_track, depth = True, 0
    u, off, base = tape.u, tape.off, tape.base
    while isinstance(node, Menu):
        i = PER_LEVEL * depth
        if i < base:  # this level's six slots are on the tape (read in place)
            i += off
            level = u.__getitem__
        else:  # a level deeper than the tape: draws from the customer's generator, in the order of use
            level = lambda _: tape.spare()  # noqa: E731
        dur = node.prompt_s + (quantile(node.decision, level(i + 4)) if node.decision is not None else 0.0)
        if level(i) < node.hang_up:
            end = t + level(i + 3) * dur
            row(cid, 0, "menu", node.name, None, t, end, 0.0, "hang_up")
            return Walk("hang_up", end)
        end = t + dur
        if level(i + 1) < node.zero_out:
            row(cid, 0, "menu", node.name, None, t, end, 0.0, "zero_out")
            return Walk("queue", end, ivr.zero_out_queue, None, True)
        u_pick = level(i + 2)
        if on_track:
            j = issue.path[depth]
            if len(node.options) > 1 and u_pick < node.misroute:
                j = node.wrong_option(j, level(i + 5))
                on_track = False
        else:
            j = node.by_share(u_pick)
        opt = node.options[j]
        row(cid, 0, "menu", node.name, opt.label, t, end, 0.0, "next")
        node, t, depth = opt.target, end, depth + 1
    leaf = node
    if leaf.self_service is not None:
        ss = leaf.self_service
        d = quantile(ss.duration, tape.at(SS_TIME))
        done = on_track and tape.at(SS_OK) < ss.p
        row(cid, 0, "self_service", leaf.label, None, t, t + d, 0.0, "completed" if done else "failed")
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
