"""The ``[reputation]`` section of a scenario: which mechanisms run, and their parameters.

Every mechanism is a sub-table and can be switched off with ``enabled = false`` in it, or ``<name> = false`` in
``[reputation]``; ``[reputation] enabled = false`` switches the whole model off. Mechanisms that act on a social
channel (pile_on, spillover, deflection, repeat) are on by default only when the scenario has one; written out
explicitly without one they are an error. Defaults and their sources are in each mechanism's module and in
``docs/reputation.md``.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from sim.distributions import parse_dist
from sim.reputation.churn import Churn
from sim.reputation.deflection import Deflection
from sim.reputation.disconfirmation import Disconfirmation
from sim.reputation.expectations import PRESETS, Expectation, Expectations, validate_knots
from sim.reputation.exposure import MIN_RATIO, VisibilityCurve
from sim.reputation.hawkes import KERNELS, ExponentialKernel, PileOn, PowerLawKernel, VisibilityKernel
from sim.reputation.ledger import REPLY_VALUE, ReplyValue, Sentiment
from sim.reputation.repeat import RepeatComplaints
from sim.reputation.silent_majority import SilentMajority
from sim.reputation.spillover import Spillover, spillover_route
from sim.reputation.word_of_mouth import WordOfMouth
from sim.social.kinds import conversation_channel
from sim.units import parse_duration
from sim.validate import Checker, join

MECHANISMS = ("exposure", "sentiment", "pile_on", "spillover", "word_of_mouth", "churn", "deflection", "repeat",
              "expectations", "disconfirmation", "silent_majority")
KEYS = {  # the keys of each mechanism's table (docs/reputation.md lists each with its default and source)
    "exposure": ("enabled", "peak", "half_life", "impressions_per_follower"),
    "sentiment": ("enabled", "unanswered_complaint", "unanswered_question", "reply", "resolved", "praise",
                  "reply_value"),
    "pile_on": ("enabled", "excitation", "reach_exponent", "reference_reach", "damping", "kernel", "kernel_mean",
                "kernel_scale", "kernel_exponent", "channels"),
    "spillover": ("enabled", "from", "to", "intercept", "per_wait_minute", "per_transfer", "per_ivr_minute", "failed",
                  "unresolved", "delay"),
    "word_of_mouth": ("enabled", "share", "told_good", "told_bad", "social_multiplier", "good", "bad", "conversion"),
    "churn": ("enabled", "probability"),
    "deflection": ("enabled", "fraction", "duration", "topics"),
    "repeat": ("enabled", "probability", "delay"),
    "disconfirmation": ("enabled", "exponent", "churn_late"),
    "silent_majority": ("enabled", "ratio", "ratio_other", "churn_own", "sees_public", "churn_seen"),
}
SOCIAL_MECHANISMS = ("pile_on", "spillover", "deflection", "repeat")
KERNEL_MEAN_S = 30 * 60.0  # exponential kernel [assumed]
KERNEL_SCALE_S = 60.0  # power-law kernel c [assumed]
KERNEL_EXPONENT = 0.5  # power-law kernel θ [assumed]


@dataclass(frozen=True)
class ReputationSpec:
    """The parsed section. A mechanism that is off is None (``sentiment`` is always there: it prices impressions)."""

    enabled: bool = True
    value_per_customer: float | None = None
    value_per_net_impression: float | None = None
    curve: VisibilityCurve = field(default_factory=VisibilityCurve)
    exposure: VisibilityCurve | None = None
    sentiment: Sentiment = field(default_factory=Sentiment)
    pile_on: PileOn | None = None
    spillover: Spillover | None = None
    word_of_mouth: WordOfMouth | None = None
    churn: Churn | None = None
    deflection: Deflection | None = None
    repeat: RepeatComplaints | None = None
    expectations: Expectations | None = field(default_factory=Expectations)
    disconfirmation: Disconfirmation | None = field(default_factory=Disconfirmation)
    silent_majority: SilentMajority | None = field(default_factory=SilentMajority)
    explicit: frozenset = frozenset()  # mechanisms the file wrote out

    @property
    def live(self) -> bool:
        """Does any mechanism act while the replication runs (rather than on its records afterwards)?"""
        return self.enabled and any(getattr(self, m) is not None for m in SOCIAL_MECHANISMS)


def reputation_of(scenario) -> ReputationSpec | None:
    """The scenario's reputation model, or None when it has none or it is switched off."""
    spec = scenario.sections.get("reputation")
    return spec if spec is not None and spec.enabled else None


def social_channels(scenario) -> list[str]:
    return [ch.name for ch in scenario.channels.values() if ch.kind == "social"]


def pile_on_channels(scenario, spec: ReputationSpec) -> list[str]:
    if spec.pile_on is None:
        return []
    return list(spec.pile_on.channels) if spec.pile_on.channels is not None else social_channels(scenario)


# Parsing ----------------------------------------------------------------------------------------------------------
def _switch(raw: dict, key: str, path: str, chk: Checker) -> tuple[dict, bool]:
    """A mechanism's table and whether it is on: a table (with optional ``enabled``), ``true`` or ``false``."""
    v = raw.get(key, {})
    if isinstance(v, bool):
        return {}, v
    if not isinstance(v, dict):
        chk.add(join(path, key), f"a table of {key} settings, or true/false", v)
        return {}, False
    on = v.get("enabled", True)
    if not isinstance(on, bool):
        chk.add(join(join(path, key), "enabled"), "true or false", on)
        on = False
    return v, on


def _num(chk, raw, key, path, default, **kw):
    v = chk.number(raw, key, path, default=default, **kw)
    return default if v is None else v


def _dur(chk, raw, key, path, default):
    v = chk.duration(raw, key, path, default=default, positive=True)
    return default if v is None else v


def _pairs(raw: list, path: str, chk: Checker, valid, expected: str) -> list[tuple[float, float]] | None:
    """[[duration, number], …] as (seconds, value) pairs, or None after naming the first bad pair."""
    out = []
    for i, pair in enumerate(raw):
        ok = isinstance(pair, list) and len(pair) == 2
        try:
            d = parse_duration(pair[0]) if ok else None
        except ValueError:
            d = None
        v = pair[1] if ok else None
        if d is None or isinstance(v, bool) or not isinstance(v, (int, float)) or not valid(v):
            chk.add(join(path, i), expected, pair)
            return None
        out.append((d, float(v)))
    return out


def _reply_value(raw: Any, path: str, chk: Checker) -> ReplyValue:
    example = 'a list of [delay, value] pairs with increasing delays, such as [["6min", 20.0], ["60min", 2.33]]'
    if not isinstance(raw, list) or not raw:
        chk.add(path, example, raw)
        return ReplyValue()
    knots = _pairs(raw, path, chk, lambda v: v >= 0, 'a pair [delay, value ≥ 0] such as ["6min", 20.0]')
    if knots is None:
        return ReplyValue()
    if any(b[0] <= a[0] for a, b in zip(knots, knots[1:])):
        chk.add(path, example, raw)
        return ReplyValue()
    return ReplyValue(tuple(knots))


def parse_section(raw: Any, path: str, chk: Checker, ctx) -> ReputationSpec | None:
    """``[reputation]`` (a section of the reputation feature, ``sim.extensions.REPUTATION``)."""
    if isinstance(raw, bool):
        raw = {"enabled": raw}
    if not isinstance(raw, dict):
        chk.add(path, "a [reputation] table", raw)
        return None
    chk.table(raw, path, ("enabled", "value_per_customer", "value_per_net_impression", *MECHANISMS))
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        chk.add(join(path, "enabled"), "true or false", enabled)
        enabled = False
    value = chk.number(raw, "value_per_customer", path, default=None, low=0)
    per_imp = chk.number(raw, "value_per_net_impression", path, default=None)
    explicit = frozenset(k for k in MECHANISMS if k in raw)
    parts: dict[str, Any] = {}

    t, on = _switch(raw, "exposure", path, chk)
    p = join(path, "exposure")
    chk.table(t, p, KEYS["exposure"])
    peak = _dur(chk, t, "peak", p, VisibilityCurve.peak_s)
    half = _dur(chk, t, "half_life", p, VisibilityCurve.half_life_s)
    ipf = _num(chk, t, "impressions_per_follower", p, VisibilityCurve.impressions_per_follower, low=0)
    if half < MIN_RATIO * peak:
        chk.add(join(p, "half_life"), f"a half-life at least {MIN_RATIO:g} × the peak ({peak:g}s): the time by which "
                "half of a post's impressions are made", t.get("half_life"))
        curve = VisibilityCurve()
    else:
        curve = VisibilityCurve(peak, half, ipf)
    parts["exposure"] = curve if on else None

    t, on = _switch(raw, "sentiment", path, chk)
    p = join(path, "sentiment")
    chk.table(t, p, KEYS["sentiment"])
    d = Sentiment()
    parts["sentiment"] = Sentiment(
        *(_num(chk, t, k, p, getattr(d, k)) for k in ("unanswered_complaint", "unanswered_question", "reply",
                                                      "resolved", "praise")),
        reply_value=_reply_value(t["reply_value"], join(p, "reply_value"), chk) if "reply_value" in t
        else ReplyValue(REPLY_VALUE))
    if not on:
        parts["sentiment"] = Sentiment(0.0, 0.0, 0.0, 0.0, 0.0, parts["sentiment"].reply_value)

    t, on = _switch(raw, "pile_on", path, chk)
    p = join(path, "pile_on")
    chk.table(t, p, KEYS["pile_on"])
    kind = chk.string(t, "kernel", p, default="visibility", choices=KERNELS) or "visibility"
    kernel = {"visibility": lambda: VisibilityKernel(curve),
              "exponential": lambda: ExponentialKernel(_dur(chk, t, "kernel_mean", p, KERNEL_MEAN_S)),
              "power_law": lambda: PowerLawKernel(_dur(chk, t, "kernel_scale", p, KERNEL_SCALE_S),
                                                  _num(chk, t, "kernel_exponent", p, KERNEL_EXPONENT, low=0,
                                                       low_open=True))}[kind]()
    for key, needs in (("kernel_mean", "exponential"), ("kernel_scale", "power_law"), ("kernel_exponent", "power_law")):
        if key in t and kind != needs:
            chk.add(join(p, key), f'kernel = "{needs}" (this key belongs to that kernel)', f'kernel = "{kind}"')
    parts["pile_on"] = PileOn(
        excitation=_num(chk, t, "excitation", p, PileOn.excitation, low=0),
        reach_exponent=_num(chk, t, "reach_exponent", p, PileOn.reach_exponent, low=0),
        reference_reach=chk.number(t, "reference_reach", p, default=None, low=0, low_open=True),
        damping=_num(chk, t, "damping", p, PileOn.damping, low=0, high=1),
        kernel=kernel, channels=_names(t, "channels", p, chk)) if on else None

    t, on = _switch(raw, "spillover", path, chk)
    p = join(path, "spillover")
    chk.table(t, p, KEYS["spillover"])
    d = Spillover()
    coef = {k: _num(chk, t, k, p, getattr(d, k)) for k in ("intercept", "per_wait_minute", "per_transfer",
                                                           "per_ivr_minute", "failed", "unresolved")}
    delay = parse_dist(t["delay"], join(p, "delay"), chk, ctx.base_dir) if "delay" in t else d.delay
    parts["spillover"] = Spillover(**coef, delay=delay or d.delay, sources=_names(t, "from", p, chk),
                                   to=chk.string(t, "to", p, default=None)) if on else None

    t, on = _switch(raw, "word_of_mouth", path, chk)
    p = join(path, "word_of_mouth")
    chk.table(t, p, KEYS["word_of_mouth"])
    d = WordOfMouth()
    parts["word_of_mouth"] = WordOfMouth(
        _num(chk, t, "share", p, d.share, low=0, high=1), _num(chk, t, "told_good", p, d.told_good, low=0),
        _num(chk, t, "told_bad", p, d.told_bad, low=0),
        _num(chk, t, "social_multiplier", p, d.social_multiplier, low=0),
        _num(chk, t, "good", p, d.good), _num(chk, t, "bad", p, d.bad),
        _num(chk, t, "conversion", p, d.conversion, low=0, high=1)) if on else None

    t, on = _switch(raw, "churn", path, chk)
    p = join(path, "churn")
    chk.table(t, p, KEYS["churn"])
    parts["churn"] = Churn(_num(chk, t, "probability", p, Churn.probability, low=0, high=1)) if on else None

    t, on = _switch(raw, "deflection", path, chk)
    p = join(path, "deflection")
    chk.table(t, p, KEYS["deflection"])
    d = Deflection()
    parts["deflection"] = Deflection(_num(chk, t, "fraction", p, d.fraction, low=0, high=1),
                                     _dur(chk, t, "duration", p, d.duration_s),
                                     _num(chk, t, "topics", p, d.topics, low=1, integer=True)) if on else None

    t, on = _switch(raw, "repeat", path, chk)
    p = join(path, "repeat")
    chk.table(t, p, KEYS["repeat"])
    d = RepeatComplaints()
    delay = parse_dist(t["delay"], join(p, "delay"), chk, ctx.base_dir) if "delay" in t else d.delay
    parts["repeat"] = RepeatComplaints(_num(chk, t, "probability", p, d.probability, low=0, high=1),
                                       delay or d.delay) if on else None

    t, on = _switch(raw, "expectations", path, chk)
    p = join(path, "expectations")
    parts["expectations"] = _expectations(t, p, chk) if on else None

    t, on = _switch(raw, "disconfirmation", path, chk)
    p = join(path, "disconfirmation")
    chk.table(t, p, KEYS["disconfirmation"])
    d = Disconfirmation()
    parts["disconfirmation"] = Disconfirmation(_num(chk, t, "exponent", p, d.exponent, low=0, low_open=True),
                                               _num(chk, t, "churn_late", p, d.churn_late, low=0, high=1)) \
        if on else None

    t, on = _switch(raw, "silent_majority", path, chk)
    p = join(path, "silent_majority")
    chk.table(t, p, KEYS["silent_majority"])
    d = SilentMajority()
    parts["silent_majority"] = SilentMajority(
        _num(chk, t, "ratio", p, d.ratio, low=0), _num(chk, t, "ratio_other", p, d.ratio_other, low=0),
        _num(chk, t, "churn_own", p, d.churn_own, low=0, high=1),
        _num(chk, t, "sees_public", p, d.sees_public, low=0, high=1),
        _num(chk, t, "churn_seen", p, d.churn_seen, low=0, high=1)) if on else None

    return ReputationSpec(enabled=enabled, value_per_customer=value, value_per_net_impression=per_imp, curve=curve,
                          explicit=explicit, **parts)


def _expectations(t: dict, path: str, chk: Checker) -> Expectations:
    """``[reputation.expectations]``: per channel name, a preset name or a list of [time, share] knots."""
    presets = ", ".join(f'"{k}"' for k in PRESETS)
    example = f'a preset ({presets}) or knots such as [["30min", 0.32], ["60min", 0.42], ["24h", 1.0]]'
    out = []
    for name, v in t.items():
        if name == "enabled":
            continue
        p = join(path, name)
        if isinstance(v, str):
            if v not in PRESETS:
                chk.add(p, example, v)
                continue
            out.append((name, Expectation.preset(v)))
            continue
        if not isinstance(v, list):
            chk.add(p, example, v)
            continue
        knots = _pairs(v, p, chk, lambda x: 0 <= x <= 1, 'a pair [time, share in 0..1] such as ["60min", 0.42]')
        if knots is None:
            continue
        problem = validate_knots(knots)
        if problem is not None:
            chk.add(p, problem, v)
            continue
        out.append((name, Expectation(tuple(knots), "scenario")))
    return Expectations(tuple(out))


def _names(raw: dict, key: str, path: str, chk: Checker) -> tuple[str, ...] | None:
    v = raw.get(key)
    if v is None:
        return None
    if isinstance(v, str):
        v = [v]
    if not (isinstance(v, list) and v and all(isinstance(x, str) for x in v)):
        chk.add(join(path, key), "a list of channel names such as [\"phone\"]", v)
        return None
    return tuple(v)


# Cross-checks on the whole scenario (checks of sim.extensions.REPUTATION) ----------------------------------------
def check_scenario(sc, chk: Checker) -> None:
    """Channels named by the section exist and have the right kind; mechanisms that need a social channel have one;
    the pile-on is not explosive (branching ratio < 1 on every channel it acts on)."""
    spec = sc.sections.get("reputation")
    if spec is None or not spec.enabled:
        return
    social = social_channels(sc)
    kinds = {c.name: c.kind for c in sc.channels.values()}
    for m in SOCIAL_MECHANISMS:
        if getattr(spec, m) is not None and not social and m in spec.explicit:
            chk.add(f"reputation.{m}", "a scenario with a social channel (kind = \"social\") for this mechanism, or "
                    f"{m} = false", "no social channel")
    if spec.pile_on is not None and social:
        from sim.social.spec import conversation_spec

        for i, name in enumerate(pile_on_channels(sc, spec)):
            if kinds.get(name) != "social":
                chk.add(f"reputation.pile_on.channels[{i}]", f"a social channel ({', '.join(social)})", name)
                continue
            reach = conversation_spec(sc.channels[name]).reach
            n = spec.pile_on.branching_ratio(reach)
            if n >= 1:
                chk.add("reputation.pile_on.excitation", "a branching ratio below 1 (at or above 1 a pile-on never "
                        f"dies out): excitation × E[(reach / reference_reach)^reach_exponent] = {n:.3g} on channel "
                        f"{name}", spec.pile_on.excitation)
    if spec.expectations is not None:
        for name, _ in spec.expectations.channels:
            if name not in kinds:
                chk.add(f"reputation.expectations.{name}", f"a channel of this scenario ({', '.join(kinds)})", name)
    if spec.spillover is not None and social:
        src, to = spillover_route(sc, spec)
        for i, name in enumerate(spec.spillover.sources or ()):
            ch = sc.channels.get(name)
            if ch is None or ch.kind not in ("phone", "chat") or conversation_channel(ch):  # calls end, chats reply
                chk.add(f"reputation.spillover.from[{i}]", 'a phone channel, or a chat channel with mode = "queue", of '
                        "this scenario (a chat conversation ends no call)", name)
        if to is None:
            chk.add("reputation.spillover.to", f"the social channel callers post on (one of {', '.join(social)})")
        elif kinds.get(to) != "social":
            chk.add("reputation.spillover.to", f"a social channel ({', '.join(social)})", to)
        else:
            for r in sc.sections.get("next_try") or ():  # one row per from, to and outcome (sim.next_try.rows)
                if r.from_channel in src and r.to_channel == to:
                    chk.add(join(r.key, "to"), f"another channel than {to}: reputation.spillover is already the row "
                            f"from {r.from_channel} to {to} after every end of a call (its probability from the call's "
                            "experience); set it in [reputation.spillover], or write spillover = false to write "
                            "this row instead", to)


def without(spec: ReputationSpec, *mechanisms: str) -> ReputationSpec:
    """A copy with the named mechanisms switched off (for experiments and tests)."""
    return replace(spec, **{m: None for m in mechanisms})
