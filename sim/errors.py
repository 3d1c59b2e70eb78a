"""Errors a person can act on: bad scenario files, unreadable inputs.

The command line prints them as plain lines and exits with status 2 (no traceback).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where (file, dotted key), what was expected, what was found."""

    file: str
    key: str
    expected: str
    found: str = ""

    def __str__(self) -> str:
        where = f"{self.file}: {self.key}" if self.key else self.file
        tail = f", got {self.found}" if self.found else ""
        return f"{where}: expected {self.expected}{tail}"


class InputError(ValueError):
    """An input (scenario, forecast, log, results folder) that cannot be used; the message says why."""


class ScenarioError(InputError):
    """A scenario that fails validation. ``problems`` lists every problem found, not just the first."""

    def __init__(self, problems: list[Problem] | Problem):
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
