"""contactsim: discrete-event simulation of customer service — phone funnels, social media, agents, reputation.

Front door: ``load_scenario(path)`` → ``run(scenario)`` → ``Results`` (flat pandas tables).
"""
from sim.errors import InputError, Problem, ScenarioError
from sim.runner import run
from sim.scenario import Scenario, load_scenario, parse_scenario
from sim.version import __version__

__all__ = ["InputError", "Problem", "Scenario", "ScenarioError", "__version__", "load_scenario", "parse_scenario", "run"]
