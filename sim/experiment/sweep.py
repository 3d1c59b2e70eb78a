"""Sweep files: a base scenario, parameters to vary (by dotted key), replications and a seed.

A *design point* is one setting of every varied parameter; a *run* is one (design point, replication). Every design
point uses the same seed and replication indices, so all points meet the same customers (common random numbers) and
differences between neighbouring points are not blurred by sampling noise.

    [sweep]
    name = "staffing curve"
    scenario = "../scenarios/erlang_a.toml"       # relative to this file
    replications = 20
    seed = 2024
    keep = ["intervals", "wait_p90_s"]            # optional: tables and extra metrics to keep (sim.experiment.keep)

    [parameters]                                  # grid: every combination
    "agents.phone.count" = { start = 6, stop = 12, step = 1 }    # stop included
    "channels.phone.patience.mean" = ["120s", "300s"]

    [[points]]                                    # optional linked settings, each crossed with the grid
    "channels.phone.arrivals.rate" = "100/h"
"""
from __future__ import annotations

import hashlib
import itertools
import json
import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.errors import InputError, Problem, ScenarioError
from sim.validate import Checker, show

RESERVED = ("point", "replication", "seed", "channel", "metric", "value", "scenario_hash", "version", "error")
MAX_POINTS = 100_000


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def sha256_text(text: str | bytes) -> str:
    return hashlib.sha256(text.encode() if isinstance(text, str) else text).hexdigest()


@dataclass(frozen=True)
class DesignPoint:
    """One setting of the varied parameters (``params``: dotted key → value) and its validated scenario."""

    id: int
    params: dict
    scenario: Any

    def label(self) -> str:
        return ", ".join(f"{k}={show(v)}" for k, v in self.params.items()) or "base scenario"


@dataclass(frozen=True)
class Sweep:
    """A parsed sweep definition. Build one from a file with ``load_sweep`` or in Python with ``Sweep.build``."""

    scenario: Path
    parameters: dict            # dotted key -> list of values (grid axes, in the order written)
    points: tuple               # linked settings (dicts), each crossed with the grid; (): none
    replications: int
    seed: int
    name: str = ""
    source: str = "<python>"
    file_hash: str = ""
    keep: tuple = ()            # tables / extra metrics kept per run (sim.experiment.keep)

    @classmethod
    def build(cls, scenario: str | Path, parameters: Mapping[str, Any] | None = None, replications: int = 10,
              seed: int = 0, points: Sequence[Mapping[str, Any]] | None = None, name: str = "",
              keep: Sequence[str] = ()) -> Sweep:
        """A sweep from Python values: ``parameters`` maps dotted keys to lists, ranges or ``{start, stop, step}``."""
        raw = {"sweep": {"scenario": str(scenario), "replications": replications, "seed": seed, "name": name,
                         "keep": list(keep)},
               "parameters": {k: [_plain(x) for x in v] if isinstance(v, (range, list, tuple)) or getattr(v, "ndim", 0) > 0
                              else _plain(v)
                              for k, v in (parameters or {}).items()},
               "points": [{k: _plain(x) for k, x in p.items()} for p in (points or [])]}
        return parse_sweep(raw, source="<python>", base_dir=Path("."))

    @property
    def axes(self) -> list[str]:
        keys = list(self.parameters)
        for p in self.points:
            keys += [k for k in p if k not in keys]
        return keys

    def settings(self) -> list[dict]:
        """Every design point's parameter settings, in a fixed order (points outer, last grid axis fastest)."""
        grid = [dict(zip(self.parameters, combo)) for combo in itertools.product(*self.parameters.values())]
        return [{**p, **g} for p in (self.points or ({},)) for g in grid]

    def definition(self) -> dict:
        return {"name": self.name, "scenario": str(self.scenario), "parameters": self.parameters,
                "points": list(self.points), "replications": self.replications, "seed": self.seed,
                "keep": list(self.keep)}


def load_sweep(path: str | Path) -> Sweep:
    """Read and check a sweep file; every problem is reported at once (``ScenarioError``)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: expected a readable sweep file, got {exc.strerror or exc}") from None
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: expected a TOML sweep file, got a syntax error: {exc}") from None
    sweep = parse_sweep(raw, source=str(path), base_dir=path.parent)
    return Sweep(**{**sweep.__dict__, "file_hash": sha256_text(data)})


def parse_sweep(raw: dict, source: str = "<dict>", base_dir: Path = Path(".")) -> Sweep:
    chk = Checker(source)
    chk.table(raw, "", ["sweep", "parameters", "points"])
    head = chk.table(raw.get("sweep", {}), "sweep", ["name", "scenario", "replications", "seed", "keep"])
    if "sweep" not in raw:
        chk.add("sweep", "a [sweep] table with scenario, replications and seed")
    scenario = reps = seed = None
    name = ""
    keep: tuple = ()
    if "sweep" in raw and isinstance(head, dict):
        scenario = chk.value(head, "scenario", "sweep", _path_string, "the path of the base scenario file")
        reps = chk.number(head, "replications", "sweep", integer=True, low=1)
        seed = chk.number(head, "seed", "sweep", integer=True, low=0)
        name = chk.string(head, "name", "sweep", default="")
        keep = _keep(chk, head.get("keep", []))

    parameters: dict[str, list] = {}
    for key, value in _flatten(raw.get("parameters", {}), "", leaf_range=True).items():
        values = _values(chk, f"parameters.{_quote(key)}", value)
        if values is not None:
            parameters[key] = values
    points_raw = raw.get("points", [])
    points: list[dict] = []
    if not isinstance(points_raw, list) or not all(isinstance(p, dict) for p in points_raw):
        chk.add("points", "an array of tables ([[points]]) of dotted key = value", points_raw)
    else:
        for i, p in enumerate(points_raw):
            flat = _flatten(p, "", leaf_range=False)
            if not flat:
                chk.add(f"points[{i}]", "at least one dotted key = value")
            points.append(flat)
    for key in list(parameters) + [k for p in points for k in p]:
        if key in RESERVED:
            chk.add(f"parameters.{key}", f"a dotted scenario key (not one of the table columns {', '.join(RESERVED)})")
    clash = sorted({k for p in points for k in p if k in parameters})
    for key in clash:
        chk.add(f"points.{_quote(key)}", "a key that is not also a [parameters] axis")
    # One type per parameter so that the stored column has one type.
    for key in sorted(set(parameters) | {k for p in points for k in p}):
        vals = list(parameters.get(key, [])) + [p[key] for p in points if key in p]
        kinds = {_kind(v) for v in vals}
        if len(kinds) > 1 and kinds != {"int", "float"}:
            chk.add(f"parameters.{_quote(key)}", "values of one type (all numbers, all strings or all booleans)",
                    ", ".join(show(v) for v in vals))
        elif kinds == {"int", "float"}:
            parameters_vals = parameters.get(key)
            if parameters_vals is not None:
                parameters[key] = [float(v) for v in parameters_vals]
            for p in points:
                if key in p:
                    p[key] = float(p[key])
    n_points = math.prod(len(v) for v in parameters.values()) * max(1, len(points))
    if n_points > MAX_POINTS:
        chk.add("parameters", f"at most {MAX_POINTS} design points", f"{n_points}")
    chk.done()
    path = Path(scenario)
    if not path.is_absolute():
        path = Path(base_dir) / path
    return Sweep(scenario=path, parameters=parameters, points=tuple(points), replications=int(reps), seed=int(seed),
                 name=name or "", source=source, file_hash=sha256_text(canonical_json(raw)), keep=keep)


def design_points(sweep: Sweep, force: bool = False) -> list[DesignPoint]:
    """Load and validate the scenario of every design point; all bad points are reported in one ``InputError``.
    A point whose replications exceed the size guard's limits (``sim.size_guard``, e.g. a swept rate of "1e9/h") is
    a bad point too, unless ``force``."""
    import sim
    from sim.size_guard import estimate

    if not Path(sweep.scenario).is_file():
        raise InputError(f"{sweep.source}: sweep.scenario: expected an existing scenario file, got \"{sweep.scenario}\"")
    sim.load_scenario(sweep.scenario)  # a broken base scenario is one error, not one per point
    out: list[DesignPoint] = []
    bad: dict[tuple[str, ...], list[tuple[int, dict]]] = {}    # the same problems at several points: said once
    settings = sweep.settings()
    for i, params in enumerate(settings):
        try:
            scenario = sim.load_scenario(sweep.scenario, overrides=dict(params))
            too_big = [] if force else estimate(scenario).over_limits()
            if too_big:
                raise InputError("\n".join(f"{scenario.source}: {key}: expected {msg} (--force to run anyway)"
                                           for key, msg in too_big))
            out.append(DesignPoint(i, params, scenario))
        except ScenarioError as exc:
            bad.setdefault(tuple(str(p) for p in exc.problems), []).append((i, params))
        except InputError as exc:
            bad.setdefault((str(exc),), []).append((i, params))
    if bad:
        lines = []
        for problems, where in bad.items():
            label = ", ".join(f"{k}={show(v)}" for k, v in where[0][1].items())
            if len(where) == 1:
                lines.append(f"design point {where[0][0]} ({label}):")
            else:
                ids = ", ".join(str(i) for i, _ in where[:10]) + (", …" if len(where) > 10 else "")
                lines.append(f"design points {ids} ({len(where)} points; the first: {label}):")
            lines += [f"  {p}" for p in problems]
        n_bad = sum(len(w) for w in bad.values())
        raise InputError(f"{sweep.source}: {n_bad} of {len(settings)} design points are invalid\n" + "\n".join(lines))
    return out


# --- helpers ---------------------------------------------------------------------------------------------------

def _keep(chk: Checker, value: Any) -> tuple:
    from sim.experiment.keep import NAMES

    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        chk.add("sweep.keep", f"a list of names among {', '.join(NAMES)}", value)
        return ()
    for i, v in enumerate(value):
        if v not in NAMES:
            chk.add(f"sweep.keep[{i}]", f"one of {', '.join(NAMES)}", v)
    return tuple(dict.fromkeys(v for v in value if v in NAMES))


def _path_string(v: Any) -> str:
    if not isinstance(v, str) or not v.strip():
        raise ValueError
    return v


def _plain(v: Any) -> Any:
    """numpy scalars and arrays, tuples from Python-built sweeps as plain TOML-like values."""
    if hasattr(v, "tolist") and not isinstance(v, (list, dict)):
        return v.tolist()
    if isinstance(v, tuple):
        return [_plain(x) for x in v]
    return v


def _quote(key: str) -> str:
    return f'"{key}"' if "." in key else key


def _kind(v: Any) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "str"
    return "structured"


def _is_range(v: Any) -> bool:
    return isinstance(v, dict) and "start" in v


def _flatten(table: Any, prefix: str, leaf_range: bool) -> dict:
    """Nested tables (TOML's unquoted dotted keys) → flat dotted keys; range tables and non-tables are leaves."""
    if not isinstance(table, dict):
        return {prefix: table} if prefix else {}
    out: dict = {}
    for k, v in table.items():
        key = f"{prefix}.{k}" if prefix else str(k)
        if isinstance(v, dict) and v and not (leaf_range and _is_range(v)):
            out.update(_flatten(v, key, leaf_range))
        else:
            out[key] = v
    return out


def _values(chk: Checker, where: str, value: Any) -> list | None:
    if _is_range(value):
        return _range(chk, where, value)
    if isinstance(value, (list, tuple)):
        if not value:
            chk.add(where, "a non-empty list of values or { start, stop, step }", "[]")
            return None
        return list(value)
    if isinstance(value, dict):
        chk.add(where, "a list of values or { start = …, stop = …, step = … }", value)
        return None
    return [value]  # one fixed value for the whole sweep


def _range(chk: Checker, where: str, spec: dict) -> list | None:
    extra = sorted(set(spec) - {"start", "stop", "step"})
    if extra:
        chk.problems.append(Problem(chk.file, f"{where}.{extra[0]}", "only start, stop and step in a range",
                                    "an unknown key"))
        return None
    nums = {}
    for k in ("start", "stop", "step"):
        v = spec.get(k, 1 if k == "step" else None)
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            chk.add(f"{where}.{k}", "a number" + (" (required)" if v is None else ""), v if v is not None else "")
            return None
        nums[k] = v
    start, stop, step = nums["start"], nums["stop"], nums["step"]
    if step == 0 or (stop - start) * step < 0:
        chk.add(f"{where}.step", f"a step that leads from start {start} to stop {stop}", step)
        return None
    count = int(math.floor((stop - start) / step + 1e-9)) + 1
    if count > MAX_POINTS:
        chk.add(where, f"at most {MAX_POINTS} values", count)
        return None
    if all(isinstance(v, int) for v in (start, stop, step)):
        return [start + i * step for i in range(count)]
    return [float(f"{start + i * step:.12g}") for i in range(count)]
