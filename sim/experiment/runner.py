"""Run a sweep into a resumable store: validate every design point, skip stored runs, execute the rest on a
backend, store each finished run the moment it arrives."""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.errors import InputError
from sim.experiment.backends import RunOutcome, RunTask, ScenarioRef, make_backend
from sim.experiment.keep import text_columns
from sim.experiment.progress import Progress
from sim.experiment.store import FORMAT, FORMAT_VERSION, Store, now_iso
from sim.experiment.sweep import DesignPoint, Sweep, canonical_json, design_points, load_sweep, sha256_text


@dataclass
class SweepOutcome:
    """What a call of ``run_sweep`` did. ``table()`` loads everything the store now holds."""

    out: Path
    points: int
    replications: int
    stored_before: int
    finished: int
    failed: int
    seconds: float
    backend: str
    failures: list = field(default_factory=list)

    @property
    def total_runs(self) -> int:
        return self.points * self.replications

    def table(self) -> pd.DataFrame:
        from sim.experiment.analysis import load

        return load(self.out)


def manifest_for(sweep: Sweep, points: list[DesignPoint]) -> dict:
    import sim

    base = sim.load_scenario(sweep.scenario)
    design = {"base_scenario_hash": base.hash, "seed": sweep.seed,
              "points": [[p.params, p.scenario.hash] for p in points]}
    if sweep.keep:  # what each run stores is part of the design (stores without keep keep their key)
        design["keep"] = list(sweep.keep)
    return {
        "format": FORMAT, "format_version": FORMAT_VERSION,
        "name": sweep.name, "sweep_file": sweep.source, "sweep_hash": sweep.file_hash,
        "sweep": sweep.definition(),
        "base_scenario": str(sweep.scenario), "base_scenario_hash": base.hash,
        "design_key": sha256_text(canonical_json(design)),
        "seed": sweep.seed, "replications": sweep.replications, "parameters": sweep.axes, "keep": list(sweep.keep),
        "points": [{"id": p.id, "params": p.params, "scenario_hash": p.scenario.hash} for p in points],
        "version": getattr(sim, "__version__", "unknown"),
        "created_at": now_iso(),
    }


def _open_store(out: Path, manifest: dict, resume: bool) -> Store:
    """The store to run into. Without ``resume`` only a new or empty folder is accepted — or a store that holds no
    run and no failure yet (left by a driver killed right after creating it), which is taken over."""
    fresh = not out.exists() or (out.is_dir() and not any(out.iterdir()))
    if fresh:
        return Store.create(out, manifest)
    if not resume:
        if (out / "manifest.json").is_file():
            store = Store.open(out)
            if not store.run_files() and not any((out / "failures").iterdir()):
                return store        # nothing to lose: _execute writes this sweep's manifest once it holds the lock
        return Store.create(out, manifest)  # raises: not empty, no silent overwrite
    store = Store.open(out)
    old = store.manifest
    if old["design_key"] != manifest["design_key"]:
        why = []
        if old.get("base_scenario_hash") != manifest["base_scenario_hash"]:
            why.append("the base scenario differs")
        if old.get("seed") != manifest["seed"]:
            why.append(f"seed {old.get('seed')} vs {manifest['seed']}")
        if [p.get("params") for p in old.get("points", [])] != [p["params"] for p in manifest["points"]]:
            why.append("the design points differ")
        elif old.get("keep", []) != manifest["keep"]:
            why.append(f"keep {old.get('keep', [])} vs {manifest['keep']}")
        elif not why:
            why.append("a design point's scenario differs")
        raise InputError(f"{out}: expected the results of this sweep ({manifest['sweep_file']}), got the store of a "
                         f"different sweep ({old.get('sweep_file', '?')}: {'; '.join(why)}); choose another folder")
    return store


def run_sweep(sweep: Sweep | str | Path, out: str | Path, workers: int | None = None, dask: str | None = None,
              resume: bool = False, quiet: bool = True, progress_stream=None, force: bool = False) -> SweepOutcome:
    """Run every (design point, replication) of ``sweep`` not yet in the store ``out``.

    ``workers``: local processes (default: every available core; 1 runs in this process). ``dask``: address of a
    running Dask scheduler. ``resume``: continue a store made by the same sweep (more replications are allowed);
    without it ``out`` must be new or empty. A run that raises is recorded in ``out/failures`` and the sweep goes on.
    ``force``: run design points above the size guard's limits (``sim.size_guard``) anyway.
    """
    start = time.monotonic()
    if not isinstance(sweep, Sweep):
        sweep = load_sweep(sweep)
    out = Path(out)
    points = design_points(sweep, force=force)
    manifest = manifest_for(sweep, points)
    backend = make_backend(workers, dask)  # a bad --dask address fails before anything is written
    try:
        store = _open_store(out, manifest, resume)
        store.lock()
        try:
            stored, finished, failed, failures = _execute(store, manifest, sweep, points, backend, quiet,
                                                          progress_stream)
        finally:
            store.unlock()
    finally:
        backend.close()
    return SweepOutcome(out=out, points=len(points), replications=sweep.replications, stored_before=len(stored),
                        finished=finished, failed=failed, seconds=time.monotonic() - start, backend=backend.name,
                        failures=failures)


def _execute(store: Store, manifest: dict, sweep: Sweep, points: list[DesignPoint], backend, quiet: bool,
             progress_stream) -> tuple[set, int, int, list]:
    store.clean_temporaries()
    if store.manifest is not manifest:  # resumed: keep the creation record, take this sweep's replications
        if store.manifest.get("design_key") != manifest["design_key"] and store.run_files():
            raise InputError(f"{store.root}: expected the results of this sweep, got a store another sweep has "
                             "started filling; choose another folder")
        manifest["created_at"] = store.manifest.get("created_at", manifest["created_at"])
        store.manifest = manifest
        store.write_manifest()
    stored = store.finished(check=True)
    refs = {p.id: ScenarioRef.of(p.scenario) for p in points}
    todo = [RunTask(p.id, r, sweep.seed, refs[p.id], tuple(sweep.keep))
            for r in range(sweep.replications) for p in points if (p.id, r) not in stored]
    progress = Progress(len(todo), already=len(stored), quiet=quiet, stream=progress_stream)
    finished = failed = 0
    failures: list[dict] = []
    by_id = {p.id: p for p in points}
    try:
        for outcome in backend.map_unordered(todo):
            point = by_id[outcome.point]
            if outcome.error is None:
                kept = {name: _with_point(t, point, sweep.seed) for name, t in (outcome.kept or {}).items()}
                store.write_run(outcome.point, outcome.replication,
                                _run_table(outcome, point, sweep.seed, manifest["version"]), kept)
                finished += 1
            else:
                record = {"point": outcome.point, "replication": outcome.replication, "seed": sweep.seed,
                          "params": point.params, "error": outcome.error, "traceback": outcome.traceback,
                          "version": manifest["version"], "at": now_iso()}
                store.write_failure(outcome.point, outcome.replication, record)
                failures.append(record)
                failed += 1
            progress.update(outcome.error is None)
    finally:
        progress.close()
    return stored, finished, failed, failures


COST_METRICS = ("cost", "cost_per_resolved")


def _with_point(t: pd.DataFrame, point: DesignPoint, seed: int, rest: dict | None = None) -> pd.DataFrame:
    """A run's table with the point id and its parameters in front, and ``seed`` (plus ``rest``) behind."""
    t = text_columns(t)
    front = {"point": pd.Series([point.id] * len(t), dtype="int64")}
    for key, value in point.params.items():
        front[key] = [value if isinstance(value, (bool, int, float, str)) else json.dumps(value)] * len(t)
    back = {"seed": pd.Series([seed] * len(t), dtype="int64"), **{k: [v] * len(t) for k, v in (rest or {}).items()}}
    table = pd.DataFrame({**front, **{c: t[c].to_numpy() for c in t.columns if c not in front}, **back})
    if "replication" in table:
        table["replication"] = table["replication"].astype("int64")
    return table


def _run_table(outcome: RunOutcome, point: DesignPoint, seed: int, version: str) -> pd.DataFrame:
    """The stored rows of one run: its per-replication metrics with the point's parameters and provenance. Cost is
    missing (NaN), not 0, when the point's scenario sets no ``cost_per_hour`` for any agent group."""
    table = _with_point(outcome.table, point, seed, {"scenario_hash": point.scenario.hash, "version": version})
    if not costed(point.scenario):
        table.loc[table["metric"].isin(COST_METRICS), "value"] = float("nan")
    return table


def costed(scenario) -> bool:
    """Whether some agent group of ``scenario`` has a ``cost_per_hour`` (else money is unknown, not zero)."""
    agents = scenario.raw.get("agents", {})
    return any(isinstance(g, dict) and "cost_per_hour" in g for g in agents.values())
