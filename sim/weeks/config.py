"""The ``[weeks]`` section: a run of several weeks in which demand responds to the reputation state and to each
customer's history (``sim.weeks.model``). Each key's default and source is in docs/reputation_weeks.md.

```toml
[weeks]
weeks = 4                 # measured weeks
warmup_weeks = 1          # simulated before them, not counted
bound = 2.0               # candidates per interval at bound × the scenario's demand [assumed]
feedback = true           # false: demand stays the scenario's (state and histories recorded, not used)
value_per_customer = 400  # what a customer won or lost is worth, for the money columns [assumed]
tolerance = { phone = "5min", social = "60min" }
state = { half_life = "7d", sensitivity = 0.001, initial = 0 }
population = { known = 20000, returning = 0.01, delay_scale = "30min", bad_call_to_public = 1.0, loss = 0.1,
               attrition = 0.032, shares = { phone = 0.7, social = 0.3 } }
incident = { start = "178h", duration = "6h", volume = 600, channels = { phone = 0.6, social = 0.4 },
             topic = "outage", proactive = false, post_after = "30min", deflect = 0.3 }
```
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from sim.incidents import Incident
from sim.population import PopulationSpec
from sim.reputation.state import StateSpec
from sim.validate import Checker, join

BOUND = 2.0  # [assumed]
VALUE_PER_CUSTOMER = 400.0  # [assumed], as retail_reputation.toml's [reputation] value_per_customer
TOLERANCE_S = {"phone": 5 * 60.0, "social": 60 * 60.0}  # phone [assumed]; social: 42% expect ≤ 60 min (Convince & Convert)
KEYS = ("weeks", "warmup_weeks", "bound", "feedback", "value_per_customer", "tolerance", "state", "population", "incident")
STATE_KEYS = ("half_life", "sensitivity", "initial")
POPULATION_KEYS = ("known", "returning", "delay_scale", "bad_call_to_public", "loss", "attrition", "shares")
INCIDENT_KEYS = ("start", "duration", "volume", "channels", "topic", "proactive", "post_after", "deflect")


@dataclass(frozen=True)
class WeeksSpec:
    weeks: int = 4
    warmup_weeks: int = 1
    bound: float = BOUND
    feedback: bool = True
    tolerance_s: dict[str, float] = field(default_factory=lambda: dict(TOLERANCE_S))
    state: StateSpec = field(default_factory=StateSpec)
    population: PopulationSpec = field(default_factory=PopulationSpec)
    incident: Incident | None = None
    value_per_customer: float = VALUE_PER_CUSTOMER


def _bool(raw: dict, key: str, path: str, chk: Checker, default: bool) -> bool:
    v = raw.get(key, default)
    if not isinstance(v, bool):
        chk.add(join(path, key), "true or false", v)
        return default
    return v


def _shares(raw: Any, path: str, chk: Checker, channels: tuple[str, ...]) -> dict[str, float] | None:
    if not isinstance(raw, dict) or not raw:
        chk.add(path, "a table of channel → share, such as { phone = 0.6, social = 0.4 }", raw)
        return None
    out = {}
    for name, v in raw.items():
        if name not in channels:
            chk.add(join(path, name), f"a channel of this scenario ({', '.join(channels)})", name)
            return None
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1:
            chk.add(join(path, name), "a share from 0 to 1", v)
            return None
        out[name] = float(v)
    if abs(math.fsum(out.values()) - 1) > 1e-9:
        chk.add(path, "shares summing to 1", f"shares summing to {math.fsum(out.values()):g}")
        return None
    return out


def parse_section(raw: Any, path: str, chk: Checker, ctx) -> WeeksSpec | None:
    """``[weeks]`` (the section of ``sim.extensions.WEEKS``)."""
    raw = chk.table(raw, path, KEYS)
    channels = tuple(ctx.raw.get("channels", {})) if ctx is not None else ("phone", "social")
    weeks = chk.number(raw, "weeks", path, default=4, low=1, high=520, integer=True)
    warm = chk.number(raw, "warmup_weeks", path, default=1, low=0, high=520, integer=True)
    bound = chk.number(raw, "bound", path, default=BOUND, low=1.0)
    feedback = _bool(raw, "feedback", path, chk, True)
    value = chk.number(raw, "value_per_customer", path, default=VALUE_PER_CUSTOMER, low=0.0)
    tol = dict(TOLERANCE_S)
    t_raw = raw.get("tolerance", {})
    t_raw = chk.table(t_raw, join(path, "tolerance"), channels)
    for name in t_raw:
        if name in channels:
            tol[name] = chk.duration(t_raw, name, join(path, "tolerance"))
    sp = join(path, "state")
    s_raw = chk.table(raw.get("state", {}), sp, STATE_KEYS)
    half = chk.duration(s_raw, "half_life", sp, default=7 * 86400.0, positive=True)
    state = StateSpec(half_life_days=(half or 86400.0) / 86400.0,
                      sensitivity=chk.number(s_raw, "sensitivity", sp, default=StateSpec.sensitivity, low=0.0),
                      initial=chk.number(s_raw, "initial", sp, default=StateSpec.initial, low=0.0))
    pp = join(path, "population")
    p_raw = chk.table(raw.get("population", {}), pp, POPULATION_KEYS)
    shares = _shares(p_raw["shares"], join(pp, "shares"), chk, channels) if "shares" in p_raw else None
    d = PopulationSpec()
    population = PopulationSpec(
        known=chk.number(p_raw, "known", pp, default=d.known, low=0, integer=True),
        returning=chk.number(p_raw, "returning", pp, default=d.returning, low=0.0, high=10.0),
        delay_scale_s=chk.duration(p_raw, "delay_scale", pp, default=d.delay_scale_s, positive=True),
        bad_call_to_public=chk.number(p_raw, "bad_call_to_public", pp, default=d.bad_call_to_public),
        loss=chk.number(p_raw, "loss", pp, default=d.loss, low=0.0, high=1.0),
        attrition=chk.number(p_raw, "attrition", pp, default=None, low=0.0, high=1.0),
        shares=shares or d.shares)
    incident = None
    if "incident" in raw:
        ip = join(path, "incident")
        i_raw = chk.table(raw["incident"], ip, INCIDENT_KEYS)
        ch = _shares(i_raw["channels"], join(ip, "channels"), chk, channels) if "channels" in i_raw else None
        start = chk.duration(i_raw, "start", ip)
        dur = chk.duration(i_raw, "duration", ip, positive=True)
        vol = chk.number(i_raw, "volume", ip, default=600.0, low=0.0)
        if start is not None and dur is not None and vol is not None:
            incident = Incident(start, dur, vol, channels=ch or {"phone": 0.6, "social": 0.4},
                                topic=chk.string(i_raw, "topic", ip, default="outage") or "outage",
                                proactive=_bool(i_raw, "proactive", ip, chk, False),
                                post_after_s=chk.duration(i_raw, "post_after", ip, default=1800.0) or 0.0,
                                deflect=chk.number(i_raw, "deflect", ip, default=0.3, low=0.0, high=1.0) or 0.0)
    if None in (weeks, warm, bound, value, population.known, population.returning, population.delay_scale_s,
                population.bad_call_to_public, population.loss, state.sensitivity, state.initial):
        return None
    return WeeksSpec(int(weeks), int(warm), float(bound), feedback, tol, state, population, incident, float(value))


def check(sc, chk: Checker) -> None:
    """A run of weeks simulates one day at a time: the scenario's own run is one day, and its channels are among
    phone and social."""
    if "weeks" not in sc.raw:
        return
    if sc.run.horizon_s != 86400.0:
        chk.add("run.horizon", '"1d" (a run of [weeks] simulates one day at a time)', sc.raw.get("run", {}).get("horizon"))
    if sc.run.warmup_s != 0.0:
        chk.add("run.warmup", '"0s" (warm-up of a run of [weeks] is weeks.warmup_weeks)', sc.raw["run"].get("warmup"))
    for name, ch in sc.channels.items():
        if ch.kind not in ("phone", "social"):
            chk.add(f"channels.{name}", "a phone or social channel (a run of [weeks] knows those two)", ch.kind)
