"""Errors a person can act on: bad scenario files, unreadable inputs.

The command line prints them as plain lines (``error: FILE: KEY: expected …, got …``) and exits with status 2 (no
traceback). Every piece of a message is passed through ``escape``, so a key or value holding a newline or another
control character still prints as one line.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

SHOW_MAX = 120  # characters of a found value shown in a message (longer ones are cut with "…")


def escape(text: object) -> str:
    """``text`` on one line: control, format and line-separator characters written as escapes (``\\n``, ``\\x1b``,
    ``\\u202e``); a UTF-8 byte-order mark shows as ``\\ufeff``, not as nothing."""
    out = []
    for ch in str(text):
        if ch in "\n\r\t":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[ch])
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(ch)
    return "".join(out)


def shorten(text: str, limit: int = SHOW_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where (file, dotted key), what was expected, what was found."""

    file: str
    key: str
    expected: str
    found: str = ""

    def __str__(self) -> str:
        where = f"{escape(self.file)}: {escape(self.key)}" if self.key else escape(self.file)
        tail = f", got {shorten(escape(self.found))}" if self.found else ""
        return f"{where}: expected {escape(self.expected)}{tail}"


class InputError(ValueError):
    """An input (scenario, forecast, log, results folder) that cannot be used; the message says why."""

    def lines(self) -> list[str]:
        """The message as printed: one escaped line per problem."""
        problems = getattr(self, "problems", None)
        if problems:
            return [str(p) for p in problems]
        return [escape(line) for line in str(self).splitlines()] or [escape(str(self))]


class ScenarioError(InputError):
    """A scenario that fails validation. ``problems`` lists every problem found, not just the first."""

    def __init__(self, problems: list[Problem] | Problem):
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
