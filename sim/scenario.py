"""Scenario files: read once, validated once, at the boundary.

``load_scenario(path)`` reads TOML (data only), applies dotted-key overrides, checks every key and value, and returns a
frozen ``Scenario``; every problem is reported at once in one ``ScenarioError``. Features (IVR funnel, social
handling, reputation, choice, staffing rules) add their keys, sections and cross-checks through the one list of
features (``sim.extensions.FEATURES``), so the reader stays the single front door; each feature's typed spec of a
channel or agent group is built here too (``Channel.features``, ``AgentGroup.features``).
"""
from __future__ import annotations

import copy
import hashlib
import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from sim.arrivals import ArrivalSpec
from sim.calendar import (
    DEFAULT_START,
    Calendar,
    Profile,
    parse_interval,
    parse_profile,
    parse_start,
    parse_value_profile,
)
from sim.core import contact_id_base
from sim.distributions import Dist, parse_dist
from sim.errors import InputError, Problem, ScenarioError
from sim.extensions import FEATURES
from sim.social.kinds import CONVERSATION_KINDS as CONVERSATION_KINDS  # re-exported (CHANGELOG)
from sim.social.kinds import is_conversation
from sim.validate import Checker, check_tree, join

SCHEMA = 1
CHANNEL_KINDS = ("phone", "social", "email", "chat")



@dataclass(frozen=True)
class Keys:
    """The features' keys: key -> parser called as fn(raw_value, path, chk, ctx) -> parsed object (or None on
    problems, which it reports to chk; a parsed object may expose ``queues``, queue ids its contacts can join), and the
    cross-checks run on the whole scenario after parsing, called as fn(scenario, chk)."""

    channel: Mapping[str, Mapping[str, Any]]
    agent: Mapping[str, Any]
    section: Mapping[str, Any]
    checks: tuple[Any, ...]


def feature_keys(features: tuple = FEATURES) -> Keys:
    return Keys({kind: {k: fn for f in features for k, fn in f.channel_keys.get(kind, {}).items()}
                 for kind in CHANNEL_KINDS},
                {k: fn for f in features for k, fn in f.agent_keys.items()},
                {k: fn for f in features for k, fn in f.sections.items()},
                tuple(fn for f in features for fn in f.checks))


KEYS = feature_keys()
CHANNEL_EXTENSIONS, AGENT_EXTENSIONS, SECTION_EXTENSIONS = KEYS.channel, KEYS.agent, KEYS.section

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
class CustomerClass:
    """A class of a channel's customers (``classes``): ``priority`` (the class number on the records), the ``share``
    of arrivals, a waiting-time ``credit_s`` (a head start in the queue, not strict priority; the Anonymous Bank's
    documentation gives priority-2 customers 1.5 minutes) and the class's own patience law (None: the channel's)."""

    priority: int
    share: float
    credit_s: float = 0.0
    patience: Dist | None = None


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
    extra: Mapping[str, Any] = field(default_factory=dict)  # the features' parsed keys, by key
    features: Mapping[str, Any] = field(default_factory=dict)  # each feature's typed spec of the channel, by feature
    aht: Profile | None = None  # mean handle time per interval of arrival (seconds); handle_time gives the shape
    classes: tuple[CustomerClass, ...] = ()  # customer classes of the plain queue (priority credit, patience)

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
    extra: Mapping[str, Any] = field(default_factory=dict)  # the features' parsed keys, by key
    features: Mapping[str, Any] = field(default_factory=dict)  # each feature's typed spec of the group, by feature
    availability_profile: Profile | None = None  # availability per interval (then ``availability`` is 1.0, unused)


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
    features: tuple = FEATURES
    keys: Keys = KEYS
    horizon_s: float | None = None
    channels: Mapping[str, Channel] = field(default_factory=dict)


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
    raw = read_toml(path)
    for key, value in (overrides or {}).items():
        raw = set_dotted(raw, key, value)
    return parse_scenario(raw, source=str(path), base_dir=path.parent)


MAX_FILE_BYTES = 16 * 2**20  # a scenario file above 16 MiB is refused (the shipped ones are below 20 KiB)


def read_toml(path: Path) -> dict:
    """A TOML file as a dict: UTF-8 (a leading byte-order mark is accepted), at most ``MAX_FILE_BYTES``, nested at
    most ``sim.validate.MAX_DEPTH`` deep, no NaN or infinity; otherwise one ``InputError`` line saying where."""
    source = str(path)
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise InputError(f"{path}: cannot read the scenario file ({exc.strerror})") from None
    if len(data) > MAX_FILE_BYTES:
        raise ScenarioError(Problem(source, "", f"a scenario file of at most {MAX_FILE_BYTES // 2**20} MiB", "larger"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ScenarioError(Problem(source, "", "UTF-8 text (save the file as UTF-8)",
                                    f"byte 0x{data[exc.start]:02x} on line {line}")) from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(Problem(source, "", "valid TOML", str(exc))) from None
    except RecursionError:
        raise ScenarioError(Problem(source, "", "tables and lists nested at most 32 deep", "deeper nesting")) from None
    chk = Checker(source)
    check_tree(raw, chk)
    chk.done()
    return raw


def parse_scenario(raw: dict, source: str = "<dict>", base_dir: str | Path = ".", features: tuple | None = None
                   ) -> Scenario:
    """Validate an already-read scenario dict; every problem is collected into one ``ScenarioError``. ``features``:
    the feature list whose keys the file may use (default ``sim.extensions.FEATURES``)."""
    features = FEATURES if features is None else tuple(features)
    keys = KEYS if features == FEATURES else feature_keys(features)
    chk = Checker(source)
    base_dir = Path(base_dir)
    if not check_tree(raw, chk):  # too deep, NaN or infinity: stop before anything walks it
        chk.done()
    top = chk.table(raw, "", ("schema", "name", "description", "run", "channels", "agents", *keys.section))
    if top.get("schema") != SCHEMA or isinstance(top.get("schema"), bool):  # true == 1 in Python, not in TOML
        chk.add("schema", f"schema = {SCHEMA} at the top of the file", top.get("schema", "nothing"))
    name = chk.string(top, "name", "", default=Path(source).stem)
    description = chk.string(top, "description", "", default="")
    run, cal = _parse_run(top.get("run", {}), chk)
    ctx = ParseContext(base_dir, cal, raw, features=features, keys=keys, horizon_s=run.horizon_s)
    channels = {}
    ch_raw = top.get("channels")
    if not isinstance(ch_raw, dict) or not ch_raw:
        chk.add("channels", "at least one channel table such as [channels.phone]", ch_raw if ch_raw is not None else MISSING_)
    else:
        for cname, craw in ch_raw.items():
            ch = _parse_channel(cname, craw, f"channels.{cname}", chk, ctx)
            if ch is not None:
                channels[cname] = ch
    owner: dict[str, str] = {}
    for ch in channels.values():  # a queue belongs to one channel, or the summary books one's contacts to the other
        for q in ch.queues:
            if q in owner and owner[q] != ch.name:
                key = f"channels.{ch.name}.queue" if q == ch.queue else f"channels.{ch.name}"
                chk.add(key, f"a queue id no other channel uses (channel {owner[q]} already uses {q!r}; give each "
                             f"channel its own queue and let one agent group serve both)", q)
            owner.setdefault(q, ch.name)
    queues = set(owner)
    ctx.channels = channels
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
    for key, spec in keys.section.items():
        if key in top:
            sections[key] = spec(top[key], key, chk, ctx)
    _check_contact_ids(channels, chk)
    if "staffing" in sections:  # the rota planner scales one availability by (1 - shrinkage)
        for g in agents.values():
            if g.availability_profile is not None:
                chk.add(f"agents.{g.name}.availability", "one availability for the day beside [staffing] (the rota "
                                                         "planner does not plan with a value per interval)",
                        text="a value per interval")
    served = {q for g in agents.values() for q in g.serves}
    for ch in channels.values():
        missing = [q for q in ch.queues if q not in served]
        if missing and agents:
            chk.add(f"channels.{ch.name}", f"an agent group serving queue {', '.join(missing)} (in some [agents.*] serves)",
                    "none")
    chk.done()
    sc = Scenario(source, base_dir, MappingProxyType(copy.deepcopy(raw)), scenario_hash(raw), name, description, run, cal,
                  MappingProxyType(channels), MappingProxyType(agents), MappingProxyType(sections))
    for check in keys.checks:
        check(sc, chk)
    chk.done()
    return sc


MISSING_ = "nothing"
MAX_REPLICATIONS = 100_000


def _check_contact_ids(channels: Mapping[str, Channel], chk: Checker) -> None:
    """Contact ids are a per-channel prefix from the channel's name + a sequence: two names must not share one."""
    seen: dict[int, str] = {}
    for name in channels:
        other = seen.setdefault(contact_id_base(name), name)
        if other != name:
            chk.add(f"channels.{name}", f"a channel name whose contact-id prefix differs from channels.{other}'s "
                    "(rename one channel)", name)


def _parse_run(raw: Any, chk: Checker) -> tuple[RunSpec, Calendar]:
    p = "run"
    raw = chk.table(raw, p, ("horizon", "warmup", "replications", "seed", "start", "interval", "busyness_cv"))
    horizon = chk.duration(raw, "horizon", p, default=86400.0, positive=True, low=60.0)
    warmup = chk.duration(raw, "warmup", p, default=0.0)
    reps = chk.number(raw, "replications", p, default=10, low=1, high=MAX_REPLICATIONS, integer=True)
    seed = chk.number(raw, "seed", p, default=1, low=0, high=2**63 - 1, integer=True)
    interval = parse_interval(raw, p, chk, whole_run_s=horizon)
    cv = chk.number(raw, "busyness_cv", p, default=0.0, low=0, high=2)
    start = chk.value(raw, "start", p, parse_start, 'a date-time such as "1999-03-01 00:00"', default=DEFAULT_START)
    if horizon is not None and warmup is not None and warmup >= horizon:
        chk.add("run.warmup", f"a warm-up shorter than the horizon ({horizon:g}s)", raw.get("warmup"))
    spec = RunSpec(86400.0 if horizon is None else horizon, warmup or 0.0, reps or 1, seed or 0, interval or 1800.0,
                   cv or 0.0)
    return spec, Calendar(start or DEFAULT_START)


def _parse_targets(raw: Any, path: str, chk: Checker, kind: str) -> Targets:
    within, sl = DEFAULT_TARGETS.get(kind, (20.0, 0.8))
    if raw is None:
        return Targets(within, sl)
    raw = chk.table(raw, path, ("answer_within", "service_level", "max_abandon", "max_occupancy"))
    answer_within = chk.duration(raw, "answer_within", path, default=within)
    level = chk.service_level(raw, "service_level", path, default=sl)
    return Targets(  # 0 means 0: a missing key takes the default, a written 0 stays 0
        within if answer_within is None else answer_within,
        sl if level is None else level,
        chk.number(raw, "max_abandon", path, default=None, low=0, high=1),
        chk.number(raw, "max_occupancy", path, default=None, low=0, high=1, low_open=True),
    )


def _parse_arrivals(raw: Any, path: str, chk: Checker, ctx: ParseContext,
                    open_hours: tuple[float, float] | None = None) -> ArrivalSpec | None:
    if not isinstance(raw, dict):
        chk.add(path, 'an arrivals table: { rate = "100/h" }, { volumes = [...], interval = "30min" } or '
                      '{ forecast = "file.csv" }', raw if raw is not None else MISSING_)
        return None
    chk.table(raw, path, ("rate", "volumes", "interval", "by_weekday", "forecast", *PROFILE_KEYS))
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
                         column="volume", integer=False, open_hours=open_hours, horizon_s=ctx.horizon_s)
    return None if prof is None else ArrivalSpec(prof, per_interval=True)


PROFILE_KEYS = ("repeat", "missing", "encoding")  # a list that is a cycle; a CSV's missing rows; its encoding
CHANNEL_KEYS = ("kind", "queue", "arrivals", "handle_time", "patience", "open", "targets", "ivr_time", "aht",
                "classes")
MAX_AHT_S = 86400.0  # a mean handle time above a day is a slip (milliseconds typed as seconds, a date)


def _parse_channel(name: str, raw: Any, path: str, chk: Checker, ctx: ParseContext) -> Channel | None:
    if not isinstance(raw, dict):
        chk.add(path, "a channel table", raw)
        return None
    kind = chk.string(raw, "kind", path, default=name if name in CHANNEL_KINDS else None, choices=CHANNEL_KINDS)
    if kind is None:
        if "kind" not in raw:
            chk.add(join(path, "kind"), f"a channel kind ({', '.join(CHANNEL_KINDS)}) for a channel named {name!r}")
        return None
    ext = ctx.keys.channel[kind]
    work = "message_time" if is_conversation(kind, raw.get("mode")) else "handle_time"  # per agent message (sim.social)
    old_chat = kind == "chat" and work == "message_time" and "handle_time" in raw and "message_time" not in raw
    if old_chat:  # chat is messaging by default (sim.social.kinds): say how to keep a plain queue
        chk.add(join(path, "handle_time"), 'message_time (work per reply: chat is messaging by default) or mode = '
                '"queue" (a plain queue, one handle_time per chat)', raw["handle_time"])
        raw = {k: v for k, v in raw.items() if k != "handle_time"} | {"message_time": raw["handle_time"]}
    chk.table(raw, path, (*(k for k in CHANNEL_KEYS if work == "handle_time" or k not in ("handle_time", "ivr_time",
                                                                                           "aht", "classes")),
                          *ext))
    queue = chk.string(raw, "queue", path, default=name)
    open_hours = chk.clock_range(raw, "open", path, default=None)
    arrivals = _parse_arrivals(raw.get("arrivals"), join(path, "arrivals"), chk, ctx, open_hours)
    handle = parse_dist(raw.get(work), join(path, work), chk, ctx.base_dir) if work in raw else None
    if work not in raw:
        chk.add(join(path, work), 'a distribution such as { dist = "exponential", mean = "240s" } (required)')
    patience = parse_dist(raw["patience"], join(path, "patience"), chk, ctx.base_dir) if "patience" in raw else None
    ivr_time = parse_dist(raw["ivr_time"], join(path, "ivr_time"), chk, ctx.base_dir) if "ivr_time" in raw else None
    aht = None
    if "aht" in raw and work == "handle_time":
        aht = parse_value_profile(raw["aht"], join(path, "aht"), chk, ctx.base_dir, ctx.calendar, low=0.0,
                                  high=MAX_AHT_S, low_open=True, what="a mean handle time in seconds",
                                  horizon_s=ctx.horizon_s)
    elif work == "handle_time" and arrivals is not None:  # else a forecast's aht column, if it has one
        aht = arrivals.profile.companion("aht")
    if aht is not None and handle is not None and not handle.mean > 0:
        chk.add(join(path, "handle_time"), "a law with a positive mean (aht, or the forecast's aht column, scales it "
                "to each interval's mean)", text="mean 0")
    classes: tuple[CustomerClass, ...] = ()
    if "classes" in raw and work == "handle_time":
        classes = _parse_classes(raw, join(path, "classes"), chk, ctx, [k for k in ext if k in raw])
    targets = _parse_targets(raw.get("targets"), join(path, "targets"), chk, kind)
    ctx.name = name
    extra = {key: spec(raw[key], join(path, key), chk, ctx) for key, spec in ext.items() if key in raw}
    if arrivals is None or handle is None or queue is None:
        return None
    ch = Channel(name, kind, queue, arrivals, handle, patience, open_hours, targets, ivr_time, MappingProxyType(extra),
                 aht=aht, classes=classes)
    if chk.problems:  # a key failed: its feature's spec would be built from a partial reading
        return ch
    typed = {f.name: f.channel_spec(ch) for f in ctx.features if f.channel_spec is not None}
    return replace(ch, features=MappingProxyType({k: v for k, v in typed.items() if v is not None}))


def _parse_classes(raw: dict, path: str, chk: Checker, ctx: ParseContext, features: list[str]
                   ) -> tuple[CustomerClass, ...]:
    """``classes = { "1" = { share = 0.8 }, "2" = { share = 0.2, credit = "90s", patience = {…} } }``: the plain
    queue's customer classes, shares summing to 1; the queue serves them in one line by entry time minus credit."""
    table = raw["classes"]
    if features:
        chk.add(path, "classes on a plain queue (the funnel has its own priorities)", text=", ".join(features))
        return ()
    if not isinstance(table, dict) or not table:
        chk.add(path, 'a table of classes such as { "1" = { share = 0.8 }, "2" = { share = 0.2, credit = "90s" } }',
                table)
        return ()
    out = []
    for name, spec in table.items():
        p = join(path, name)
        if not name.isdigit():
            chk.add(p, "a class number (a whole number such as \"2\", as on the records)", name)
            continue
        if not isinstance(spec, dict):
            chk.add(p, 'a class table such as { share = 0.2, credit = "90s" }', spec)
            continue
        chk.table(spec, p, ("share", "credit", "patience"))
        share = chk.number(spec, "share", p, low=0, high=1, low_open=True)
        credit = chk.duration(spec, "credit", p, default=0.0, high=86400.0)
        pat = parse_dist(spec["patience"], join(p, "patience"), chk, ctx.base_dir) if "patience" in spec else None
        if share is not None and credit is not None:
            out.append(CustomerClass(int(name), share, credit, pat))
    if len(out) == len(table) and abs(sum(k.share for k in out) - 1.0) > 1e-6:
        chk.add(path, "shares that sum to 1", text=f"{sum(k.share for k in out):g}")
    return tuple(sorted(out, key=lambda k: k.priority))


GROUP_KEYS = ("serves", "count", "interval", "by_weekday", "schedule", "wrap_up", "cost_per_hour", "availability",
              *PROFILE_KEYS)


def _parse_group(name: str, raw: Any, path: str, chk: Checker, ctx: ParseContext, queues: set[str]) -> AgentGroup | None:
    if not isinstance(raw, dict):
        chk.add(path, "an agent group table", raw)
        return None
    chk.table(raw, path, (*GROUP_KEYS, *ctx.keys.agent))
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
    avail_profile = None
    if isinstance(raw.get("availability"), dict):
        avail_profile = parse_value_profile(raw["availability"], join(path, "availability"), chk, ctx.base_dir,
                                            ctx.calendar, low=0.0, high=1.0, low_open=True,
                                            what="a share of the seated agents available", horizon_s=ctx.horizon_s)
        avail = 1.0
    else:
        avail = chk.number(raw, "availability", path, default=1.0, low=0, high=1, low_open=True)
    ctx.name = name
    extra = {key: spec(raw[key], join(path, key), chk, ctx) for key, spec in ctx.keys.agent.items() if key in raw}
    if serves is None or count is None:
        return None
    g = AgentGroup(name, tuple(serves), count, wrap, cost or 0.0, 1.0 if avail is None else avail,
                   MappingProxyType(extra), availability_profile=avail_profile)
    typed = {f.name: f.group_spec(g) for f in ctx.features if f.group_spec is not None}
    return replace(g, features=MappingProxyType({k: v for k, v in typed.items() if v is not None}))


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
                         column="count", integer=True, horizon_s=ctx.horizon_s, open_hours=_served_hours(raw, ctx),
                         warn_outside=False)


def _served_hours(raw: dict, ctx: ParseContext) -> tuple[float, float] | None:
    """From the earliest opening to the latest closing of the channels a group serves, when all of them have hours
    (a schedule needs a row for each of those intervals)."""
    serves = raw.get("serves") if isinstance(raw.get("serves"), list) else []
    hours = [ch.open_hours for ch in ctx.channels.values() if any(q in ch.queues for q in serves)]
    if not hours or any(h is None for h in hours):
        return None
    return min(h[0] for h in hours), max(h[1] for h in hours)
