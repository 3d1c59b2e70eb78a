"""The results store of a sweep: a folder holding one Parquet file per finished run plus a manifest.

    DIR/manifest.json                       what this store is: sweep, base scenario, design points (atomic rewrite)
    DIR/runs/p000003-r000007.parquet        design point 3, replication 7: one row per channel and metric
    DIR/kept/intervals/p000003-r000007.parquet   what the sweep keeps beyond metrics (``keep = ["intervals"]``),
                                            written before the run file, so a stored run always has it
    DIR/failures/p000003-r000007.json       a run that raised, with its error (retried on --resume)
    DIR/.lock                               held (flock) by the driver while a sweep runs

Every file is written under a temporary name and moved into place with ``os.replace``, so a reader sees either
nothing or a whole file: killing the driver, even with SIGKILL, loses only the runs in flight. The name of a run's
file is fixed by (point, replication), so a run can never be stored twice. The store itself is created the same way:
built whole (folders and manifest) in a temporary sibling folder and renamed into place, so a driver killed while
creating it leaves either no store (a fresh start or ``--resume`` begins again) or a complete, empty one.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.errors import InputError

FORMAT = "contactsim-sweep-store"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
RUN_NAME = re.compile(r"^p(\d{6,})-r(\d{6,})\.parquet$")
FAILURE_NAME = re.compile(r"^p(\d{6,})-r(\d{6,})\.json$")
TEMP_PREFIX = ".tmp-"
SUBFOLDERS = ("runs", "failures", "kept")


def run_name(point: int, replication: int, suffix: str = ".parquet") -> str:
    return f"p{point:06d}-r{replication:06d}{suffix}"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that ``path`` is never seen half written (temp file, fsync, os.replace)."""
    tmp = path.parent / f"{TEMP_PREFIX}{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}"
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


class Store:
    """An opened results store. ``Store.create`` starts a new one, ``Store.open`` checks an existing one."""

    def __init__(self, root: Path, manifest: dict):
        self.root = Path(root)
        self.manifest = manifest
        self._lock_fh = None

    # --- opening ---------------------------------------------------------------------------------------------
    @classmethod
    def create(cls, root: str | Path, manifest: dict) -> Store:
        root = Path(root)
        if root.exists() and not root.is_dir():
            raise InputError(f"{root}: expected a folder for the results, got a file")
        if root.is_dir() and any(root.iterdir()):
            raise InputError(f"{root}: expected a new or empty results folder, got a folder that is not empty "
                             "(use --resume to continue the sweep stored there, or choose another folder)")
        root.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_builds(root)
        build = root.parent / f"{TEMP_PREFIX}{root.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}"
        build.mkdir()
        try:
            for sub in SUBFOLDERS:
                (build / sub).mkdir(parents=True)
            cls(build, manifest).write_manifest()
            _fsync_dir(build)
            try:
                os.replace(build, root)          # atomic; replaces an empty folder, refuses a non-empty one
            except OSError:
                raise InputError(f"{root}: expected a new or empty results folder, got one another sweep has just "
                                 "filled (use --resume, or choose another folder)") from None
        finally:
            if build.exists():
                shutil.rmtree(build, ignore_errors=True)
        _fsync_dir(root.parent)
        return cls(root, manifest)

    @classmethod
    def open(cls, root: str | Path) -> Store:
        root = Path(root)
        if not root.is_dir():
            raise InputError(f"{root}: expected a results folder written by `contactsim sweep`, got no such folder")
        path = root / MANIFEST
        if not path.is_file():
            raise InputError(f"{root}: expected a contactsim results store (with {MANIFEST}), got a folder without "
                             "one — not a results store")
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"{path}: expected the JSON manifest of a results store, got an unreadable file ({exc})") \
                from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise InputError(f"{path}: expected a manifest with \"format\": \"{FORMAT}\", got a foreign JSON file")
        if manifest.get("format_version") != FORMAT_VERSION:
            raise InputError(f"{path}: format_version: expected {FORMAT_VERSION}, got {manifest.get('format_version')}")
        for key in ("design_key", "points", "seed", "replications", "parameters"):
            if key not in manifest:
                raise InputError(f"{path}: {key}: expected a manifest entry (required), got none")
        for sub in ("runs", "failures"):     # kept/ is optional: stores written before it existed have none
            if not (root / sub).is_dir():
                raise InputError(f"{root}: expected a {sub}/ folder in the results store, got none")
        return cls(root, manifest)

    def lock(self) -> None:
        """Hold an exclusive lock for the lifetime of this driver (released by the OS even after SIGKILL)."""
        import fcntl

        fh = open(self.root / ".lock", "a+")
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            raise InputError(f"{self.root}: expected a results store no other sweep is writing to, got one that is "
                             "locked by a running sweep") from None
        self._lock_fh = fh

    def unlock(self) -> None:
        if self._lock_fh is not None:
            self._lock_fh.close()
            self._lock_fh = None

    def write_manifest(self) -> None:
        self.manifest["updated_at"] = now_iso()
        data = json.dumps(self.manifest, indent=2, sort_keys=False, default=str).encode("utf-8")
        atomic_write_bytes(self.root / MANIFEST, data)

    def clean_temporaries(self) -> int:
        """Remove half-written temporary files left by a killed driver (call only while holding the lock)."""
        n = 0
        subs = [self.root, self.root / "runs", self.root / "failures"]
        subs += [p for p in (self.root / "kept").glob("*") if p.is_dir()]
        for sub in subs:
            for p in sub.glob(f"{TEMP_PREFIX}*"):
                p.unlink(missing_ok=True)
                n += 1
        return n

    # --- runs ------------------------------------------------------------------------------------------------
    def run_files(self) -> dict[tuple[int, int], Path]:
        """Finished runs by (point, replication); anything else in runs/ means the folder is not ours."""
        out = {}
        for p in sorted((self.root / "runs").iterdir()):
            if p.name.startswith(TEMP_PREFIX):
                continue
            m = RUN_NAME.match(p.name)
            if not m:
                raise InputError(f"{p}: expected only run files named like p000001-r000002.parquet in the store, "
                                 "got a foreign file")
            out[(int(m.group(1)), int(m.group(2)))] = p
        return out

    def finished(self, check: bool = True) -> set[tuple[int, int]]:
        """The (point, replication) pairs already stored; with ``check`` every file's Parquet footer is read, so a
        truncated or corrupted file is reported instead of being silently skipped or silently re-run."""
        files = self.run_files()
        if check:
            with ThreadPoolExecutor(max_workers=8) as pool:
                list(pool.map(_check_parquet, files.values()))
        return set(files)

    def write_run(self, point: int, replication: int, table: pd.DataFrame,
                  kept: dict[str, pd.DataFrame] | None = None) -> None:
        """Store one finished run: its kept tables first, then the run file that marks it finished."""
        for name, extra in (kept or {}).items():
            folder = self.root / "kept" / name
            folder.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(folder / run_name(point, replication), _parquet_bytes(extra))
        atomic_write_bytes(self.root / "runs" / run_name(point, replication), _parquet_bytes(table))
        (self.root / "failures" / run_name(point, replication, ".json")).unlink(missing_ok=True)

    def read_kept(self, name: str) -> pd.DataFrame:
        """Every stored run's kept table ``name`` (e.g. ``intervals``), concatenated; only runs that finished."""
        folder = self.root / "kept" / name
        finished = self.run_files()
        files = [folder / p.name for key, p in sorted(finished.items())] if folder.is_dir() else []
        missing = [f for f in files if not f.is_file()]
        if not folder.is_dir() or (files and len(missing) == len(files)):
            raise InputError(f"{self.root}: expected kept {name!r} tables (a sweep with keep = [\"{name}\"]), got "
                             f"none; this store keeps: {', '.join(self.kept_names()) or 'metrics only'}")
        if missing:
            raise InputError(f"{missing[0]}: expected the kept {name!r} table of a finished run, got none")
        if not files:
            return pd.DataFrame()
        with ThreadPoolExecutor(max_workers=8) as pool:
            tables = list(pool.map(_read_parquet, files))
        return pa.concat_tables(tables, promote_options="permissive").to_pandas()

    def kept_names(self) -> list[str]:
        folder = self.root / "kept"
        return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []

    def write_failure(self, point: int, replication: int, record: dict) -> None:
        data = json.dumps(record, indent=2, default=str).encode("utf-8")
        atomic_write_bytes(self.root / "failures" / run_name(point, replication, ".json"), data)

    def read_runs(self) -> pd.DataFrame:
        files = self.run_files()
        if not files:
            return pd.DataFrame()
        with ThreadPoolExecutor(max_workers=8) as pool:
            tables = list(pool.map(_read_parquet, files.values()))
        try:
            table = pa.concat_tables(tables, promote_options="permissive")
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise InputError(f"{self.root}: expected run files with one schema, got files that disagree ({exc})") \
                from None
        return table.to_pandas()

    def read_failures(self) -> pd.DataFrame:
        rows = []
        for p in sorted((self.root / "failures").iterdir()):
            if p.name.startswith(TEMP_PREFIX):
                continue
            if not FAILURE_NAME.match(p.name):
                raise InputError(f"{p}: expected only failure records named like p000001-r000002.json, got a "
                                 "foreign file")
            try:
                rows.append(json.loads(p.read_text(encoding="utf-8")))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise InputError(f"{p}: expected a JSON failure record, got an unreadable file ({exc})") from None
        cols = ["point", "replication", "seed", "error", "traceback", "version", "at"]
        return pd.DataFrame(rows, columns=cols if not rows else None)


def _parquet_bytes(table: pd.DataFrame) -> bytes:
    buf = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_pandas(table, preserve_index=False), buf)
    return buf.getvalue().to_pybytes()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_stale_builds(root: Path) -> None:
    """Half-built stores of drivers killed while creating ``root`` (``.tmp-NAME.PID.XXXX`` beside it): removed
    when their driver is gone; a live driver's build is left alone."""
    from sim.experiment.backends import process_alive

    for p in root.parent.glob(f"{TEMP_PREFIX}{root.name}.*"):
        parts = p.name[len(TEMP_PREFIX) + len(root.name):].split(".")
        if p.is_dir() and len(parts) == 3 and parts[1].isdigit() and not process_alive(int(parts[1])):
            shutil.rmtree(p, ignore_errors=True)


def _check_parquet(path: Path) -> None:
    try:
        pq.read_metadata(path)
    except (OSError, pa.ArrowException) as exc:
        raise InputError(f"{path}: expected a complete Parquet run file, got a truncated or corrupted file ({exc}); "
                         "delete it to have --resume run it again") from None


def _read_parquet(path: Path) -> pa.Table:
    try:
        return pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        raise InputError(f"{path}: expected a complete Parquet run file, got a truncated or corrupted file ({exc}); "
                         "delete it to have --resume run it again") from None
