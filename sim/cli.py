"""The ``contactsim`` command: one front door for every sub-command.

Bad input (``InputError``, including ``ScenarioError``) is printed as plain lines on stderr with exit status 2.
Suspicious input (``sim.input_warnings.InputWarning``) is printed once per message as ``warning: FILE: KEY: …``;
``--strict`` (before or after the sub-command) makes it an error; after ``calibrate``, whose own ``--strict`` stops
at malformed rows, only before it (``contactsim --strict calibrate …``).
Only the chosen command's module is imported (``sim.commands.COMMANDS``), so ``contactsim --version`` and
``contactsim erlang`` start without loading the simulator; a closed pipe (``contactsim erlang … | head``) ends quietly.
"""
from __future__ import annotations

import argparse
import importlib
import math
import os
import sys
import warnings

from sim.commands import COMMANDS, MODULES

# One process runs one simulation or one small dense solve at a time: BLAS threads only contend (an Erlang X chain's
# 100 × 100 solves are 30× slower with them on a busy machine). Set before numpy loads; the environment may override.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")


def _modules(argv: list[str] | None) -> list[str]:
    """The command modules to register: the one of the first command word, none for a bare ``--version``, else all."""
    words = [a for a in (sys.argv[1:] if argv is None else argv) if not a.startswith("-")]
    if words and words[0] in COMMANDS:
        return [COMMANDS[words[0]]]
    if not words and "--version" in (sys.argv[1:] if argv is None else argv):
        return []
    return list(MODULES)


def build_parser(modules: list[str] | None = None) -> argparse.ArgumentParser:
    from sim import __version__

    parser = argparse.ArgumentParser(
        prog="contactsim",
        description="Discrete-event simulation of phone funnels, social media handling, agents and reputation.",
    )
    parser.add_argument("--version", action="version", version=f"contactsim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in MODULES if modules is None else modules:
        importlib.import_module(name).register(sub)
    strict = dict(action="store_true", help="treat warnings about the input as errors (exit status 2)")
    parser.add_argument("--strict", **strict, dest="strict_warnings")
    for p in sub.choices.values():
        if "--strict" not in p._option_string_actions:  # `calibrate --strict` already means "stop at bad input"
            p.add_argument("--strict", **strict, dest="strict_here")
    return parser


def _non_finite_option(args) -> str | None:
    """The first option given as NaN or infinity (argparse's ``type=float`` takes "nan" and "inf")."""
    for name, value in vars(args).items():
        if isinstance(value, float) and not math.isfinite(value):
            return f"--{name.replace('_', '-')}: expected a finite number, got {value}"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = build_parser(_modules(argv))
    args = parser.parse_args(argv)
    bad = _non_finite_option(args)
    if bad:
        print(f"error: {bad}", file=sys.stderr)
        return 2
    from sim.input_warnings import InputWarning

    # `calibrate --strict` has its own meaning (stop at malformed rows); `contactsim --strict calibrate` still makes
    # input warnings errors there
    strict = args.strict_warnings or getattr(args, "strict_here", False)
    shown: set[str] = set()

    def show(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, InputWarning) and str(message) not in shown:
            shown.add(str(message))
            print(f"warning: {message}", file=sys.stderr)
        elif not issubclass(category, InputWarning):
            print(warnings.formatwarning(message, category, filename, lineno, line), end="", file=sys.stderr)

    from sim.errors import InputError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error" if strict else "always", InputWarning)
            warnings.showwarning = show
            return int(args.func(args) or 0)
    except InputError as exc:
        for line in exc.lines():
            print(f"error: {line}", file=sys.stderr)
        return 2
    except InputWarning as exc:
        print(f"error: {exc} (a warning; --strict makes it an error)", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader (``| head``) closed the pipe: stop quietly, as Unix tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
