"""``python -m sim`` is the ``contactsim`` command."""
import sys

from sim.cli import main

sys.exit(main())
