"""Write a scenario dict back as a TOML file (the subset scenario files use: tables, arrays, strings, numbers,
booleans, date-times), so a staffing plan becomes a scenario anyone can run with ``contactsim run``."""
from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

_BARE = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def _string(text: str) -> str:
    """A TOML basic string (JSON escapes are TOML escapes; DEL must be escaped too)."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _key(k: str) -> str:
    return k if k and set(k) <= _BARE else _string(k)


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
        return repr(v)
    if isinstance(v, str):
        return _string(v)
    if isinstance(v, datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, (date, time)):
        return v.isoformat()
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, Mapping):
        return "{ " + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def _is_table(v: Any) -> bool:
    return isinstance(v, Mapping)


def dumps(raw: Mapping[str, Any], header: str = "") -> str:
    """TOML text of ``raw``: scalars and arrays first, then sub-tables as [a.b] sections; small inline tables stay
    inline where they hold only scalars (like ``handle_time = { dist = "exponential", mean = "4min" }``)."""
    lines = [f"# {line}".rstrip() for line in header.splitlines()]

    def section(path: list[str], table: Mapping[str, Any]) -> None:
        scalars = {k: v for k, v in table.items() if not _section_worthy(v)}
        subs = {k: v for k, v in table.items() if _section_worthy(v)}
        if path and (scalars or not subs):
            lines.append("")
            lines.append("[" + ".".join(_key(p) for p in path) + "]")
        for k, v in scalars.items():
            lines.append(f"{_key(k)} = {_value(v)}")
        for k, v in subs.items():
            section(path + [k], v)

    section([], raw)
    return "\n".join(lines).lstrip("\n") + "\n"


def _section_worthy(v: Any) -> bool:
    """A table gets its own [section] when it holds other tables or many keys (inline tables must stay on one line)."""
    return _is_table(v) and (any(_is_table(x) for x in v.values()) or len(v) > 4 or
                             any(isinstance(x, list) and len(x) > 8 for x in v.values()))


def relocate_files(raw: Any, base_dir: Path, out_dir: Path) -> Any:
    """Rewrite relative paths that name existing files next to the original scenario so they still resolve from
    ``out_dir`` (forecast and schedule CSVs, empirical distributions)."""
    if isinstance(raw, Mapping):
        return {k: relocate_files(v, base_dir, out_dir) for k, v in raw.items()}
    if isinstance(raw, list):
        return [relocate_files(v, base_dir, out_dir) for v in raw]
    if isinstance(raw, str) and ("." in raw or "/" in raw) and not os.path.isabs(raw):
        candidate = Path(base_dir) / raw
        if candidate.is_file():
            return os.path.relpath(candidate.resolve(), Path(out_dir).resolve())
    return raw


def write_scenario(raw: Mapping[str, Any], path: str | Path, base_dir: Path, header: str = "") -> Path:
    """Write ``raw`` to ``path`` with file references made relative to the new file's folder."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps(relocate_files(raw, base_dir, path.parent), header), encoding="utf-8")
    return path
