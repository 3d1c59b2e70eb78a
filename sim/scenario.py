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
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from sim.calendar import DEFAULT_START, Calendar, parse_interval, parse_start
from sim.channel_spec import CHANNEL_KEYS as CHANNEL_KEYS  # re-exported (sim.schema)
from sim.channel_spec import CHANNEL_KINDS, MISSING_, Channel, parse_channel
from sim.core import contact_id_base
from sim.errors import InputError, Problem, ScenarioError
from sim.extensions import FEATURES
from sim.group_spec import GROUP_KEYS as GROUP_KEYS
from sim.group_spec import AgentGroup, parse_group
from sim.social.kinds import CONVERSATION_KINDS as CONVERSATION_KINDS  # re-exported (CHANGELOG)
from sim.validate import Checker, check_tree

SCHEMA = 1



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

@dataclass(frozen=True)
class RunSpec:
    horizon_s: float
    warmup_s: float
    replications: int
    seed: int
    interval_s: float
    busyness_cv: float


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
            ch = parse_channel(cname, craw, f"channels.{cname}", chk, ctx)
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
            g = parse_group(gname, graw, f"agents.{gname}", chk, ctx, queues)
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


