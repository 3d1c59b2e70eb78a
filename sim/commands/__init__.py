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
    "sim.commands.schema",
]
