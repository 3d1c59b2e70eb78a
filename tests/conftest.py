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



# The suite's layout under pytest-xdist (`make test`: `-n auto --dist loadscope --no-loadscope-reorder`). A module's
# tests form one work unit, run on one worker, so a module-scoped fixture is built once (a test class would be a unit
# of its own: a module with a module- or session-scoped fixture has none, tests/test_suite_layout.py). Units are
# handed out in collection order, each worker taking the next when it is nearly done, so the longest modules are
# collected first and the short ones fill in at the end. The figures are CPU seconds per module from
# `pytest --durations` on one core (the list only orders the run; no test reads them as a bound).
LONG_MODULES_S = {
    "test_erlang_a_validation.py": 65, "test_staffing_day.py": 60, "test_social_queueing.py": 60,
    "test_experiment_stats.py": 56, "test_social_messaging.py": 55, "test_erlang_validation.py": 50,
    "test_reputation_model.py": 26, "test_erlang_a_overload.py": 22, "test_experiment_sweep.py": 20,
    "test_fingerprints.py": 19, "test_reputation_expectations.py": 17, "test_erlang_x.py": 15,
    "test_experiment_report.py": 14, "test_staffing_units.py": 13, "test_calibrate_month_model.py": 12,
}


def longest_first(paths: list[str]) -> list[int]:
    """The order (indices into ``paths``, one test module path per item) that runs items of the longest modules first,
    keeping the collected order within a module and among modules not in ``LONG_MODULES_S``."""
    return sorted(range(len(paths)), key=lambda i: -LONG_MODULES_S.get(Path(paths[i]).name, 0.0))


def pytest_collection_modifyitems(config, items):
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return  # alone, the suite runs in file order
    order = longest_first([item.nodeid.split("::", 1)[0] for item in items])
    items[:] = [items[i] for i in order]
