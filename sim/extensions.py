"""The one list of features: everything the kernel (``sim.core``) does not know, each declared once.

A feature declares

- its scenario keys: channel keys per channel kind, agent-group keys, top-level ``[sections]`` — each a parser
  ``fn(raw, path, chk, ctx) -> value | None`` that reports problems to the checker — and cross-checks over the whole
  scenario ``fn(scenario, chk)``, all run by the scenario reader at load time (``sim.scenario``);
- the typed spec it builds from a channel's or group's parsed keys at load time (``Channel.features[name]``,
  ``AgentGroup.features[name]``), so the model never reads raw keys;
- how it attaches to a model (``attach(model) -> part | None``: install behaviours and observers through the
  kernel's public calls; a part may add to the raw records with ``records(out)``);
- the record columns it adds during a run (``records``: table -> ``sim.core.Column`` tuple, each with its dtype, unit
  and meaning; the model declares them in its record book, ``sim.core.records``), the columns it adds to the tables
  made after a run (``columns``), and its per-replication metrics (``metrics(tables) -> DataFrame | None``,
  tidy rows ``replication, channel, metric, value``), tables made after a replication (``replication_tables``),
  its own table per reporting interval (``intervals``: a ``sim.intervals.IntervalPart``) and figures.

The list's order is the order features attach to a model and add their records: ``choice`` first (it gives channels
one population of customers before any behaviour takes their feeds), ``reputation`` last (it acts on the
conversations and on every call's end). A new behaviour is a ``Feature`` added to this tuple (or, in a test, a tuple
passed to ``sim.core.Model``); see docs/architecture.md.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sim import choice, horizons, next_try
from sim.core import Column
from sim.funnel import flow
from sim.funnel import legs as funnel_legs
from sim.funnel import records as funnel_records
from sim.funnel import spec as funnel_keys
from sim.funnel import tables as funnel_tables
from sim.funnel.menus import parse_ivr
from sim.intervals import IntervalPart
from sim.next_try import follow_up as next_try_follow_up
from sim.next_try import rows as next_try_rows
from sim.reputation import accounts, deflection, live
from sim.reputation import config as reputation_config
from sim.social import messaging
from sim.social import records as social_records
from sim.social import spec as social_keys
from sim.social import tables as social_tables
from sim.social.kinds import conversation_channel
from sim.staffing import rules as staffing_rules
from sim.weeks import config as weeks_config

Parser = Callable[[Any, str, Any, Any], Any]
Check = Callable[[Any, Any], None]


@dataclass(frozen=True)
class Tables:
    """What a feature's metrics and figures read: the run's tables, ``contacts`` with the kind tables' columns joined
    (``sim.results.contact_view``: funnel_calls, social_threads) and ``intervals`` with the feature interval tables'
    (``sim.intervals.interval_view``: funnel_intervals, social_intervals)."""

    contacts: pd.DataFrame
    intervals: pd.DataFrame
    agents: pd.DataFrame
    legs: pd.DataFrame | None = None
    reputation: pd.DataFrame | None = None
    provenance: dict | None = None  # the run's start, targets and clock (sim.runner): dated figures
    clock: Mapping[str, float] | None = None  # warm-up, horizon, start of day (``sim.horizons.clock_of``)
    deflections: pd.DataFrame | None = None  # the deflected questions and their customers (sim.reputation.deflection)


@dataclass(frozen=True)
class Feature:
    """One feature of the model and of the scenario format (see the module docstring)."""

    name: str
    doc: str
    channel_keys: Mapping[str, Mapping[str, Parser]] = field(default_factory=dict)  # channel kind -> key -> parser
    agent_keys: Mapping[str, Parser] = field(default_factory=dict)
    sections: Mapping[str, Parser] = field(default_factory=dict)  # top-level [section] -> parser (a typed dataclass)
    checks: tuple[Check, ...] = ()
    channel_spec: Callable[[Any], Any] | None = None  # Channel -> typed spec (or None: the channel does not use it)
    group_spec: Callable[[Any], Any] | None = None  # AgentGroup -> typed spec
    attach: Callable[[Any], Any] | None = None  # sim.core.Model -> part (or None: the scenario does not use it)
    columns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # table -> columns the feature adds
    records: Mapping[str, tuple[Column, ...]] = field(default_factory=dict)  # record book table -> declared columns
    # after a replication: (scenario, replication, seed, contacts after warm-up, raw records) -> (contacts with the
    # feature's columns, {table name: table}) — the reputation ledger
    replication_tables: Callable[..., tuple[pd.DataFrame, dict[str, pd.DataFrame]]] | None = None
    metrics: Callable[[Tables], pd.DataFrame | None] | None = None
    intervals: IntervalPart | None = None  # its table per reporting interval, keyed like ``intervals``
    figures: Callable[[Tables, Any], list] | None = None  # (tables, out_dir) -> paths written


# Columns each feature adds (besides the kernel's), in its own interval table. The funnel adds per-priority-class
# interval columns too (``offered_p<k>_count``, ``sl_offered_p<k>`` … for each class k of ``priorities``).
FUNNEL_INTERVAL_COLUMNS = ("attempts_count", "customers_count", "redial_attempts_count", "repeat_attempts_count",
    "blocked_count", "ivr_entered_count", "ivr_sum", "self_served_count", "abandoned_ivr_count", "zero_out_count",
    "routed_count", "misrouted_count", "first_human_count", "first_human_sum", "right_human_count",
    "right_human_sum", "reached_agent_count", "transfers_count", "transferred_count", "served_calls_count",
    "resolved_calls_count", "failed_count", "redialed_count", "queued_count", "callbacks_count",
    "callback_calls_count", "callback_returns_count", "callback_delay_sum", "callback_on_time_count",
    "customers_lost_count", "customers_resolved_count", "effort_sum", "line_sum", "blocked_rate", "mean_ivr_s",
    "ivr_containment", "ivr_abandon_rate", "zero_out_share", "misrouted_share", "time_to_first_human_s",
    "time_to_right_human_s", "transfers_per_call", "transferred_share", "fcr", "redial_rate",
    "attempts_per_customer", "unique_abandon_rate", "callback_share", "callback_delay_s", "callback_on_time",
    "customer_effort_s", "line_time_per_customer_s")
SOCIAL_INTERVAL_COLUMNS = ("ignored", "silent", "responded", "resolved", "first_response_sum_s", "resolution_sum_s",
    "backlog_s", "sl_responded", "response_rate", "first_response_mean_s", "ignored_share", "silent_share",
    "resolved_share", "resolution_mean_s", "mean_backlog")
REPUTATION_CONTACT_COLUMNS = ("impressions", "net_sentiment", "churned")  # added after the run (the ledger)


# The phone funnel (sim.funnel, docs/funnel.md) ------------------------------------------------------------------------
def _funnel_figures(t: Tables, out_dir) -> list:
    if "origin" not in t.contacts or t.legs is None:
        return []
    from sim.plots.funnel import write_funnel_figures

    return write_funnel_figures(t.contacts, t.legs, out_dir)


FUNNEL = Feature(
    "funnel",
    "Trunk lines, IVR menu tree, priority classes, departments (overflow), transfers, hold announcements, redials, "
    "callbacks, first-contact resolution.",
    channel_keys={"phone": {"lines": funnel_keys.parse_lines, "ivr": parse_ivr,
                            "priorities": funnel_keys.parse_priorities, "departments": funnel_keys.parse_departments,
                            "transfers": funnel_keys.parse_transfers, "hold": funnel_keys.parse_hold,
                            "redials": funnel_keys.parse_redials, "callbacks": funnel_keys.parse_callbacks,
                            "resolution": funnel_keys.parse_resolution}},
    checks=(funnel_keys.check,),
    channel_spec=funnel_keys.build_funnel,
    attach=flow.attach,
    records={"funnel_calls": funnel_records.CALL_COLUMNS, "legs": funnel_legs.LEG_COLUMNS},
    columns={"funnel_intervals": FUNNEL_INTERVAL_COLUMNS},
    intervals=funnel_tables.INTERVALS,
    figures=_funnel_figures,
)


# Social and email conversations, blending (sim.social, docs/social.md) ------------------------------------------------
_CONVERSATION_KEYS = {"message_time": social_keys.parse_message_time, "kinds": social_keys.parse_kinds,
                      "exchanges": social_keys.parse_exchanges, "think_time": social_keys.parse_think_time,
                      "silence": social_keys.parse_silence, "inactivity_timeout": social_keys.parse_timeout,
                      "resolve": social_keys.parse_resolve, "mode": social_keys.parse_mode,
                      "replies_needed": social_keys.parse_exchanges,
                      "reply_patience": social_keys.parse_reply_patience,
                      "unconfirmed": social_keys.parse_unconfirmed, "affinity_window": social_keys.parse_affinity}


def _social_metrics(t: Tables) -> pd.DataFrame | None:
    if "first_response_s" not in t.contacts:  # no conversation channel in this run
        return None
    return social_tables.replication_extras(t.contacts, t.agents)


def _social_figures(t: Tables, out_dir) -> list:
    if "kind" not in t.contacts:
        return []
    from sim.plots.social import write_social_figures

    return write_social_figures(t.intervals, t.contacts, out_dir, t.provenance)


def _social_attach(model):
    """Messaging (default) or the session-mode conversations; the latter have no messaging columns."""
    part = messaging.attach(model)
    if part is not None and not isinstance(part, messaging.Messaging):
        model.book.drop("social_threads", [c.name for c in social_records.MESSAGING_COLUMNS])
    return part


SOCIAL = Feature(
    "social",
    "Posts and emails as conversations of agent messages: triage, concurrency, blending with the phone queue.",
    channel_keys={"social": {**_CONVERSATION_KEYS, "reach": social_keys.parse_reach,
                             "public": social_keys.parse_public, "to_dm": social_keys.parse_to_dm,
                             "triage": social_keys.parse_triage},
                  "email": {**_CONVERSATION_KEYS, "triage": social_keys.parse_email_triage},
                  "chat": {**_CONVERSATION_KEYS, "mode": social_keys.parse_chat_mode,  # chat: messaging by default
                           "triage": social_keys.parse_email_triage}},
    agent_keys={"concurrency": social_keys.parse_concurrency, "concurrency_slowdown": social_keys.parse_slowdown,
                "reserve": social_keys.parse_reserve},
    checks=(social_keys.check_scenario,),
    channel_spec=lambda ch: social_keys.build_conversation(ch) if conversation_channel(ch) else None,
    group_spec=social_keys.build_desk,
    attach=_social_attach,  # messaging (default) or, with mode = "session", the conversations
    records={"social_threads": social_records.THREAD_COLUMNS, "messages": social_records.MESSAGE_COLUMNS},
    columns={"social_intervals": SOCIAL_INTERVAL_COLUMNS, "agents": ("open_conversation_s", "open_conversations")},
    intervals=social_tables.INTERVALS,
    metrics=_social_metrics,
    figures=_social_figures,
)


def _reputation_tables(scenario, replication, seed, contacts, raw):
    contacts, table = accounts.reputation_tables(scenario, replication, seed, contacts, raw)
    if table is None:
        return contacts, {}
    events = raw.get("reputation") or {}  # the deflection board's decisions (empty when nothing acts during the run)
    return contacts, {"reputation": table,
                      "deflections": deflection.deflections_table(replication, events, list(scenario.channels),
                                                                 scenario.run.warmup_s)}


# Public visibility and reputation (sim.reputation, docs/reputation.md) ------------------------------------------------
def _reputation_metrics(t: Tables) -> pd.DataFrame | None:
    return None if t.reputation is None else accounts.reputation_metrics(t.reputation)


def _reputation_figures(t: Tables, out_dir) -> list:
    if t.reputation is None:
        return []
    from sim.plots.reputation import write_reputation_figure

    return [write_reputation_figure(t.reputation, out_dir)]


REPUTATION = Feature(
    "reputation",
    "Exposure and sentiment of public posts, pile-ons, spillover, deflection, repeat complaints, word of mouth, churn.",
    sections={"reputation": reputation_config.parse_section},
    checks=(reputation_config.check_scenario,),
    attach=live.attach,
    replication_tables=_reputation_tables,
    records={"contacts": live.CONTACT_COLUMNS},
    columns={"contacts": REPUTATION_CONTACT_COLUMNS, "reputation": accounts.COLUMNS,
             "deflections": tuple(c.name for c in deflection.DEFLECTION_COLUMNS)},
    metrics=_reputation_metrics,
    figures=_reputation_figures,
)

# One population choosing among channels (sim.choice) ------------------------------------------------------------------
CHOICE = Feature(
    "choice",
    "[choice]: one population of customers, each choosing the channel they contact the brand on.",
    sections={"choice": choice.parse_section},
    checks=(choice.check,),
    attach=choice.attach,
)

# Staffing rules for `contactsim staff` (sim.staffing): a scenario section only, nothing at run time.
STAFFING = Feature(
    "staffing",
    "[staffing]: targets and shift rules for the staffing search.",
    sections={"staffing": staffing_rules.parse_section},
)


def _horizon_metrics(t: Tables) -> pd.DataFrame | None:
    if not t.clock:
        return None
    hm = horizons.horizon_metrics(t.contacts, t.clock, t.deflections)
    return hm if len(hm) else None


# Resolution over the nights that follow, the same on every channel (sim.horizons): metrics only. Listed first so its
# rows come after every other feature's (metrics are listed from the last feature to the first).
HORIZONS = Feature(
    "horizons",
    "Customers resolved by the end of the day, within 24 h and within 72 h of their first contact, every channel.",
    metrics=_horizon_metrics,
)

# Unique customers and their attempts on every channel (sim.next_try): metrics only (rows just before the horizons').
NEXT_TRY = Feature(
    "next_try",
    "[[next_try]]: who tries again after a failed or unresolved contact, on which channel (rows; the phone funnel runs "
    "phone → phone rows, sim.next_try.follow_up the rest); customers and attempts apart.",
    sections={"next_try": next_try.parse_section},
    checks=(next_try_rows.check,),
    metrics=lambda t: next_try.next_try_metrics(t.contacts),
)

# The next tries the funnel does not run (sim.next_try.follow_up): attached after every other behaviour, so its records
# see every contact (a follow-up's customer id is the customer's).
NEXT_TRY_RUN = Feature(
    "next_try_run",
    "Runs the [[next_try]] rows after a thread's end and towards another channel.",
    attach=next_try_follow_up.attach,
    records={"contacts": next_try_follow_up.CONTACT_COLUMNS},
)

# Reputation over weeks (sim.weeks, docs/reputation_weeks.md): a section read by sim.weeks.model.run_weeks, which
# strings one-day models together; nothing attaches within a day.
WEEKS = Feature(
    "weeks",
    "[weeks]: several weeks of days, demand and channel choice responding to reputation and customers' histories.",
    sections={"weeks": weeks_config.parse_section},
    checks=(weeks_config.check,),
)

FEATURES: tuple[Feature, ...] = (HORIZONS, NEXT_TRY, CHOICE, SOCIAL, FUNNEL, REPUTATION, NEXT_TRY_RUN, STAFFING,
                                 WEEKS)


def metrics(t: Tables, features: tuple[Feature, ...] = FEATURES) -> list[pd.DataFrame]:
    """Every feature's per-replication metrics for these tables (tidy rows). Results list them from the last feature
    to the first (reputation before social: the row order of ``Results.replications`` before this list existed)."""
    out = []
    for f in reversed(features):
        if f.metrics is not None:
            m = f.metrics(t)
            if m is not None:
                out.append(m)
    return out


def figures(t: Tables, out_dir, features: tuple[Feature, ...] = FEATURES) -> list:
    """Every feature's figures of a run (written from the last feature to the first, like the metrics)."""
    paths: list = []
    for f in reversed(features):
        if f.figures is not None:
            paths += f.figures(t, out_dir)
    return paths
