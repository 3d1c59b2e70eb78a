"""The ``contactsim`` command: one front door for every sub-command.

Bad input (``InputError``, including ``ScenarioError``) is printed as plain lines on stderr with exit status 2.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from sim.commands import MODULES
from sim.errors import InputError


def build_parser() -> argparse.ArgumentParser:
    from sim import __version__

    parser = argparse.ArgumentParser(
        prog="contactsim",
        description="Discrete-event simulation of phone funnels, social media handling, agents and reputation.",
    )
    parser.add_argument("--version", action="version", version=f"contactsim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except InputError as exc:
        for line in str(exc).splitlines():
            print(f"error: {line}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
