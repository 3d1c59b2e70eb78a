"""Scenario keys of the conversation channels (social, email, chat) and of the agents who work them.

Each ``parse_*`` function is a key of the social feature (``sim.extensions.SOCIAL``), called by the scenario reader
as ``fn(raw_value, path, chk, ctx)``; it reports problems to ``chk`` and returns the parsed value (or None).
``build_conversation(channel)`` and ``build_desk(group)`` assemble the parsed keys with their defaults at load time;
``conversation_spec(channel)`` and ``desk_spec(group)`` return them. The defaults and their sources are listed in
``docs/social.md``.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from sim.distributions import Dist, Lognormal, parse_dist
from sim.errors import Problem
from sim.social.kinds import PLAIN_QUEUE_MODE, conversation_channel
from sim.validate import Checker, join

POST_KINDS = ("complaint", "question", "praise")
ORDERS = ("fifo", "reach", "kind", "target", "newest")  # "newest": latest post first (sim.social.triage)

# Shares of complaints, questions and praise among posts to a brand [assumed; make them a parameter per brand].
DEFAULT_KINDS = {"complaint": 0.5, "question": 0.35, "praise": 0.15}
# Think time: lognormal with median 3 min and a heavy tail (σ = 1: mean ≈ 4.9 min) [assumed] (domain notes §3).
DEFAULT_THINK = Lognormal(math.log(180.0), 1.0)
DEFAULT_TIMEOUT_S = 3600.0  # the agent closes a conversation after 1 h without a reply [assumed]
# Chat: messaging with short think times. No source gives chat think times or timeouts: all [assumed].
CHAT_THINK = Lognormal(math.log(30.0), 1.0)  # median 30 s, σ = 1 (mean ≈ 49 s; 1% longer than 5 min) [assumed]
CHAT_TIMEOUT_S = 300.0  # live chat (sessions): the agent closes after 5 min without a reply [assumed]
CHAT_AFFINITY_S = 300.0  # messaging: a chat stays with the agent who replied for 5 min after each reply [assumed]
DEFAULT_RESOLVE = 0.75  # P(resolved | conversation completed) [assumed]
# Messaging (sim.social.messaging, docs/social.md "Two modes"): asynchronous by default for social and email.
MODES = ("messaging", "session")
CHAT_MODES = (*MODES, PLAIN_QUEUE_MODE)  # chat may also stay a plain queue (one handle_time per chat)
DEFAULT_UNCONFIRMED = 0.5  # share of resolved customers who go quiet after the resolving reply [assumed]
DEFAULT_AFFINITY_S = 900.0  # a thread stays with the agent who replied for 15 min after each reply [assumed]
DEFAULT_THREADS = 5  # threads an agent holds at once in messaging mode [assumed; chat practice 2–4, §3]


# Value types ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Reach:
    """An author's followers: Pareto with tail exponent ``exponent`` (P(R > x) = (minimum/x)^exponent), rounded down
    to whole followers and capped. Exponent 2.2 keeps the variance finite (exponent 2 would not); domain notes §4."""

    exponent: float = 2.2
    minimum: float = 50.0
    cap: float = 10_000_000.0

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        u = 1.0 - rng.random(size)  # in (0, 1]
        return np.minimum(np.floor(self.minimum * u ** (-1.0 / self.exponent)), self.cap)

    @property
    def mean(self) -> float:
        """E[min(R, cap)] of the continuous Pareto before rounding down (rounding takes off less than 1)."""
        a, m, c = self.exponent, self.minimum, self.cap
        return m + m / (a - 1) * (1 - (m / c) ** (a - 1))  # m + ∫_m^c (m/x)^a dx


@dataclass(frozen=True)
class Count:
    """A whole number ≥ 1 (agent messages per conversation): fixed, uniform on [low, high], geometric with a mean, or
    empirical values with weights."""

    values: tuple[int, ...]
    weights: tuple[float, ...]
    geometric_mean: float | None = None

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        if self.geometric_mean is not None:
            return rng.geometric(1.0 / self.geometric_mean, size)
        if len(self.values) == 1:
            return np.full(size, self.values[0])
        return np.asarray(self.values)[rng.choice(len(self.values), size=size, p=np.asarray(self.weights))]

    @property
    def mean(self) -> float:
        if self.geometric_mean is not None:
            return self.geometric_mean
        return float(np.dot(self.values, self.weights))


@dataclass(frozen=True)
class Triage:
    """Which posts the brand answers (probability per kind) and in which order it picks them up.

    ``order``: ``fifo`` (arrival order), ``reach`` (most followers first — the documented bias toward influencers,
    Gunarathne, Rui & Seidmann 2018), ``kind`` (``kind_order``, then arrival), ``target`` (posts that can still meet the
    first-response target, oldest first; posts already past it afterwards, oldest first), ``newest`` (latest first).
    Posts not picked up within ``expire_after_s`` are dropped unanswered (outcome ``ignored``).
    """

    answer: Mapping[str, float] = field(default_factory=lambda: {k: 1.0 for k in POST_KINDS})
    order: str = "fifo"
    kind_order: tuple[str, ...] = POST_KINDS
    expire_after_s: float = math.inf


@dataclass(frozen=True)
class ConversationSpec:
    """Everything about the posts of one asynchronous channel besides arrivals and message work time."""

    kinds: tuple[str, ...]
    kind_shares: tuple[float, ...]
    public: float  # share of posts that are public (the rest are direct messages)
    reach: Reach | None  # None: reach does not apply (email)
    exchanges: Count  # agent messages per conversation
    think_time: Dist  # customer time to reply to an agent message
    silence: float  # P(the customer does not reply to an agent message that asks for one)
    to_dm: float  # P(a public conversation moves to private messages after the agent's first reply)
    inactivity_timeout_s: float
    resolve: Mapping[str, float]  # P(resolved | completed) per kind
    triage: Triage
    mode: str = "session"  # "messaging": agents work only on replies; "session": the agent holds the conversation
    reply_patience: Dist | None = None  # messaging: how long a customer waits for a reply before leaving silently
    unconfirmed: float = DEFAULT_UNCONFIRMED  # messaging: P(quiet after the resolving reply) — resolved, unconfirmed
    affinity_window_s: float = DEFAULT_AFFINITY_S  # messaging: a thread stays with its agent this long after a reply

    @property
    def messaging(self) -> bool:
        return self.mode == "messaging"


@dataclass(frozen=True)
class DeskSpec:
    """How an agent group works conversations: up to ``concurrency`` open at once, each message's work slowed by
    (1 + slowdown·(m − 1)) with m open (Goes, Ilk, Lin & Zhao 2018: +18% per extra conversation), and — for a blended
    group — new conversations only while ``reserve`` other agents stay free for calls (Bhulai & Koole 2003)."""

    concurrency: int = 1
    slowdown: float = 0.18
    reserve: int = 0
    threads: int = 0  # messaging mode: threads held at once (``concurrency`` when given, else DEFAULT_THREADS)


def conversation_spec(channel) -> ConversationSpec:
    """The conversation spec of a social or email channel (built at load time)."""
    return channel.features["social"]


def desk_spec(group, messaging: bool = False) -> DeskSpec:
    """How an agent group works conversations (built at load time); in messaging mode ``concurrency`` caps the threads
    held (default ``DEFAULT_THREADS``)."""
    d = group.features["social"]
    return replace(d, concurrency=d.threads) if messaging else d


def build_conversation(channel) -> ConversationSpec:
    """The parsed keys of a social, email or chat channel with the defaults filled in (chat: private, no reach,
    short think times)."""
    x = channel.extra
    email = channel.kind == "email"
    chat = channel.kind == "chat"
    private = email or chat
    kinds = x.get("kinds", DEFAULT_KINDS)
    names = tuple(k for k in POST_KINDS if kinds.get(k, 0) > 0) or POST_KINDS
    mode = x.get("mode", "messaging")
    msg = mode == "messaging"
    needed = x.get("replies_needed", x.get("exchanges"))
    return ConversationSpec(
        kinds=names,
        kind_shares=tuple(kinds.get(k, 0.0) for k in names),
        public=0.0 if private else x.get("public", 0.6),
        reach=None if private else x.get("reach", Reach()),
        exchanges=needed or (Count((1,), (1.0,)) if email else Count((3, 4, 5, 6), (0.25,) * 4)),
        think_time=x.get("think_time", CHAT_THINK if chat else DEFAULT_THINK),
        silence=0.0 if msg else x.get("silence", 0.0 if email else 0.1),
        to_dm=0.0 if private else x.get("to_dm", 0.3),
        inactivity_timeout_s=x.get("inactivity_timeout", CHAT_TIMEOUT_S if chat else DEFAULT_TIMEOUT_S),
        resolve=x.get("resolve", {k: DEFAULT_RESOLVE for k in POST_KINDS}),
        triage=x.get("triage", Triage()),
        mode=mode,
        reply_patience=x.get("reply_patience"),
        unconfirmed=x.get("unconfirmed", DEFAULT_UNCONFIRMED),
        affinity_window_s=x.get("affinity_window", CHAT_AFFINITY_S if chat else DEFAULT_AFFINITY_S),
    )


def build_desk(group) -> DeskSpec:
    x = group.extra
    return DeskSpec(x.get("concurrency", 1), x.get("concurrency_slowdown", DeskSpec.slowdown), x.get("reserve", 0),
                    x.get("concurrency", DEFAULT_THREADS))


# Parsers (keys of sim.extensions.SOCIAL) -----------------------------------------------------------
def _probability(raw: Any, path: str, chk: Checker, what: str) -> float | None:
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not 0 <= raw <= 1:
        chk.add(path, f"a probability from 0 to 1 ({what})", raw)
        return None
    return float(raw)


def parse_public(raw, path, chk, ctx):
    return _probability(raw, path, chk, "the share of posts that are public")


def parse_silence(raw, path, chk, ctx):
    return _probability(raw, path, chk, "the chance the customer stops replying after an agent message")


def parse_to_dm(raw, path, chk, ctx):
    return _probability(raw, path, chk, "the chance a public conversation moves to private messages")


def parse_message_time(raw, path, chk, ctx):
    """Read by the scenario reader itself into ``Channel.handle_time``; registered here so the key is known."""
    return None


def parse_think_time(raw, path, chk, ctx):
    return parse_dist(raw, path, chk, ctx.base_dir)


def parse_timeout(raw, path, chk, ctx):
    parent, key = path.rsplit(".", 1)
    return chk.duration({key: raw}, key, parent, positive=True)


def parse_reach(raw, path, chk, ctx) -> Reach | None:
    if not isinstance(raw, dict):
        chk.add(path, 'a table such as { dist = "pareto", exponent = 2.2, min = 50, cap = 10_000_000 }', raw)
        return None
    chk.table(raw, path, ("dist", "exponent", "min", "cap"))
    chk.string(raw, "dist", path, default="pareto", choices=("pareto",))
    a = chk.number(raw, "exponent", path, default=Reach.exponent, low=1, low_open=True)
    m = chk.number(raw, "min", path, default=Reach.minimum, low=1)
    c = chk.number(raw, "cap", path, default=Reach.cap, low=1)
    if a is None or m is None or c is None:
        return None
    if c < m:
        chk.add(join(path, "cap"), f"a cap at least min ({m:g})", raw.get("cap"))
        return None
    return Reach(a, m, c)


def _shares(raw: Any, path: str, chk: Checker, what: str) -> dict[str, float] | None:
    if not isinstance(raw, dict):
        chk.add(path, f"a table of {what} such as {{ complaint = 0.5, question = 0.35, praise = 0.15 }}", raw)
        return None
    chk.table(raw, path, POST_KINDS)
    out = {}
    for k, v in raw.items():
        if k in POST_KINDS:
            p = _probability(v, join(path, k), chk, what)
            if p is None:
                return None
            out[k] = p
    return out


def parse_kinds(raw, path, chk, ctx):
    shares = _shares(raw, path, chk, "shares of post kinds")
    if shares is None:
        return None
    if abs(sum(shares.values()) - 1) > 1e-6:
        chk.problems.append(Problem(chk.file, path, "shares of complaint, question and praise summing to 1",
                                    f"shares summing to {sum(shares.values()):g}"))
        return None
    return shares


def parse_resolve(raw, path, chk, ctx):
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        p = _probability(raw, path, chk, "P(resolved) of a completed conversation")
        return None if p is None else {k: p for k in POST_KINDS}
    shares = _shares(raw, path, chk, "P(resolved) of a completed conversation per kind")
    return None if shares is None else {k: shares.get(k, DEFAULT_RESOLVE) for k in POST_KINDS}


MAX_REPLIES = 1000  # replies one conversation may need: a guard against typos ("high = 1e12"), not a model limit


def parse_exchanges(raw, path, chk, ctx) -> Count | None:
    example = (f"a whole number from 1 to {MAX_REPLIES}, or "
               '{ dist = "uniform", low = 3, high = 6 }, { dist = "geometric", mean = 4 } or '
               '{ dist = "empirical", values = [1, 2, 3], weights = [0.5, 0.3, 0.2] }')
    whole = lambda v: isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= MAX_REPLIES
    if whole(raw):
        return Count((raw,), (1.0,))
    if not isinstance(raw, dict):
        chk.add(path, example, raw)
        return None
    kind = chk.string(raw, "dist", path, choices=("uniform", "geometric", "empirical"))
    if kind == "uniform":
        chk.table(raw, path, ("dist", "low", "high"))
        lo, hi = raw.get("low"), raw.get("high")
        if not (whole(lo) and whole(hi) and hi >= lo):
            chk.add(path, f"whole numbers 1 ≤ low ≤ high ≤ {MAX_REPLIES}", f"low = {lo!r}, high = {hi!r}")
            return None
        n = hi - lo + 1
        return Count(tuple(range(lo, hi + 1)), (1.0 / n,) * n)
    if kind == "geometric":
        chk.table(raw, path, ("dist", "mean"))
        mean = chk.number(raw, "mean", path, low=1, high=MAX_REPLIES)
        return None if mean is None else Count((), (), geometric_mean=mean)
    if kind == "empirical":
        chk.table(raw, path, ("dist", "values", "weights"))
        vals = raw.get("values")
        if not (isinstance(vals, list) and vals and all(whole(v) for v in vals)):
            chk.add(join(path, "values"), "a non-empty list of whole numbers ≥ 1", vals)
            return None
        w = raw.get("weights", [1.0 / len(vals)] * len(vals))
        ok = isinstance(w, list) and len(w) == len(vals) and all(
            isinstance(x, (int, float)) and not isinstance(x, bool) and x >= 0 for x in w)
        if not ok or abs(sum(w) - 1) > 1e-6:
            chk.add(join(path, "weights"), f"{len(vals)} non-negative weights summing to 1", w)
            return None
        return Count(tuple(vals), tuple(float(x) for x in w))
    return None


def _parse_triage(raw, path, chk, ctx, orders) -> Triage | None:
    if not isinstance(raw, dict):
        chk.add(path, 'a table such as { answer = { complaint = 0.3, question = 0.5, praise = 0.1 }, order = "reach" }',
                raw)
        return None
    chk.table(raw, path, ("answer", "order", "kind_order", "expire_after"))
    answer: dict | None = {k: 1.0 for k in POST_KINDS}
    a = raw.get("answer", "all")
    if a == "all":
        pass
    elif a == "complaints":
        answer = {"complaint": 1.0, "question": 0.0, "praise": 0.0}
    elif isinstance(a, (int, float)) and not isinstance(a, bool):
        p = _probability(a, join(path, "answer"), chk, "the share of posts the brand answers")
        answer = None if p is None else {k: p for k in POST_KINDS}
    elif isinstance(a, dict):
        shares = _shares(a, join(path, "answer"), chk, "answer rates per kind")
        answer = None if shares is None else {k: shares.get(k, 0.0) for k in POST_KINDS}
    else:
        chk.add(join(path, "answer"), '"all", "complaints", a probability, or a table of probabilities per kind', a)
        answer = None
    order = chk.string(raw, "order", path, default="fifo", choices=orders)
    kind_order = raw.get("kind_order", list(POST_KINDS))
    if not (isinstance(kind_order, list) and sorted(kind_order) == sorted(POST_KINDS)):
        chk.add(join(path, "kind_order"), f"the kinds {', '.join(POST_KINDS)} each once, most urgent first", kind_order)
        kind_order = None
    expire = chk.duration(raw, "expire_after", path, default=math.inf, positive=True)
    if answer is None or order is None or kind_order is None or expire is None:
        return None
    return Triage(answer, order, tuple(kind_order), expire)


def parse_triage(raw, path, chk, ctx):
    return _parse_triage(raw, path, chk, ctx, ORDERS)


def parse_email_triage(raw, path, chk, ctx):
    """Email has no public reach, so it cannot be ordered by reach."""
    return _parse_triage(raw, path, chk, ctx, tuple(o for o in ORDERS if o != "reach"))


def parse_concurrency(raw, path, chk, ctx):
    if raw == "unlimited":
        return math.inf
    return int(raw) if _whole(raw, 1) else _bad(chk, path, 'a whole number ≥ 1 of conversations (threads, in messaging '
                                                'mode) an agent holds at once, or "unlimited"', raw)


def parse_mode(raw, path, chk, ctx):
    if raw not in MODES:
        return _bad(chk, path, '"messaging" (agents work only on replies; the default) or "session" (the agent holds '
                               'the conversation through the customer\'s think time, live chat)', raw)
    return raw


def parse_chat_mode(raw, path, chk, ctx):
    if raw not in CHAT_MODES:
        return _bad(chk, path, '"messaging" (agents work only on replies; the default), "session" (live chat: the agent '
                               'holds the chat through the customer\'s think time) or "queue" (one handle_time per chat, '
                               'a plain queue)', raw)
    return raw


def parse_reply_patience(raw, path, chk, ctx):
    return parse_dist(raw, path, chk, ctx.base_dir)


def parse_unconfirmed(raw, path, chk, ctx):
    return _probability(raw, path, chk, "the share of resolved customers who go quiet after the resolving reply")


def parse_affinity(raw, path, chk, ctx):
    parent, key = path.rsplit(".", 1)
    return chk.duration({key: raw}, key, parent)


def parse_slowdown(raw, path, chk, ctx):
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or raw < 0:
        return _bad(chk, path, "a number ≥ 0 (extra work per message per additional open conversation; 0.18 in "
                               "Goes et al. 2018)", raw)
    return float(raw)


def parse_reserve(raw, path, chk, ctx):
    return int(raw) if _whole(raw, 0) else _bad(chk, path, "a whole number ≥ 0 of agents kept free for calls", raw)


def _whole(v: Any, low: int) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= low


def _bad(chk: Checker, path: str, expected: str, found: Any) -> None:
    chk.add(path, expected, found)
    return None


SESSION_ONLY = {"silence": "reply_patience (silent abandonment while waiting for a reply)",
                "inactivity_timeout": "affinity_window", "patience": "reply_patience"}
MESSAGING_ONLY = ("reply_patience", "unconfirmed", "affinity_window")
CONVERSATION_KEYS = ("message_time", "kinds", "exchanges", "replies_needed", "think_time", "silence",
                     "inactivity_timeout", "resolve", "triage", *MESSAGING_ONLY)  # a chat's keys (not with "queue")


def check_modes(sc, chk: Checker) -> None:
    """Keys of one mode given to a channel of the other are refused (never silently ignored); the conversation
    channels of a scenario share one mode; ``exchanges`` and ``replies_needed`` name the same thing."""
    modes = {}
    for ch in sc.channels.values():
        if ch.kind == "chat" and not conversation_channel(ch):  # mode = "queue": no conversation keys
            for key in sorted(k for k in ch.extra if k in CONVERSATION_KEYS):
                chk.add(f"channels.{ch.name}.{key}", 'mode = "messaging" or "session" for this key (mode = "queue" '
                        'is a plain queue with one handle_time per chat)', ch.extra[key])
            continue
        if not conversation_channel(ch):
            continue
        x, path = ch.extra, f"channels.{ch.name}"
        mode = modes[ch.name] = x.get("mode", "messaging")
        if "exchanges" in x and "replies_needed" in x:
            chk.add(join(path, "replies_needed"), "one of exchanges or replies_needed (the same count)",
                    x["replies_needed"])
        if mode == "messaging":
            for key, use in SESSION_ONLY.items():
                given = ch.patience if key == "patience" else x.get(key)
                if given is not None:
                    chk.add(join(path, key), f'mode = "session" for this key; in messaging mode use {use}', given)
        else:
            for key in MESSAGING_ONLY:
                if x.get(key) is not None:
                    chk.add(join(path, key), 'mode = "messaging" for this key', x[key])
    if len(set(modes.values())) > 1:
        name = sorted(modes)[-1]
        chk.add(f"channels.{name}.mode", "one mode for every social, email and chat channel of a scenario "
                f"(found {', '.join(f'{k}: {v}' for k, v in sorted(modes.items()))})", modes[name])


def check_scenario(sc, chk: Checker) -> None:
    """Cross-checks on the whole scenario: concurrency and reserve only make sense for groups that serve an
    asynchronous queue, and reserve only for a group that also serves calls."""
    check_modes(sc, chk)
    owner = sc.queue_channel()
    is_conv = {q: conversation_channel(sc.channels[ch]) for q, ch in owner.items()}
    for g in sc.agents.values():
        conv = [q for q in g.serves if is_conv.get(q)]
        sync = [q for q in g.serves if q in is_conv and not is_conv[q]]
        path = f"agents.{g.name}"
        for key in ("concurrency", "concurrency_slowdown", "reserve"):
            if key in g.extra and g.extra[key] is not None and not conv:
                chk.add(join(path, key), "a group that serves a social, email or chat queue (this one serves "
                        f"{', '.join(g.serves)})", g.extra[key])
        reserve = g.extra.get("reserve") or 0
        if reserve and conv and not sync:
            chk.add(join(path, "reserve"), "reserve only on a group that also serves calls (a blended group)", reserve)
        if reserve and conv and sync:
            top = float(np.max(g.count.value_at(np.arange(0.0, max(sc.run.horizon_s, 1.0), 900.0), sc.calendar)))
            if reserve >= top:
                chk.add(join(path, "reserve"), f"fewer agents kept free for calls than the group's largest count "
                        f"({top:g}), or the group never takes social work", reserve)
