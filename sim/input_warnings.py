"""The warnings channel: input that is valid but suspicious (a forecast row outside opening hours, an unknown CSV
column, a channel that offers nothing over the horizon).

Readers call ``warn_input(file, key, message)``, which issues an ``InputWarning`` through Python's ``warnings``
module, so library users filter or record them as any other warning. The command line prints each one once as
``warning: FILE: KEY: message``; ``contactsim --strict …`` (or ``COMMAND --strict``) turns them into errors
(exit status 2).
"""
from __future__ import annotations

import warnings

from sim.errors import escape, shorten


class InputWarning(UserWarning):
    """Suspicious but valid input; ``file`` and ``key`` say where (``key`` dotted, as in errors)."""

    def __init__(self, file: str, key: str, message: str):
        self.file, self.key, self.message = str(file), str(key), str(message)
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{escape(self.file)}: {escape(self.key)}" if self.key else escape(self.file)
        return f"{where}: {shorten(escape(self.message), 400)}"


def warn_input(file: str, key: str, message: str) -> None:
    """Issue one ``InputWarning`` (an exception instead under ``--strict`` or ``warnings.simplefilter("error")``)."""
    warnings.warn(InputWarning(file, key, message), stacklevel=3)
