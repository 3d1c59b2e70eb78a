"""Precomputed results of the lessons whose runs take longer than a student should wait (lessons 3 and 4).

A grid is a small JSON file under ``sim/app/grids/`` holding the results of the lesson's own ``compute`` at the
settings a student reaches by moving one control away from the defaults (a star around the defaults), and for a few
pairs of controls every combination of the two (``planes``: lesson 3's next try and deflection), each with more
replications than a live run could afford. ``experiments/app_grids.py`` builds the files; ``tests/test_app_grids.py``
checks that a grid point agrees with a live run (within 4·SE) and that every such setting is on the grid. A page
shows a grid point at once when the controls are on one, and otherwise runs the lesson live (cached per setting).
"""
from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, fields, replace
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

GRIDS = Path(__file__).parent / "grids"
OFF = "CONTACTSIM_APP_NO_GRID"  # set to 1: every page runs live (the AppTest tests, to exercise the live path)


def key(inputs) -> str:
    """The grid key of a lesson's inputs (a frozen dataclass): its fields, numbers as floats rounded to 6 digits (a
    slider's 120 and a default's 120.0 are one setting)."""
    return normal(asdict(inputs))


def normal(fields_: dict) -> str:
    return json.dumps({k: round(float(v), 6) if isinstance(v, (int, float)) and not isinstance(v, bool) else v
                       for k, v in fields_.items()}, sort_keys=True)


def star(defaults, choices: dict[str, list]) -> list:
    """The defaults and every setting one control away from them (``choices``: field → the values it offers)."""
    known = {f.name for f in fields(defaults)}
    points, seen = [defaults], {key(defaults)}
    for name, values in choices.items():
        assert name in known, name
        for v in values:
            p = replace(defaults, **{name: v})
            if key(p) not in seen:
                seen.add(key(p))
                points.append(p)
    return points


def planes(defaults, choices: dict[str, list], pairs: tuple[tuple[str, str], ...]) -> list:
    """The star (``star``) and, for each pair of controls in ``pairs``, every setting where those two move together
    (the others at their defaults): the combinations a lesson's question asks students to try."""
    points = star(defaults, choices)
    seen = {key(p) for p in points}
    for a, b in pairs:
        for va in choices[a]:
            for vb in choices[b]:
                p = replace(defaults, **{a: va, b: vb})
                if key(p) not in seen:
                    seen.add(key(p))
                    points.append(p)
    return points


def encode(obj):
    if isinstance(obj, pd.DataFrame):
        return {"__frame__": json.loads(obj.to_json(orient="split", double_precision=6))}
    if isinstance(obj, dict):
        return {str(k): encode(v) for k, v in obj.items()}
    if isinstance(obj, (np.floating, float)):
        return None if not math.isfinite(float(obj)) else float(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    return obj


def decode(obj):
    if isinstance(obj, dict) and "__frame__" in obj:
        f = obj["__frame__"]
        return pd.DataFrame(f["data"], index=f["index"], columns=f["columns"]).replace({None: np.nan}) \
            .infer_objects()
    if isinstance(obj, dict):
        return {k: decode(v) for k, v in obj.items()}
    return obj


def write(name: str, meta: dict, points: dict[str, object]) -> Path:
    """Write grid ``name``: ``meta`` (replications, seed, how it was built) and key → result."""
    GRIDS.mkdir(parents=True, exist_ok=True)
    path = GRIDS / f"{name}.json"
    path.write_text(json.dumps({"meta": meta, "points": {k: encode(v) for k, v in points.items()}},
                               separators=(",", ":")) + "\n")
    return path


@cache
def load(name: str) -> dict:
    """The grid file ``name`` ({} when there is none): ``meta`` and ``points`` (still encoded)."""
    path = GRIDS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else {}


def meta(name: str) -> dict:
    return load(name).get("meta", {})


def lookup(name: str, inputs):
    """The precomputed result at ``inputs`` (decoded), or None off the grid (or with the grids switched off)."""
    if os.environ.get(OFF) == "1":
        return None
    raw = load(name).get("points", {}).get(key(inputs))
    return None if raw is None else decode(raw)
