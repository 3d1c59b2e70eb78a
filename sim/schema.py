"""A JSON Schema of the scenario format, so editors (taplo, VS Code "Even Better TOML") validate and complete
scenario files: ``contactsim schema --out contactsim-scenario.schema.json``.

The schema is generated, never written by hand: the *keys* of every table come from the scenario reader itself
(``sim.scenario``: the run keys, ``CHANNEL_KEYS``, ``GROUP_KEYS`` and the extension tables through which the funnel,
messaging, reputation, choice and staffing models add theirs), and their *types* from ``DESCRIPTION`` below, a
declarative table of key → kind. A key the reader accepts but ``DESCRIPTION`` does not know is an error of the
generator (``undescribed``), so the two cannot drift apart. Extension sections are described one level deep and left
open below that: their own readers check them, with a clear message, when the scenario is loaded.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SCHEMA_ID = "https://contactsim.invalid/scenario.schema.json"
DRAFT = "http://json-schema.org/draft-07/schema#"

# --- value kinds --------------------------------------------------------------------------------------------------
_NUMBER = r"[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?"
_UNIT = r"(?:ms|s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|weeks?)"
DURATION_PATTERN = rf"^\s*{_NUMBER}\s*{_UNIT}\s*$"
RATE_PATTERN = rf"^\s*{_NUMBER}\s*/\s*(?:{_NUMBER})?\s*{_UNIT}\s*$"
CLOCK = r"(?:[01]?[0-9]|2[0-4]):[0-5][0-9](?::[0-5][0-9])?"


def _kinds() -> dict[str, dict]:
    """Kind name → JSON Schema fragment."""
    from sim.distributions import KINDS

    duration = {"type": "string", "pattern": DURATION_PATTERN, "description": 'a duration such as "240s", "4min", '
                '"1.5h" or "10d" (the unit is required)'}
    number_list = {"type": "array", "items": {"type": "number", "minimum": 0}}
    kinds: dict[str, dict] = {
        "duration": duration,
        "rate": {"type": "string", "pattern": RATE_PATTERN, "description": 'a rate such as "100/h" or "5/30min"'},
        "share": {"type": "number", "minimum": 0, "maximum": 1},
        "number": {"type": "number"},
        "non_negative": {"type": "number", "minimum": 0},
        "integer": {"type": "integer"},
        "count": {"type": "integer", "minimum": 0},
        "positive_integer": {"type": "integer", "minimum": 1},
        "text": {"type": "string"},
        "clock_range": {"type": "string", "pattern": rf"^\s*{CLOCK}\s*-\s*{CLOCK}\s*$",
                        "description": 'opening hours such as "08:00-20:00"'},
        "date_time": {"type": "string", "description": 'a date-time such as "1999-03-01 00:00"'},
        "queue_list": {"type": "array", "items": {"type": "string"}, "minItems": 1, "uniqueItems": True},
        "number_list": number_list,
        "count_or_list": {"anyOf": [{"type": "integer", "minimum": 0},
                                    {"type": "array", "items": {"type": "integer", "minimum": 0}}]},
        "csv_file": {"type": "string", "description": "a CSV file, relative to the scenario file"},
        "weekdays": {"type": "object", "additionalProperties": False,
                     "properties": {d: number_list for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}},
        "dist": {"type": "object", "required": ["dist"],
                 "properties": {"dist": {"enum": list(KINDS)}},
                 "description": 'a distribution such as { dist = "exponential", mean = "240s" }'},
        "dist_or_number": {"anyOf": [{"type": "number"}, {"type": "object", "required": ["dist"]}]},
        "share_or_table": {"anyOf": [{"type": "number", "minimum": 0, "maximum": 1},
                                     {"type": "object", "additionalProperties": {"type": "number", "minimum": 0}}]},
        "table": {"type": "object"},
        "integer_or_table": {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "object"}]},
        # a value per interval, written the way volumes are (sim.calendar.parse_value_profile)
        "value_profile": {"type": "object", "additionalProperties": False, "description": 'a value per interval: '
                          '{ values = [...], interval = "30min" } or { file = "x.csv" } (columns interval_start, value)',
                          "properties": {"values": number_list, "file": {"type": "string"}, "interval": duration,
                                         "by_weekday": {"type": "object"}, "repeat": {"type": "boolean"},
                                         "encoding": {"type": "string"}}},
    }
    kinds["share_or_profile"] = {"anyOf": [{"type": "number", "minimum": 0, "maximum": 1}, kinds["value_profile"]],
                                 "description": "a share of the seated agents available, or a share per interval"}
    return kinds


# --- the description: key -> kind, or a nested table {"keys": {...}, "required": [...], "doc": ...} ---------------
# Sources of the defaults are in the readers and docs/*.md; here only what each key holds.
DIST_KEYS = {  # the keys each distribution kind takes (sim.distributions.parse_dist)
    "exponential": {"mean": "duration"},
    "lognormal": {"mean": "duration", "cv": "non_negative", "mu": "number", "sigma": "non_negative"},
    "gamma": {"mean": "duration", "cv": "non_negative"},
    "weibull": {"shape": "non_negative", "scale": "duration"},
    "deterministic": {"value": "duration"},
    "uniform": {"low": "duration", "high": "duration"},
    "empirical": {"values": "number_list", "file": "csv_file", "column": "text"},
    "mixture": {"weights": "number_list", "components": {"type": "array", "items": {"type": "object"}}},
}
DESCRIPTION: dict[str, Any] = {
    "top": {"schema": {"const": 1, "doc": "format version: schema = 1"}, "name": "text", "description": "text"},
    "run": {"horizon": "duration", "warmup": "duration", "replications": "positive_integer", "seed": "count",
            "start": "date_time", "interval": "duration", "busyness_cv": "non_negative"},
    "targets": {"answer_within": "duration", "service_level": "share", "max_abandon": "share",
                "max_occupancy": "share"},
    "arrivals": {"rate": "rate", "volumes": "number_list", "interval": "duration", "by_weekday": "weekdays",
                 "forecast": "csv_file", "repeat": {"type": "boolean", "doc": "true: a list shorter than the run is a cycle (sim.calendar)"},
                 "missing": {"enum": ["error", "zero"], "doc": "a CSV's missing interval: an error (default) or zero"},
                 "encoding": "text"},
    "channel": {"kind": {"enum": None, "doc": "phone, social, email or chat (default: the channel's name)"},
                "queue": "text", "arrivals": "@arrivals", "handle_time": "dist", "patience": "dist",
                "open": "clock_range", "targets": "@targets", "ivr_time": "dist",
                "aht": "value_profile",  # mean handle time (s) per interval of arrival; handle_time's law scaled to it
                "classes": {"type": "object", "doc": 'customer classes of the plain queue: { "2" = { share = 0.2, '
                            'credit = "90s", patience = {…} } } (a waiting-time head start, not strict priority)'},
                # messaging (sim.social.spec, docs/social.md)
                "message_time": "dist", "kinds": "table", "exchanges": "dist_or_number", "think_time": "dist",
                "silence": "share", "inactivity_timeout": "duration", "resolve": "share_or_table", "reach": "table",
                "public": "share", "to_dm": "share", "triage": "table",
                "mode": {"enum": ["messaging", "session", "queue"], "doc": "messaging (default: agents work only on "
                         "replies), session (the agent holds the conversation through the customer's think time, live "
                         "chat) or, for chat only, queue (a plain queue: one handle_time per chat)"},
                "replies_needed": "dist_or_number", "reply_patience": "dist", "unconfirmed": "share",
                "affinity_window": "duration",
                # the phone funnel (sim.funnel.spec, docs/funnel.md)
                "lines": "count", "ivr": "table", "priorities": "table", "departments": "table",
                "transfers": "table", "hold": "table", "redials": "table", "callbacks": "table",
                "resolution": "table"},
    "agents": {"serves": "queue_list", "count": "count_or_list", "interval": "duration", "by_weekday": "weekdays",
               "schedule": "csv_file", "wrap_up": "dist", "cost_per_hour": "non_negative",
               "availability": "share_or_profile",
               "concurrency": {"anyOf": [{"type": "integer", "minimum": 1}, {"const": "unlimited"}],
                                                                "doc": 'conversations (threads, in messaging mode) '
                                                                'held at once, or "unlimited"'}, "concurrency_slowdown": "non_negative",
               "reserve": "count", "repeat": {"type": "boolean", "doc": "true: a list shorter than the run is a cycle (sim.calendar)"},
               "missing": {"enum": ["error", "zero"], "doc": "a CSV's missing interval: an error (default) or zero"},
               "encoding": "text"},
    "sections": {"staffing": "table", "reputation": "table", "choice": "table",
                 "weeks": "table",  # [weeks]: sim.weeks.config (docs/reputation_weeks.md)
                 "next_try": {"anyOf": [{"type": "array", "items": {"type": "object"}}, {"type": "object"}],
                              "doc": "[[next_try]] rows (or one row, or named rows [next_try.<name>]): from, after, "
                                     "to, probability, delay, max_attempts (sim.next_try.rows, docs/next_try.md)"}},
}


def reader_keys() -> dict[str, tuple[str, ...]]:
    """Every key the scenario reader accepts, table by table (from sim.scenario, the single front door)."""
    from sim import scenario as sc

    channel = set(sc.CHANNEL_KEYS)
    for ext in sc.CHANNEL_EXTENSIONS.values():
        channel |= set(ext)
    channel.add("message_time")
    return {
        "top": ("schema", "name", "description"),
        "run": ("horizon", "warmup", "replications", "seed", "start", "interval", "busyness_cv"),
        "channel": tuple(sorted(channel)),
        "agents": (*sc.GROUP_KEYS, *sc.AGENT_EXTENSIONS),
        "sections": tuple(sc.SECTION_EXTENSIONS),
    }


def undescribed() -> list[str]:
    """Keys the reader accepts that DESCRIPTION does not describe (empty when the schema is complete)."""
    return [f"{table}.{key}" for table, keys in reader_keys().items() for key in keys
            if key not in DESCRIPTION[table]]


def _fragment(spec: Any, kinds: dict) -> dict:
    if isinstance(spec, str) and spec.startswith("@"):
        return _object(DESCRIPTION[spec[1:]], kinds)
    if isinstance(spec, str):
        if spec == "dist":
            return _dist(kinds)
        return dict(kinds[spec])
    out = {k: v for k, v in spec.items() if k not in ("doc",)}
    if "doc" in spec:
        out["description"] = spec["doc"]
    return out


def _object(keys: dict, kinds: dict, required: tuple = (), extra: dict | None = None) -> dict:
    props = {k: _fragment(v, kinds) for k, v in keys.items()}
    out = {"type": "object", "additionalProperties": False, "properties": {**props, **(extra or {})}}
    if required:
        out["required"] = list(required)
    return out


def _dist(kinds: dict) -> dict:
    """A distribution table: ``dist`` picks the kind, each kind allows only its own keys."""
    base = dict(kinds["dist"])
    base["allOf"] = [{"if": {"properties": {"dist": {"const": kind}}},
                      "then": {"properties": {"dist": {}, **{k: _fragment(v, kinds) for k, v in keys.items()}},
                               "additionalProperties": False}}
                     for kind, keys in DIST_KEYS.items()]
    return base


def build_schema() -> dict:
    """The JSON Schema (draft-07, which taplo and most editors read) of a scenario file."""
    from sim.scenario import CHANNEL_KINDS

    missing = undescribed()
    if missing:
        raise RuntimeError(f"sim.schema.DESCRIPTION lacks keys the scenario reader accepts: {', '.join(missing)}")
    kinds = _kinds()
    channel = _object(DESCRIPTION["channel"], kinds, required=("arrivals",))
    channel["properties"]["kind"]["enum"] = list(CHANNEL_KINDS)
    agents = _object(DESCRIPTION["agents"], kinds, required=("serves",))
    top = {**{k: _fragment(v, kinds) for k, v in DESCRIPTION["top"].items()},
           "run": {**_object(DESCRIPTION["run"], kinds), "description": "length, warm-up, replications, seed, "
                                                                        "start and interval of the simulated days"},
           "channels": {"type": "object", "minProperties": 1, "additionalProperties": channel,
                        "description": "contact channels by name ([channels.phone], [channels.social], …)"},
           "agents": {"type": "object", "minProperties": 1, "additionalProperties": agents,
                      "description": "agent groups by name ([agents.phone], …)"},
           **{k: {**_fragment(v, kinds), "description": f"the [{k}] section (its own reader checks it)"}
              for k, v in DESCRIPTION["sections"].items()}}
    return {"$schema": DRAFT, "$id": SCHEMA_ID, "title": "contactsim scenario",
            "description": "A contactsim scenario file (TOML, data only): run, channels, agents and optional model "
                           "sections. Generated by `contactsim schema`.",
            "type": "object", "required": ["schema", "channels", "agents"], "additionalProperties": False,
            "properties": top}


def write_schema(path: str | Path | None = None) -> str:
    """The schema as indented JSON; also written to ``path`` when given."""
    text = json.dumps(build_schema(), indent=2, ensure_ascii=False) + "\n"
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text
