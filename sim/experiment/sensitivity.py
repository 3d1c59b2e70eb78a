"""Global sensitivity analysis over dotted scenario keys: a tornado, Morris screening, then Sobol indices on the
top drivers (SALib, the optional extra ``contactsim[sensitivity]``). See docs/sensitivity.md.

A *driver* is a dotted scenario key with a range (``low``, ``high``: numbers, durations such as ``"60s"`` or rates
such as ``"100/h"``; ``integer = true`` rounds). Each stage is a sweep of linked design points on the sweep machinery
(workers, ``--dask``, ``--resume``; one resumable store per stage under ``OUT/runs/``), and every design point is
averaged over the same replication indices with the same seed (common random numbers), so differences between points
are differences of the drivers, not of the customers met. Stages and their run budget (D drivers, R replications):

- tornado: every driver at its low and its high end, the others at the middle of their ranges: (2D + 1) · R runs;
- Morris (elementary effects, ``trajectories`` r on a ``levels``-grid): r(D + 1) · R runs; drivers ranked by μ*;
- Sobol (Saltelli's scheme, second order) on the ``top`` k drivers, the others at the middle: N(2k + 2) · R runs.

Indices are in the metric's units over the driver's whole range (μ*: mean |change of the metric| when the driver
moves across its range; S1, ST: shares of the metric's variance). Every index has a bootstrap 95% CI over the design's
trajectories or base samples (SALib's resampling, ``resamples`` draws); replication noise is inside the averaged
metric, not added to the CI.

    [sensitivity]
    scenario = "../scenarios/erlang_a.toml"
    replications = 3
    seed = 2024
    metric = "abandon_rate"                 # a metric of Results.replications
    channel = "phone"                       # its channel (default "all")
    minus = { channel = "social", metric = "abandon_rate" }   # optional: the metric is the difference
    morris = { trajectories = 6, levels = 4 }
    sobol = { top = 2, n = 16 }             # n: a power of two
    resamples = 200

    [parameters]
    "agents.phone.count" = { low = 4, high = 10, integer = true }
    "channels.phone.patience.mean" = { low = "60s", high = "600s" }
"""
from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import InputError
from sim.validate import Checker

SALIB_MISSING = ("contactsim sensitivity: expected SALib to be installed, got none; install the optional extra with "
                 "`pip install 'contactsim[sensitivity]'`")
CSV, FIGURE, BUDGET = "sensitivity.csv", "sensitivity.png", "budget.json"
COLUMNS = ["driver", "low", "high", "unit", "base", "effect_low", "effect_high", "mu_star", "mu_star_ci_low",
           "mu_star_ci_high", "mu", "sigma", "morris_rank", "S1", "S1_ci_low", "S1_ci_high", "ST", "ST_ci_low",
           "ST_ci_high"]

Evaluate = Callable[[str, list[dict]], np.ndarray]  # (stage, design point settings) -> metric per point


@dataclass(frozen=True)
class Driver:
    """One varied scenario key and its range; ``unit``: "" (a number), "s" (a duration) or "/h" (a rate)."""

    key: str
    low: float
    high: float
    unit: str = ""
    integer: bool = False

    def value(self, x: float) -> Any:
        """The scenario value at ``x`` (in the range's units: seconds for durations, per hour for rates)."""
        if self.integer:
            return int(round(x))
        if self.unit == "s":
            return f"{float(x):.6g}s"
        if self.unit == "/h":
            return f"{float(x):.6g}/h"
        return float(x)

    @property
    def middle(self) -> float:
        return (self.low + self.high) / 2


@dataclass(frozen=True)
class SensitivitySpec:
    """A parsed sensitivity file (``load_spec``) or one built in Python."""

    drivers: tuple[Driver, ...]
    scenario: Path | None = None
    replications: int = 1
    seed: int = 0
    metric: str = ""
    channel: str = "all"
    minus: tuple[str, str] | None = None  # (channel, metric) subtracted from the metric
    trajectories: int = 6
    levels: int = 4
    top: int = 3
    sobol_n: int = 16
    resamples: int = 200
    name: str = ""
    source: str = "<python>"

    @property
    def problem(self) -> dict:
        return {"num_vars": len(self.drivers), "names": [d.key for d in self.drivers],
                "bounds": [[d.low, d.high] for d in self.drivers]}

    def budget(self) -> dict:
        """Design points and runs of each stage (Saltelli: N(2k + 2) points for k drivers, second order)."""
        d, k = len(self.drivers), min(self.top, len(self.drivers))
        points = {"tornado": 2 * d + 1, "morris": self.trajectories * (d + 1),
                  "sobol": self.sobol_n * (2 * k + 2) if k >= 2 else 0}
        return {"drivers": d, "sobol_drivers": k, "replications": self.replications, "points": points,
                "runs": {s: n * self.replications for s, n in points.items()},
                "total_runs": sum(points.values()) * self.replications}


# Reading a sensitivity file --------------------------------------------------------------------------------------
def load_spec(path: str | Path) -> SensitivitySpec:
    """Read and check a sensitivity file; every problem is reported at once, one line each (file, key, expected)."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_bytes().decode("utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: expected a readable sensitivity file, got {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: expected a TOML sensitivity file, got a syntax error: {exc}") from None
    return parse_spec(raw, source=str(path), base_dir=path.parent)


def parse_spec(raw: dict, source: str = "<dict>", base_dir: Path = Path(".")) -> SensitivitySpec:
    chk = Checker(source)
    chk.table(raw, "", ["sensitivity", "parameters"])
    head = chk.table(raw.get("sensitivity", {}), "sensitivity",
                     ["name", "scenario", "replications", "seed", "metric", "channel", "minus", "morris", "sobol",
                      "resamples"])
    if "sensitivity" not in raw:
        chk.add("sensitivity", "a [sensitivity] table with scenario, replications, seed and metric")
    scenario = chk.string(head, "scenario", "sensitivity", default=None)
    reps = chk.number(head, "replications", "sensitivity", default=1, integer=True, low=1)
    seed = chk.number(head, "seed", "sensitivity", default=0, integer=True, low=0)
    metric = chk.string(head, "metric", "sensitivity", default=None)
    if "sensitivity" in raw and metric is None and "metric" not in head:
        chk.add("sensitivity.metric", "the metric to analyse, e.g. \"abandon_rate\" (required)")
    channel = chk.string(head, "channel", "sensitivity", default="all")
    minus = None
    if "minus" in head:
        m = chk.table(head["minus"], "sensitivity.minus", ["channel", "metric"])
        mc = chk.string(m, "channel", "sensitivity.minus", default=channel)
        mm = chk.string(m, "metric", "sensitivity.minus", default=metric)
        minus = (mc, mm) if mc is not None and mm is not None else None
    morris = chk.table(head.get("morris", {}), "sensitivity.morris", ["trajectories", "levels"])
    traj = chk.number(morris, "trajectories", "sensitivity.morris", default=6, integer=True, low=2)
    levels = chk.number(morris, "levels", "sensitivity.morris", default=4, integer=True, low=2)
    sob = chk.table(head.get("sobol", {}), "sensitivity.sobol", ["top", "n"])
    top = chk.number(sob, "top", "sensitivity.sobol", default=3, integer=True, low=0)
    n = chk.number(sob, "n", "sensitivity.sobol", default=16, integer=True, low=2)
    if n is not None and int(n) & (int(n) - 1):
        chk.add("sensitivity.sobol.n", "a power of two (Sobol' sequences need one)", n)
    resamples = chk.number(head, "resamples", "sensitivity", default=200, integer=True, low=10)
    name = chk.string(head, "name", "sensitivity", default="")
    drivers = _drivers(chk, raw.get("parameters", {}))
    if not drivers and "parameters" in raw and not (isinstance(raw["parameters"], dict) and raw["parameters"]):
        chk.add("parameters", "at least one driver such as \"agents.phone.count\" = { low = 4, high = 10 }")
    elif "parameters" not in raw:
        chk.add("parameters", "a [parameters] table of drivers with low and high")
    chk.done()
    path = None
    if scenario is not None:
        path = Path(scenario)
        path = path if path.is_absolute() else Path(base_dir) / path
    return SensitivitySpec(drivers=tuple(drivers), scenario=path, replications=int(reps), seed=int(seed),
                           metric=metric or "", channel=channel, minus=minus, trajectories=int(traj),
                           levels=int(levels), top=int(top), sobol_n=int(n), resamples=int(resamples),
                           name=name or "", source=source)


def _drivers(chk: Checker, table: Any) -> list[Driver]:
    from sim.units import parse_duration, parse_rate

    if not isinstance(table, dict):
        chk.add("parameters", "a table of dotted keys = { low = …, high = … }", table)
        return []
    flat = _flatten(table)
    out = []
    for key, spec in flat.items():
        where = f'parameters."{key}"'
        rng = chk.table(spec, where, ["low", "high", "integer"])
        if not rng:
            continue
        ends, units = [], set()
        for end in ("low", "high"):
            v = rng.get(end)
            if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v):
                ends.append(float(v))
                units.add("")
                continue
            for parse, unit, scale in ((parse_duration, "s", 1.0), (parse_rate, "/h", 3600.0)):
                try:
                    ends.append(parse(v) * scale)
                    units.add(unit)
                    break
                except (ValueError, TypeError):
                    continue
            else:
                chk.add(f"{where}.{end}", 'a number, a duration such as "60s" or a rate such as "100/h" (required)',
                        v if v is not None else "nothing")
        integer = rng.get("integer", False)
        if not isinstance(integer, bool):
            chk.add(f"{where}.integer", "true or false", integer)
        if len(ends) != 2:
            continue
        if len(units) > 1:
            chk.add(where, "low and high in the same unit", f"{rng.get('low')!r} and {rng.get('high')!r}")
        elif ends[0] >= ends[1]:
            chk.add(f"{where}.high", f"a value above low ({rng.get('low')!r})", rng.get("high"))
        else:
            out.append(Driver(key, ends[0], ends[1], units.pop(), bool(integer)))
    return out


def _flatten(table: dict, prefix: str = "") -> dict:
    out: dict = {}
    for k, v in table.items():
        key = f"{prefix}.{k}" if prefix else str(k)
        if isinstance(v, dict) and v and not ({"low", "high"} & set(v)):
            out.update(_flatten(v, key))
        else:
            out[key] = v
    return out


# The analysis ----------------------------------------------------------------------------------------------------
def _salib():
    try:
        from SALib.analyze import morris as morris_analyze
        from SALib.analyze import sobol as sobol_analyze
        from SALib.sample import morris as morris_sample
        from SALib.sample import sobol as sobol_sample
    except ImportError:
        raise InputError(SALIB_MISSING) from None
    return morris_sample, morris_analyze, sobol_sample, sobol_analyze


def settings(spec: SensitivitySpec, x: np.ndarray, keys: Sequence[str] | None = None) -> list[dict]:
    """Scenario overrides of each row of ``x`` (columns: ``keys``, default every driver); other drivers at the
    middle of their ranges."""
    by = {d.key: d for d in spec.drivers}
    keys = list(keys) if keys is not None else list(by)
    rows = []
    for row in np.atleast_2d(x):
        vals = {d.key: d.middle for d in spec.drivers}
        vals.update(zip(keys, row))
        rows.append({k: by[k].value(v) for k, v in vals.items()})
    return rows


def analyse(spec: SensitivitySpec, evaluate: Evaluate) -> pd.DataFrame:
    """The tidy table (``COLUMNS``, one row per driver, by Morris rank) of ``spec``'s three stages, the metric of
    every design point coming from ``evaluate(stage, settings)``."""
    morris_sample, morris_analyze, sobol_sample, sobol_analyze = _salib()
    d = len(spec.drivers)
    problem = spec.problem
    keys = problem["names"]
    # tornado: the middle, then each driver at its low and high end
    mid = np.array([[dr.middle for dr in spec.drivers]])
    ends = []
    for i, dr in enumerate(spec.drivers):
        for v in (dr.low, dr.high):
            row = mid.copy()
            row[0, i] = v
            ends.append(row[0])
    y = np.asarray(evaluate("tornado", settings(spec, np.vstack([mid, *ends]))), float)
    base, lo_hi = float(y[0]), y[1:].reshape(d, 2)
    # Morris screening
    xm = morris_sample.sample(problem, spec.trajectories, num_levels=spec.levels, seed=spec.seed)
    ym = np.asarray(evaluate("morris", settings(spec, xm)), float)
    mo = morris_analyze.analyze(problem, xm, ym, num_resamples=spec.resamples, num_levels=spec.levels,
                                seed=spec.seed)
    table = pd.DataFrame({
        "driver": keys, "low": [dr.low for dr in spec.drivers], "high": [dr.high for dr in spec.drivers],
        "unit": [dr.unit for dr in spec.drivers], "base": base, "effect_low": lo_hi[:, 0],
        "effect_high": lo_hi[:, 1], "mu_star": np.asarray(mo["mu_star"], float),
        "mu_star_ci_low": np.asarray(mo["mu_star"]) - np.asarray(mo["mu_star_conf"]),
        "mu_star_ci_high": np.asarray(mo["mu_star"]) + np.asarray(mo["mu_star_conf"]),
        "mu": np.asarray(mo["mu"], float), "sigma": np.asarray(mo["sigma"], float)})
    table["morris_rank"] = table["mu_star"].rank(ascending=False, method="first").astype(int)
    for c in ("S1", "S1_ci_low", "S1_ci_high", "ST", "ST_ci_low", "ST_ci_high"):
        table[c] = np.nan
    k = min(spec.top, d)
    if k >= 2:
        top = list(table.sort_values("morris_rank")["driver"][:k])
        sub = {"num_vars": k, "names": top, "bounds": [problem["bounds"][keys.index(t)] for t in top]}
        xs = sobol_sample.sample(sub, spec.sobol_n, calc_second_order=True, seed=spec.seed)
        ys = np.asarray(evaluate("sobol", settings(spec, xs, top)), float)
        so = sobol_analyze.analyze(sub, ys, calc_second_order=True, num_resamples=spec.resamples, seed=spec.seed)
        for j, t in enumerate(top):
            i = keys.index(t)
            for name in ("S1", "ST"):
                est, conf = float(so[name][j]), float(so[f"{name}_conf"][j])
                table.loc[i, [name, f"{name}_ci_low", f"{name}_ci_high"]] = [est, est - conf, est + conf]
    return table[COLUMNS].sort_values("morris_rank", kind="stable").reset_index(drop=True)


# On the sweep machinery ------------------------------------------------------------------------------------------
def point_metric(table: pd.DataFrame, spec: SensitivitySpec) -> pd.Series:
    """The metric per design point (mean over its replications) from a sweep store's tidy table."""
    def one(channel: str, metric: str) -> pd.Series:
        rows = table[(table["channel"] == channel) & (table["metric"] == metric)]
        if rows.empty:
            raise InputError(f"{spec.source}: sensitivity.metric: expected a metric of the runs, got no rows of "
                             f"channel \"{channel}\", metric \"{metric}\"")
        return rows.groupby("point")["value"].mean()

    y = one(spec.channel, spec.metric)
    if spec.minus is not None:
        y = y - one(*spec.minus)
    return y


def sweep_evaluator(spec: SensitivitySpec, out: Path, workers: int | None = None, dask: str | None = None,
                    resume: bool = False, quiet: bool = True) -> Evaluate:
    """An evaluator that runs each stage as a sweep into ``out/runs/<stage>`` (resumable) and averages the metric of
    every design point over the same replications (common random numbers)."""
    from sim.experiment.analysis import load
    from sim.experiment.runner import run_sweep
    from sim.experiment.sweep import Sweep

    if spec.scenario is None:
        raise InputError(f"{spec.source}: sensitivity.scenario: expected the path of the base scenario (required)")

    def evaluate(stage: str, points: list[dict]) -> np.ndarray:
        sweep = Sweep.build(spec.scenario, points=points, replications=spec.replications, seed=spec.seed,
                            name=f"{spec.name or 'sensitivity'} ({stage})")
        store = out / "runs" / stage
        res = run_sweep(sweep, store, workers=workers, dask=dask, resume=resume or store.exists(), quiet=quiet)
        if res.failed:
            raise InputError(f"{store}: {res.failed} runs failed (records in {store / 'failures'}); fix the cause "
                             "and run again with --resume")
        y = point_metric(load(store), spec)
        return y.reindex(range(len(points))).to_numpy(float)

    return evaluate


def write_outputs(table: pd.DataFrame, spec: SensitivitySpec, out: str | Path, metric_label: str = "") -> list[Path]:
    """Write ``sensitivity.csv``, ``budget.json`` and the tornado / μ*–σ figure into ``out``."""
    from sim.plots.sensitivity import sensitivity_figure

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / CSV, index=False)
    label = metric_label or spec.metric + (f" − {spec.minus[1]} ({spec.minus[0]})" if spec.minus else "")
    (out / BUDGET).write_text(json.dumps({"name": spec.name, "source": spec.source, "metric": label,
                                          "seed": spec.seed, **spec.budget()}, indent=2) + "\n")
    fig = sensitivity_figure(table, label, out / FIGURE)
    return [out / CSV, out / BUDGET, fig]


def run_sensitivity(spec: SensitivitySpec | str | Path, out: str | Path, workers: int | None = None,
                    dask: str | None = None, resume: bool = False, quiet: bool = True) -> pd.DataFrame:
    """Run the three stages of ``spec`` on the sweep machinery into ``out`` and write the outputs."""
    if not isinstance(spec, SensitivitySpec):
        spec = load_spec(spec)
    out = Path(out)
    if out.exists() and any(out.iterdir()) and not resume:
        raise InputError(f"{out}: expected a new or empty folder (or --resume to continue it), got a folder with "
                         "files")
    table = analyse(spec, sweep_evaluator(spec, out, workers, dask, resume, quiet))
    write_outputs(table, spec, out)
    return table
