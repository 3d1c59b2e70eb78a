"""Fingerprints of the shipped scenarios' tables: what "behaviour does not change" means, checked column by column.

Every scenario in ``scenarios/`` is run with its own seed for 2 replications (long horizons shortened, see
``HORIZONS``), and each of its tables (``TABLES``: contacts, the kind tables, legs, messages, the interval tables,
agents, reputation; and, in ``metrics.json``, the per-replication metrics and the summary) is reduced to its column
names, each column's logical dtype and a SHA-256 of the column's canonical values (floats rounded to 1e-6, NaN and
missing values written as such, categories as their labels). The numpy and pandas versions are recorded beside
them: a new numpy may change a draw or a float's last digit, and the file then says which versions made it.

Rewrite the committed file on purpose only (a change of behaviour, in a commit of its own with a test of the intended
change)::

    .venv/bin/python -m tests.fingerprint --regenerate

(which rewrites ``scenarios.json`` and ``metrics.json``).
"""
from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd

import sim

ROOT = Path(__file__).resolve().parents[1]
FILE = Path(__file__).resolve().parent / "fingerprints" / "scenarios.json"
TABLES = ("contacts", "funnel_calls", "social_threads", "legs", "messages", "intervals", "funnel_intervals",
          "social_intervals", "agents", "reputation")
# The per-replication metrics and their summary (Results.replications, Results.summary), in a file of their own.
METRICS_FILE = FILE.parent / "metrics.json"
METRIC_TABLES = ("replications", "summary")
REPLICATIONS = 2
# Shorter horizons where a shipped scenario runs for days: the same model, fewer events (seconds, not minutes).
HORIZONS = {"erlang_a": "1d", "study_social_desk": "1d"}


def scenario_files() -> list[Path]:
    return sorted((ROOT / "scenarios").glob("*.toml"))


def logical_dtype(s: pd.Series) -> str:
    dt = s.dtype
    if isinstance(dt, pd.CategoricalDtype):
        return "category"
    if pd.api.types.is_bool_dtype(dt):
        return "boolean" if isinstance(dt, pd.BooleanDtype) else "bool"
    if pd.api.types.is_integer_dtype(dt):
        return "Int" if isinstance(dt, pd.api.extensions.ExtensionDtype) else "int"
    if pd.api.types.is_float_dtype(dt):
        return "float"
    return "object"


def _canon(v) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return "NA"
    if isinstance(v, (float, np.floating)):
        r = round(float(v), 6)
        return repr(0.0 if r == 0 else r)
    if isinstance(v, (bool, np.bool_)):
        return "T" if v else "F"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    return "s:" + str(v)


def column_hash(s: pd.Series) -> str:
    if isinstance(s.dtype, pd.CategoricalDtype):
        values = s.astype(object).tolist()
    elif pd.api.types.is_float_dtype(s.dtype) and not isinstance(s.dtype, pd.api.extensions.ExtensionDtype):
        a = np.round(s.to_numpy(dtype=float), 6)
        a[a == 0] = 0.0
        values = a.tolist()
    else:
        values = s.tolist()
    h = hashlib.sha256()
    for v in values:
        h.update(_canon(v).encode())
        h.update(b"\x1f")
    return h.hexdigest()[:20]


def table_print(df: pd.DataFrame | None) -> dict | None:
    if df is None:
        return None
    df = df.reset_index(drop=True)
    return {"rows": len(df), "columns": {c: {"dtype": logical_dtype(df[c]), "hash": column_hash(df[c])}
                                         for c in df.columns}}


def scenario_run(path: Path) -> sim.Results:
    over = {"run.horizon": HORIZONS[path.stem]} if path.stem in HORIZONS else None
    sc = sim.load_scenario(path, overrides=over)
    return sim.run(sc, replications=REPLICATIONS)


def scenario_print(path: Path, res: sim.Results | None = None) -> dict:
    res = scenario_run(path) if res is None else res
    return {name: table_print(getattr(res, name)) for name in TABLES}


def metrics_print(res: sim.Results) -> dict:
    return {name: table_print(getattr(res, name)) for name in METRIC_TABLES}


def compute() -> tuple[dict, dict]:
    head = {"numpy": np.__version__, "pandas": pd.__version__, "replications": REPLICATIONS, "horizons": HORIZONS}
    runs = {p.stem: scenario_run(p) for p in scenario_files()}
    return ({**head, "scenarios": {s: scenario_print(Path(s), r) for s, r in runs.items()}},
            {**head, "scenarios": {s: metrics_print(r) for s, r in runs.items()}})


def differences(expected: dict, got: dict, tables: tuple[str, ...] = TABLES) -> list[str]:
    """One line per table or column that differs between two fingerprints of a scenario."""
    out = []
    for name in tables:
        e, g = expected.get(name), got.get(name)
        if (e is None) != (g is None):
            out.append(f"{name}: table {'missing' if g is None else 'new'}")
            continue
        if e is None:
            continue
        if list(e["columns"]) != list(g["columns"]):
            out.append(f"{name}: columns {list(e['columns'])} became {list(g['columns'])}")
        if e["rows"] != g["rows"]:
            out.append(f"{name}: {e['rows']} rows became {g['rows']}")
        for col, ec in e["columns"].items():
            gc = g["columns"].get(col)
            if gc is None:
                continue
            if ec["dtype"] != gc["dtype"]:
                out.append(f"{name}.{col}: dtype {ec['dtype']} became {gc['dtype']}")
            elif ec["hash"] != gc["hash"]:
                out.append(f"{name}.{col}: values differ")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description="Check or rewrite the shipped-scenario fingerprints.")
    ap.add_argument("--regenerate", action="store_true", help=f"rewrite {FILE.relative_to(ROOT)}")
    args = ap.parse_args()
    got, got_metrics = compute()
    if args.regenerate:
        FILE.parent.mkdir(parents=True, exist_ok=True)
        for path, doc in ((FILE, got), (METRICS_FILE, got_metrics)):
            path.write_text(json.dumps(doc, indent=1, sort_keys=False) + "\n")
            print(f"wrote {path.relative_to(ROOT)} ({len(doc['scenarios'])} scenarios)")
        return
    expected = json.loads(FILE.read_text())
    expected_metrics = json.loads(METRICS_FILE.read_text())
    bad = {s: differences(expected["scenarios"][s], got["scenarios"].get(s, {}))
           + differences(expected_metrics["scenarios"][s], got_metrics["scenarios"].get(s, {}), METRIC_TABLES)
           for s in expected["scenarios"]}
    for s, lines in bad.items():
        for line in lines:
            print(f"{s}: {line}")
    if not any(bad.values()):
        print("fingerprints unchanged")


if __name__ == "__main__":
    main()
