"""``contactsim app``: the teaching app in the browser (the ``[app]`` extra; docs/app.md)."""
from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

HINT = "contactsim app needs the [app] extra: pip install 'contactsim[app]' (or make app)"


def register(sub) -> None:
    p = sub.add_parser("app", help="start the teaching app (lessons on queues, the funnel, social and reputation)")
    p.add_argument("--port", type=int, default=8501, help="local port to serve on (default 8501)")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser window")
    p.set_defaults(func=app_command)


def streamlit_command(port: int, no_browser: bool) -> list[str]:
    """The ``streamlit run`` command line that serves the lessons on localhost:``port``."""
    main = Path(__file__).resolve().parent.parent / "app" / "main.py"
    return [sys.executable, "-m", "streamlit", "run", str(main), "--server.port", str(port),
            "--server.address", "localhost", "--server.headless", "true" if no_browser else "false",
            "--browser.gatherUsageStats", "false", "--global.developmentMode", "false"]


def app_command(args) -> int:
    if not 0 < args.port < 65536:
        print(f"error: --port: expected a port number 1–65535, got {args.port}", file=sys.stderr)
        return 2
    missing = [m for m in ("streamlit", "plotly") if importlib.util.find_spec(m) is None]
    if missing:
        print(HINT, file=sys.stderr)
        return 1
    print(f"contactsim lessons on http://localhost:{args.port} (Ctrl+C to stop)", flush=True)
    cmd = streamlit_command(args.port, args.no_browser)
    os.execv(cmd[0], cmd)  # the server takes this process's place: Ctrl+C and a terminate signal reach it directly
