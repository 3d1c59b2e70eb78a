"""contactsim: discrete-event simulation of customer service — phone funnels, social media, agents, reputation.

Front door: ``load_scenario(path)`` → ``run(scenario)`` → ``Results`` (flat pandas tables).
"""
from sim.errors import InputError, Problem, ScenarioError
from sim.runner import run
from sim.scenario import Scenario, load_scenario, parse_scenario

__version__ = "0.1.0"
__all__ = ["InputError", "Problem", "Scenario", "ScenarioError", "__version__", "load_scenario", "parse_scenario", "run"]
