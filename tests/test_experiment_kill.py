"""A sweep driver killed (SIGKILL) at any moment — store creation included — leaves a folder that a restart or
``--resume`` accepts, and in the end every run is stored exactly once (issue: bad input / kill-safety)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.experiment import load, run_sweep
from tests.test_experiment_sweep import TINY

ROOT = Path(__file__).resolve().parents[1]
SWEEP = """
[sweep]
scenario = "tiny.toml"
replications = 4
seed = 3
keep = ["intervals"]
[parameters]
agents.phone.count = [3, 4]
"""
RUNS = 8

# Runs the command line with os.replace wrapped so that the process SIGKILLs itself at one named moment.
INJECT = r"""
import os, signal, sys
from pathlib import Path
stage, out = sys.argv[1], Path(sys.argv[2])
real = os.replace
def is_build(p):
    return Path(p).name.startswith(".tmp-" + out.name + ".")
def replace(src, dst):
    if stage == "manifest-in-build" and is_build(Path(dst).parent) and Path(dst).name == "manifest.json":
        os.kill(os.getpid(), signal.SIGKILL)
    if stage == "before-rename" and is_build(src):
        os.kill(os.getpid(), signal.SIGKILL)
    real(src, dst)
    if stage == "after-rename" and is_build(src):
        os.kill(os.getpid(), signal.SIGKILL)
    if stage == "after-first-run" and Path(dst).parent.name == "runs":
        os.kill(os.getpid(), signal.SIGKILL)
os.replace = replace
from sim.cli import main
sys.exit(main(sys.argv[3:]))
"""


def files(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "tiny.toml").write_text(TINY)
    (tmp_path / "sweep.toml").write_text(SWEEP)
    return tmp_path / "sweep.toml", tmp_path / "out"


def driver(args: list[str], cwd: Path, inject: str | None = None, out: Path | None = None) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-c", INJECT, inject, str(out)] if inject else [sys.executable, "-m", "sim.cli"]
    return subprocess.Popen([*cmd, "sweep", *args, "--workers", "1", "--quiet"], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def stored(out: Path) -> list[str]:
    runs = out / "runs"
    return sorted(p.name for p in runs.glob("p*.parquet")) if runs.is_dir() else []


def builds(tmp_path: Path) -> list[Path]:
    return sorted(tmp_path.glob(".tmp-out.*"))


def assert_every_run_once(sweep: Path, out: Path) -> None:
    table = load(out)
    counts = table.groupby(["point", "replication"]).size()
    assert len(counts) == RUNS and counts.nunique() == 1
    kept = sim.experiment.load_kept(out, "intervals")
    assert kept.groupby(["point", "replication"]).ngroups == RUNS
    assert not list(out.rglob(".tmp-*")) and not builds(out.parent)


def test_a_driver_killed_at_each_moment_of_store_creation_leaves_a_folder_a_restart_accepts(tmp_path):
    sweep, out = files(tmp_path)
    args = [str(sweep), "--out", str(out)]
    # killed while writing the manifest of the half-built store: no store, only a build folder beside it
    p = driver(args, tmp_path, "manifest-in-build", out)
    assert p.wait(120) == -signal.SIGKILL, p.communicate()
    assert not out.exists() and len(builds(tmp_path)) == 1
    # a fresh start (no --resume) is accepted; killed with the store complete but not yet renamed into place
    p = driver(args, tmp_path, "before-rename", out)
    assert p.wait(120) == -signal.SIGKILL, p.communicate()
    assert not out.exists() and len(builds(tmp_path)) == 1          # the dead driver's first build was removed
    assert (builds(tmp_path)[0] / "manifest.json").is_file()
    # a fresh start again; killed right after the rename: a complete store that holds nothing yet
    p = driver(args, tmp_path, "after-rename", out)
    assert p.wait(120) == -signal.SIGKILL, p.communicate()
    assert (out / "manifest.json").is_file() and stored(out) == [] and not builds(tmp_path)
    # a fresh start takes the empty store over (nothing to lose); killed after its first stored run
    p = driver(args, tmp_path, "after-first-run", out)
    assert p.wait(120) == -signal.SIGKILL, p.communicate()
    assert len(stored(out)) == 1
    # now only --resume is accepted (a fresh start would overwrite a result), and it finishes the sweep
    with pytest.raises(sim.InputError, match="not empty"):
        run_sweep(sweep, out, workers=1)
    res = run_sweep(sweep, out, workers=1, resume=True)
    assert (res.stored_before, res.finished, res.failed) == (1, RUNS - 1, 0)
    assert_every_run_once(sweep, out)


def test_kills_at_random_moments_then_resume_store_every_run_exactly_once(tmp_path):
    """Stages are found by polling the folder; the moment within a stage is random (fixed seed)."""
    sweep, out = files(tmp_path)
    rng = np.random.default_rng(20)
    args = [str(sweep), "--out", str(out), "--resume"]             # --resume also starts a sweep with no store
    seen = []
    for stage in ("starting", "creating", "created", "running"):
        p = driver(args, tmp_path)
        deadline = time.monotonic() + 120
        wait = rng.uniform(0.0, 0.3)
        target = int(rng.integers(min(len(stored(out)) + 1, RUNS - 1), RUNS))   # kill with runs still to go
        while p.poll() is None and time.monotonic() < deadline:
            if stage == "starting" and time.monotonic() > deadline - 120 + wait:
                break
            if stage == "creating" and (builds(tmp_path) or out.exists()):
                break
            if stage == "created" and (out / "manifest.json").is_file():
                break
            if stage == "running" and len(stored(out)) >= target:
                break
            time.sleep(0.0005)
        if p.poll() is None:
            os.kill(p.pid, signal.SIGKILL)
        code = p.wait(60)
        assert code in (0, -signal.SIGKILL), p.communicate()
        seen.append((stage, "store" if out.exists() else "build" if builds(tmp_path) else "none", len(stored(out))))
    assert seen[-1][2] >= 1, seen                                    # killed while runs were being stored
    before = {n: (out / "runs" / n).read_bytes() for n in stored(out)}
    res = run_sweep(sweep, out, workers=1, resume=True)
    assert res.stored_before == len(before) and res.stored_before + res.finished == RUNS and res.failed == 0
    assert all((out / "runs" / n).read_bytes() == b for n, b in before.items())   # finished runs untouched
    assert_every_run_once(sweep, out)
