"""``contactsim schema``: write the JSON Schema of the scenario format (for editors such as taplo)."""
from __future__ import annotations

import sys


def register(sub) -> None:
    s = sub.add_parser("schema", help="write the JSON Schema of the scenario format (editors validate and complete "
                                      "scenario files with it)")
    s.add_argument("--out", help="file to write (default: standard output)")
    s.set_defaults(func=schema_command)


def schema_command(args) -> int:
    from sim.schema import write_schema

    text = write_schema(args.out)
    if args.out:
        print(f"wrote {args.out}")
    else:
        sys.stdout.write(text)
    return 0
