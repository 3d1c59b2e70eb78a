"""``--set KEY=VALUE``: change one scenario key from the command line without editing the file.

``KEY`` is a dotted scenario key (``channels.phone.arrivals.rate``, ``agents.phone.count``, ``run.replications``);
``VALUE`` is read as a TOML value (``8``, ``0.8``, ``true``, ``[1, 2]``, ``{ dist = "exponential", mean = "4min" }``)
and as a plain string when it is not one (``100/h``, ``4min``). The scenario is validated after every override, so a
bad value gets the same one-line error as in the file.
"""
from __future__ import annotations

import tomllib

from sim.errors import InputError


def add_set_option(parser) -> None:
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="overrides",
                        help='override a scenario key, e.g. --set agents.phone.count=9 or '
                             '--set channels.phone.arrivals.rate=120/h (repeatable)')


def parse_overrides(items: list[str] | None) -> dict:
    """``["a.b=1", "c=x"]`` -> ``{"a.b": 1, "c": "x"}``; a malformed item is an ``InputError`` naming it."""
    out = {}
    for item in items or []:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key or any(not part for part in key.split(".")):
            raise InputError(f"--set: expected KEY=VALUE with a dotted scenario key, e.g. agents.phone.count=9, "
                             f"got {item!r}")
        try:
            value = tomllib.loads(f"v = {text.strip()}")["v"]
        except tomllib.TOMLDecodeError:
            value = text.strip()
        out[key] = value
    return out


def load(path: str, args):
    """The scenario at ``path`` with the ``--set`` overrides of ``args`` applied, validated."""
    import sim

    return sim.load_scenario(path, overrides=parse_overrides(getattr(args, "overrides", None)))
