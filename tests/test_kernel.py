"""Kernel details that the fingerprints do not pin down. About 1 s."""
from __future__ import annotations

import itertools

import pytest

import sim
from sim.core import contact_id_base


def _colliding_names() -> tuple[str, str]:
    seen: dict[int, str] = {}
    for a, b, c in itertools.product("abcdefghijklmnopqrstuvwxyz", repeat=3):
        name = f"ch_{a}{b}{c}"
        other = seen.setdefault(contact_id_base(name), name)
        if other != name:
            return other, name
    raise AssertionError("no two names share a prefix")


def test_colliding_contact_id_prefixes_are_reported_at_load():
    a, b = _colliding_names()
    chan = {"kind": "phone", "arrivals": {"rate": "10/h"}, "handle_time": {"dist": "exponential", "mean": "4min"}}
    raw = {"schema": 1, "channels": {a: chan, b: chan}, "agents": {"team": {"serves": [a, b], "count": 2}}}
    with pytest.raises(sim.ScenarioError, match=f"channels.{b}: expected a channel name whose contact-id prefix"):
        sim.parse_scenario(raw)


def test_public_surface_is_importable():
    import sim.core

    for name in sim.core.__all__:
        assert getattr(sim.core, name) is not None
