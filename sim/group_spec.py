"""An agent group of a scenario (``[agents.<name>]``): a team, the queues it serves and its seated count over time.

``parse_group`` checks every key of the group and reports each problem to the scenario's one ``Checker``; a count can
be a number, a list per interval or a schedule file, which must have a row for every interval of the served hours.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from sim.calendar import Profile, parse_profile, parse_value_profile
from sim.channel_spec import MISSING_, PROFILE_KEYS
from sim.distributions import Dist, parse_dist
from sim.validate import Checker, join

if TYPE_CHECKING:
    from sim.scenario import ParseContext

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


GROUP_KEYS = ("serves", "count", "interval", "by_weekday", "schedule", "wrap_up", "cost_per_hour", "availability",
              *PROFILE_KEYS)


def parse_group(name: str, raw: Any, path: str, chk: Checker, ctx: ParseContext, queues: set[str]) -> AgentGroup | None:
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
    count = parse_count(raw, path, chk, ctx)
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


def parse_count(raw: dict, path: str, chk: Checker, ctx: ParseContext) -> Profile | None:
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
                         column="count", integer=True, horizon_s=ctx.horizon_s, open_hours=served_hours(raw, ctx),
                         warn_outside=False)


def served_hours(raw: dict, ctx: ParseContext) -> tuple[float, float] | None:
    """From the earliest opening to the latest closing of the channels a group serves, when all of them have hours
    (a schedule needs a row for each of those intervals)."""
    serves = raw.get("serves") if isinstance(raw.get("serves"), list) else []
    hours = [ch.open_hours for ch in ctx.channels.values() if any(q in ch.queues for q in serves)]
    if not hours or any(h is None for h in hours):
        return None
    return min(h[0] for h in hours), max(h[1] for h in hours)
