"""A channel of a scenario (``[channels.<name>]``): its typed spec and its reader.

A channel is one way customers reach the centre (phone, social, email, chat): its arrivals, handle time (or, for a
conversation, the agent's time per message), patience, opening hours, service targets and customer classes, plus each
feature's parsed keys (``extra``) and typed spec (``features``). ``parse_channel`` checks every key and reports each
problem to the scenario's one ``Checker`` (``sim.scenario`` is the front door).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from sim.arrivals import ArrivalSpec
from sim.calendar import Profile, parse_profile, parse_value_profile
from sim.distributions import Dist, parse_dist
from sim.social.kinds import is_conversation
from sim.validate import Checker, join

if TYPE_CHECKING:
    from sim.scenario import ParseContext

CHANNEL_KINDS = ("phone", "social", "email", "chat")
MISSING_ = "nothing"

# Conventional targets by kind: 80% within 20 s for phone (domain notes §1); first reply within 60 min for social and
# email (Convince & Convert / Edison; Social Media Today — domain notes §3).
DEFAULT_TARGETS = {"phone": (20.0, 0.80), "chat": (60.0, 0.80), "social": (3600.0, 0.90), "email": (3600.0, 0.90)}


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


def parse_targets(raw: Any, path: str, chk: Checker, kind: str) -> Targets:
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


def parse_arrivals(raw: Any, path: str, chk: Checker, ctx: ParseContext,
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


def parse_channel(name: str, raw: Any, path: str, chk: Checker, ctx: ParseContext) -> Channel | None:
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
    arrivals = parse_arrivals(raw.get("arrivals"), join(path, "arrivals"), chk, ctx, open_hours)
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
        classes = parse_classes(raw, join(path, "classes"), chk, ctx, [k for k in ext if k in raw])
    targets = parse_targets(raw.get("targets"), join(path, "targets"), chk, kind)
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


def parse_classes(raw: dict, path: str, chk: Checker, ctx: ParseContext, features: list[str]
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


