"""Shared helpers: small scenarios built in code, and a hypothesis profile that is derandomised in CI."""
from __future__ import annotations

import copy
import os
from pathlib import Path

from hypothesis import HealthCheck, settings

import sim

ROOT = Path(__file__).resolve().parents[1]
pytest_plugins = ["tests.browser"]  # the `browser` fixture: headless Chromium (tests/browser.py)

settings.register_profile("ci", derandomize=True, deadline=None, max_examples=25,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None, max_examples=25, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else "dev")


def erlang_raw(n=8, rate="100/h", aht="240s", patience="300s", horizon="1d", warmup="0s", reps=2, seed=1,
               within="20s") -> dict:
    """The raw dict of an M/M/n(+M) scenario: one phone queue, one group."""
    raw = {
        "schema": 1,
        "run": {"horizon": horizon, "warmup": warmup, "replications": reps, "seed": seed},
        "channels": {"phone": {
            "arrivals": {"rate": rate},
            "handle_time": {"dist": "exponential", "mean": aht},
            "targets": {"answer_within": within, "service_level": 0.8},
        }},
        "agents": {"phone": {"serves": ["phone"], "count": n}},
    }
    if patience is not None:
        raw["channels"]["phone"]["patience"] = {"dist": "exponential", "mean": patience}
    return raw


def scenario(raw: dict, source: str = "test.toml") -> sim.Scenario:
    return sim.parse_scenario(copy.deepcopy(raw), source=source, base_dir=ROOT)

