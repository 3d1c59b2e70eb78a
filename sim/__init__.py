"""contactsim: discrete-event simulation of customer service — phone funnels, social media, agents, reputation.

Front door: ``load_scenario(path)`` → ``run(scenario)`` → ``Results`` (flat pandas tables).
The names below are imported on first use (PEP 562), so ``import sim.cli`` does not load the simulator.
"""
import importlib

from sim.version import __version__

_LAZY = {"InputError": "sim.errors", "Problem": "sim.errors", "ScenarioError": "sim.errors", "run": "sim.runner",
         "Scenario": "sim.scenario", "load_scenario": "sim.scenario", "parse_scenario": "sim.scenario"}
__all__ = ["InputError", "Problem", "Scenario", "ScenarioError", "__version__", "load_scenario", "parse_scenario", "run"]


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
