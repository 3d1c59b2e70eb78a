"""Scenario files: read once, validated once, at the boundary.

``load_scenario(path)`` reads TOML (data only), applies dotted-key overrides, checks every key and value, and returns a
frozen ``Scenario``; every problem is reported at once in one ``ScenarioError``. Later models (IVR funnel, social
handling, reputation) add keys through the extension tables below, so the reader stays the single front door.
"""
from __future__ import annotations

import copy
import hashlib
import importlib
import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from sim.arrivals import ArrivalSpec
from sim.calendar import DEFAULT_START, Calendar, Profile, parse_profile, parse_start
from sim.distributions import Dist, parse_dist
from sim.errors import InputError, Problem, ScenarioError
from sim.validate import Checker, join

SCHEMA = 1
CHANNEL_KINDS = ("phone", "social", "email", "chat")

# Extension points: key -> "module:function" called as fn(raw_value, path, chk, ctx) -> parsed object (or None on
# problems, which it reports to chk). A parsed object may expose ``queues`` (queue ids its contacts can join).
CHANNEL_EXTENSIONS: dict[str, dict[str, str]] = {kind: {} for kind in CHANNEL_KINDS}
AGENT_EXTENSIONS: dict[str, str] = {}
SECTION_EXTENSIONS: dict[str, str] = {"staffing": "sim.staffing.rules:parse_section"}
# Cross-checks run on the whole scenario after parsing: "module:function" called as fn(scenario, chk).
POST_CHECKS: list[str] = []
# Public visibility and reputation (sim.reputation, docs/reputation.md): the [reputation] section.
SECTION_EXTENSIONS["reputation"] = "sim.reputation.config:parse_section"
POST_CHECKS.append("sim.reputation.config:check_scenario")

# Asynchronous channels (sim.social, docs/social.md): a post or an email is a conversation of agent messages, so its
# work time is `message_time` (per agent message, in Channel.handle_time) rather than `handle_time`.
CONVERSATION_KINDS = ("social", "email")
_CONVERSATION_KEYS = ("message_time", "kinds", "exchanges", "think_time", "silence", "inactivity_timeout", "resolve",
                      "mode", "replies_needed", "reply_patience", "unconfirmed", "affinity_window")
_SPEC = {"message_time": "parse_message_time", "kinds": "parse_kinds", "exchanges": "parse_exchanges",
         "think_time": "parse_think_time", "silence": "parse_silence", "inactivity_timeout": "parse_timeout",
         "resolve": "parse_resolve", "reach": "parse_reach", "public": "parse_public", "to_dm": "parse_to_dm",
         "triage": "parse_triage", "concurrency": "parse_concurrency", "concurrency_slowdown": "parse_slowdown",
         "reserve": "parse_reserve", "mode": "parse_mode", "replies_needed": "parse_exchanges",
         "reply_patience": "parse_reply_patience", "unconfirmed": "parse_unconfirmed", "affinity_window": "parse_affinity"}
for _kind, _keys in (("social", (*_CONVERSATION_KEYS, "reach", "public", "to_dm", "triage")),
                     ("email", _CONVERSATION_KEYS)):
    CHANNEL_EXTENSIONS[_kind].update({k: f"sim.social.spec:{_SPEC[k]}" for k in _keys})
CHANNEL_EXTENSIONS["email"]["triage"] = "sim.social.spec:parse_email_triage"
AGENT_EXTENSIONS.update({k: f"sim.social.spec:{_SPEC[k]}" for k in ("concurrency", "concurrency_slowdown", "reserve")})
POST_CHECKS.append("sim.social.spec:check_scenario")

# The phone funnel (sim.funnel, docs/funnel.md): trunk lines, IVR menu tree, priority classes, departments (overflow),
# transfers, hold announcements, redials, callbacks, first-contact resolution.
CHANNEL_EXTENSIONS["phone"].update({k: f"sim.funnel.spec:parse_{k}" for k in (
    "lines", "ivr", "priorities", "departments", "transfers", "hold", "redials", "callbacks", "resolution")})
POST_CHECKS.append("sim.funnel.spec:check")

# One population of customers choosing among channels (sim.choice): [choice] channels = { phone = 0.6, social = 0.4 }.
SECTION_EXTENSIONS["choice"] = "sim.choice:parse_section"
POST_CHECKS.append("sim.choice:check")

# Conventional targets by kind: 80% within 20 s for phone (domain notes §1); first reply within 60 min for social and
# email (Convince & Convert / Edison; Social Media Today — domain notes §3).
DEFAULT_TARGETS = {"phone": (20.0, 0.80), "chat": (60.0, 0.80), "social": (3600.0, 0.90), "email": (3600.0, 0.90)}


@dataclass(frozen=True)
class RunSpec:
    horizon_s: float
    warmup_s: float
    replications: int
    seed: int
    interval_s: float
    busyness_cv: float


@dataclass(frozen=True)
class Targets:
    """Service targets of a channel: share answered within a threshold, optional abandonment and occupancy caps."""

    answer_within_s: float
    service_level: float
    max_abandon: float | None = None
    max_occupancy: float | None = None


@dataclass(frozen=True)
class Channel:
    name: str
    kind: str
    queue: str
    arrivals: ArrivalSpec
    handle_time: Dist
    patience: Dist | None
    open_hours: tuple[float, float] | None
    targets: Targets
    ivr_time: Dist | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def queues(self) -> tuple[str, ...]:
        """Queue ids this channel's contacts can join: its own, plus any an extension (e.g. an IVR tree) adds."""
        out = [self.queue]
        for ext in self.extra.values():
            out += [q for q in getattr(ext, "queues", ()) if q not in out]
        return tuple(out)


@dataclass(frozen=True)
class AgentGroup:
    """A team: the queues it serves (list order = priority), its seated count over time, wrap-up and cost."""

    name: str
    serves: tuple[str, ...]
    count: Profile
    wrap_up: Dist | None
    cost_per_hour: float
    availability: float
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Scenario:
    source: str
    base_dir: Path
    raw: Mapping[str, Any]
    hash: str
    name: str
    description: str
    run: RunSpec
    calendar: Calendar
    channels: Mapping[str, Channel]
    agents: Mapping[str, AgentGroup]
    sections: Mapping[str, Any] = field(default_factory=dict)

    def queue_channel(self) -> dict[str, str]:
        """Which channel each queue id belongs to."""
        return {q: ch.name for ch in self.channels.values() for q in ch.queues}


@dataclass
class ParseContext:
    base_dir: Path
    calendar: Calendar
    raw: dict
    name: str = ""


def _call(spec: str, *args):
    module, fn = spec.split(":")
    return getattr(importlib.import_module(module), fn)(*args)


def set_dotted(raw: dict, key: str, value: Any) -> dict:
    """A copy of ``raw`` with ``a.b.c = value`` (missing tables are created)."""
    out = copy.deepcopy(raw)
    node = out
    parts = key.split(".")
    for part in parts[:-1]:
        if not isinstance(node.get(part), dict):
            node[part] = {}
        node = node[part]
    node[parts[-1]] = value
    return out


def scenario_hash(raw: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(raw, sort_keys=True, default=str).encode()).hexdigest()


def load_scenario(path: str | Path, overrides: Mapping[str, Any] | None = None) -> Scenario:
    """Read, override and validate a scenario file (see the README's scenario reference)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read the scenario file ({exc.strerror})") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(Problem(str(path), "", "valid TOML", str(exc))) from None
    for key, value in (overrides or {}).items():
        raw = set_dotted(raw, key, value)
    return parse_scenario(raw, source=str(path), base_dir=path.parent)


def parse_scenario(raw: dict, source: str = "<dict>", base_dir: str | Path = ".") -> Scenario:
    """Validate an already-read scenario dict; every problem is collected into one ``ScenarioError``."""
    chk = Checker(source)
    base_dir = Path(base_dir)
    top = chk.table(raw, "", ("schema", "name", "description", "run", "channels", "agents", *SECTION_EXTENSIONS))
    if top.get("schema") != SCHEMA or isinstance(top.get("schema"), bool):  # true == 1 in Python, not in TOML
        chk.add("schema", f"schema = {SCHEMA} at the top of the file", top.get("schema", "nothing"))
    name = chk.string(top, "name", "", default=Path(source).stem)
    description = chk.string(top, "description", "", default="")
    run, cal = _parse_run(top.get("run", {}), chk)
    ctx = ParseContext(base_dir, cal, raw)
    channels = {}
    ch_raw = top.get("channels")
    if not isinstance(ch_raw, dict) or not ch_raw:
        chk.add("channels", "at least one channel table such as [channels.phone]", ch_raw if ch_raw is not None else MISSING_)
    else:
        for cname, craw in ch_raw.items():
            ch = _parse_channel(cname, craw, f"channels.{cname}", chk, ctx)
            if ch is not None:
                channels[cname] = ch
    queues = {q for ch in channels.values() for q in ch.queues}
    agents = {}
    ag_raw = top.get("agents")
    if not isinstance(ag_raw, dict) or not ag_raw:
        chk.add("agents", "at least one agent group table such as [agents.phone]", ag_raw if ag_raw is not None else MISSING_)
    else:
        for gname, graw in ag_raw.items():
            g = _parse_group(gname, graw, f"agents.{gname}", chk, ctx, queues)
            if g is not None:
                agents[gname] = g
    sections = {}
    for key, spec in SECTION_EXTENSIONS.items():
        if key in top:
            sections[key] = _call(spec, top[key], key, chk, ctx)
    served = {q for g in agents.values() for q in g.serves}
    for ch in channels.values():
        missing = [q for q in ch.queues if q not in served]
        if missing and agents:
            chk.add(f"channels.{ch.name}", f"an agent group serving queue {', '.join(missing)} (in some [agents.*] serves)",
                    "none")
    chk.done()
    sc = Scenario(source, base_dir, MappingProxyType(copy.deepcopy(raw)), scenario_hash(raw), name, description, run, cal,
                  MappingProxyType(channels), MappingProxyType(agents), MappingProxyType(sections))
    for spec in POST_CHECKS:
        _call(spec, sc, chk)
    chk.done()
    return sc


MISSING_ = "nothing"


def _parse_run(raw: Any, chk: Checker) -> tuple[RunSpec, Calendar]:
    p = "run"
    raw = chk.table(raw, p, ("horizon", "warmup", "replications", "seed", "start", "interval", "busyness_cv"))
    horizon = chk.duration(raw, "horizon", p, default=86400.0, positive=True)
    warmup = chk.duration(raw, "warmup", p, default=0.0)
    reps = chk.number(raw, "replications", p, default=10, low=1, integer=True)
    seed = chk.number(raw, "seed", p, default=1, low=0, integer=True)
    interval = chk.duration(raw, "interval", p, default=1800.0, positive=True)
    cv = chk.number(raw, "busyness_cv", p, default=0.0, low=0, high=2)
    start = chk.value(raw, "start", p, parse_start, 'a date-time such as "1999-03-01 00:00"', default=DEFAULT_START)
    if horizon is not None and warmup is not None and warmup >= horizon:
        chk.add("run.warmup", f"a warm-up shorter than the horizon ({horizon:g}s)", raw.get("warmup"))
    spec = RunSpec(horizon or 86400.0, warmup or 0.0, reps or 1, seed or 0, interval or 1800.0, cv or 0.0)
    return spec, Calendar(start or DEFAULT_START)


def _parse_targets(raw: Any, path: str, chk: Checker, kind: str) -> Targets:
    within, sl = DEFAULT_TARGETS.get(kind, (20.0, 0.8))
    if raw is None:
        return Targets(within, sl)
    raw = chk.table(raw, path, ("answer_within", "service_level", "max_abandon", "max_occupancy"))
    return Targets(
        chk.duration(raw, "answer_within", path, default=within) or within,
        chk.number(raw, "service_level", path, default=sl, low=0, high=1) or sl,
        chk.number(raw, "max_abandon", path, default=None, low=0, high=1),
        chk.number(raw, "max_occupancy", path, default=None, low=0, high=1, low_open=True),
    )


def _parse_arrivals(raw: Any, path: str, chk: Checker, ctx: ParseContext) -> ArrivalSpec | None:
    if not isinstance(raw, dict):
        chk.add(path, 'an arrivals table: { rate = "100/h" }, { volumes = [...], interval = "30min" } or '
                      '{ forecast = "file.csv" }', raw if raw is not None else MISSING_)
        return None
    chk.table(raw, path, ("rate", "volumes", "interval", "by_weekday", "forecast"))
    forms = [k for k in ("rate", "volumes", "forecast") if k in raw]
    if "by_weekday" in raw and "volumes" not in forms and "forecast" not in forms:
        forms.append("volumes")
    if len(forms) != 1:
        chk.add(path, "exactly one of rate, volumes (with by_weekday) or forecast", ", ".join(forms) or "none")
        return None
    if forms[0] == "rate":
        rate = chk.rate(raw, "rate", path)
        return None if rate is None else ArrivalSpec(Profile(constant=rate))
    prof = parse_profile(raw, path, chk, ctx.base_dir, ctx.calendar, list_key="volumes", file_key="forecast",
                         column="volume", integer=False)
    return None if prof is None else ArrivalSpec(prof, per_interval=True)


CHANNEL_KEYS = ("kind", "queue", "arrivals", "handle_time", "patience", "open", "targets", "ivr_time")


def _parse_channel(name: str, raw: Any, path: str, chk: Checker, ctx: ParseContext) -> Channel | None:
    if not isinstance(raw, dict):
        chk.add(path, "a channel table", raw)
        return None
    kind = chk.string(raw, "kind", path, default=name if name in CHANNEL_KINDS else None, choices=CHANNEL_KINDS)
    if kind is None:
        if "kind" not in raw:
            chk.add(join(path, "kind"), f"a channel kind ({', '.join(CHANNEL_KINDS)}) for a channel named {name!r}")
        return None
    ext = CHANNEL_EXTENSIONS[kind]
    work = "message_time" if kind in CONVERSATION_KINDS else "handle_time"
    chk.table(raw, path, (*(k for k in CHANNEL_KEYS if work == "handle_time" or k not in ("handle_time", "ivr_time")),
                          *ext))
    queue = chk.string(raw, "queue", path, default=name)
    arrivals = _parse_arrivals(raw.get("arrivals"), join(path, "arrivals"), chk, ctx)
    handle = parse_dist(raw.get(work), join(path, work), chk, ctx.base_dir) if work in raw else None
    if work not in raw:
        chk.add(join(path, work), 'a distribution such as { dist = "exponential", mean = "240s" } (required)')
    patience = parse_dist(raw["patience"], join(path, "patience"), chk, ctx.base_dir) if "patience" in raw else None
    ivr_time = parse_dist(raw["ivr_time"], join(path, "ivr_time"), chk, ctx.base_dir) if "ivr_time" in raw else None
    open_hours = chk.clock_range(raw, "open", path, default=None)
    targets = _parse_targets(raw.get("targets"), join(path, "targets"), chk, kind)
    ctx.name = name
    extra = {key: _call(spec, raw[key], join(path, key), chk, ctx) for key, spec in ext.items() if key in raw}
    if arrivals is None or handle is None or queue is None:
        return None
    return Channel(name, kind, queue, arrivals, handle, patience, open_hours, targets, ivr_time,
                   MappingProxyType(extra))


GROUP_KEYS = ("serves", "count", "interval", "by_weekday", "schedule", "wrap_up", "cost_per_hour", "availability")


def _parse_group(name: str, raw: Any, path: str, chk: Checker, ctx: ParseContext, queues: set[str]) -> AgentGroup | None:
    if not isinstance(raw, dict):
        chk.add(path, "an agent group table", raw)
        return None
    chk.table(raw, path, (*GROUP_KEYS, *AGENT_EXTENSIONS))
    serves = raw.get("serves")
    if not (isinstance(serves, list) and serves and all(isinstance(s, str) for s in serves)):
        chk.add(join(path, "serves"), 'a list of queue ids such as ["phone"] (required)', serves if "serves" in raw else MISSING_)
        serves = None
    else:
        for i, q in enumerate(serves):
            if q not in queues and queues:
                chk.add(join(path, f"serves[{i}]"), f"a queue id of this scenario ({', '.join(sorted(queues))})", q)
        if len(set(serves)) != len(serves):
            chk.add(join(path, "serves"), "each queue once", serves)
    count = _parse_count(raw, path, chk, ctx)
    wrap = parse_dist(raw["wrap_up"], join(path, "wrap_up"), chk, ctx.base_dir) if "wrap_up" in raw else None
    cost = chk.number(raw, "cost_per_hour", path, default=0.0, low=0)
    avail = chk.number(raw, "availability", path, default=1.0, low=0, high=1, low_open=True)
    ctx.name = name
    extra = {key: _call(spec, raw[key], join(path, key), chk, ctx) for key, spec in AGENT_EXTENSIONS.items() if key in raw}
    if serves is None or count is None:
        return None
    return AgentGroup(name, tuple(serves), count, wrap, cost or 0.0, avail or 1.0, MappingProxyType(extra))


def _parse_count(raw: dict, path: str, chk: Checker, ctx: ParseContext) -> Profile | None:
    c = raw.get("count")
    if isinstance(c, int) and not isinstance(c, bool):
        if c < 0:
            chk.add(join(path, "count"), "a non-negative whole number of agents", c)
            return None
        return Profile(constant=float(c))
    if c is None and "schedule" not in raw and "by_weekday" not in raw:
        chk.add(join(path, "count"), "a number of agents, a list per interval, or schedule = \"file.csv\" (required)")
        return None
    return parse_profile(raw, path, chk, ctx.base_dir, ctx.calendar, list_key="count", file_key="schedule",
                         column="count", integer=True)
