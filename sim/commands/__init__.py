"""Sub-commands of the ``contactsim`` command line.

Each module listed in ``MODULES`` defines ``register(subparsers)``, which adds its parser and sets
``func=handler``; the handler takes the parsed arguments and returns an exit status.
"""
MODULES = [
    "sim.commands.run",
    "sim.commands.experiment",
    "sim.commands.erlang",
    "sim.commands.calibrate",
    "sim.commands.staff",
    "sim.commands.app",
    "sim.commands.schema",
    "sim.commands.sensitivity",
]

#: The module registering each command, so that one command's start imports only its own module (a command missing
#: here still works: the front door then imports every module of ``MODULES``).
COMMANDS = {
    "run": "sim.commands.run", "check": "sim.commands.run", "erlang": "sim.commands.erlang",
    "staff": "sim.commands.staff", "sweep": "sim.commands.experiment", "compare": "sim.commands.experiment",
    "report": "sim.commands.experiment", "calibrate": "sim.commands.calibrate", "backtest": "sim.commands.calibrate",
    "sensitivity": "sim.commands.sensitivity",
}
