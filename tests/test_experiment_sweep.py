"""Sweep files, the resumable store, backends (in-process, local processes, a real Dask cluster), failures, progress."""
from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.experiment import Sweep, load, load_sweep, point_summary, run_sweep
from sim.experiment.progress import Progress
from sim.experiment.store import Store

ROOT = Path(__file__).resolve().parents[1]

TINY = """
schema = 1
[run]
horizon = "2h"
interval = "30min"
seed = 1
[channels.phone]
arrivals = { rate = "60/h" }
handle_time = { dist = "exponential", mean = "200s" }
patience = { dist = "exponential", mean = "300s" }
[agents.phone]
serves = ["phone"]
count = 4
"""

SWEEP = """
[sweep]
name = "tiny staffing"
scenario = "tiny.toml"
replications = {reps}
seed = 11

[parameters]
agents.phone.count = {{ start = 3, stop = {stop} }}
"channels.phone.patience.mean" = ["200s", "400s"]
"""


def write_sweep(tmp_path: Path, reps: int = 3, stop: int = 4, name: str = "sweep.toml") -> Path:
    (tmp_path / "tiny.toml").write_text(TINY)
    path = tmp_path / name
    path.write_text(SWEEP.format(reps=reps, stop=stop))
    return path


# --- sweep files -----------------------------------------------------------------------------------------------

def test_sweep_file_grid_ranges_and_points(tmp_path):
    sw = load_sweep(write_sweep(tmp_path, stop=6))
    assert sw.parameters["agents.phone.count"] == [3, 4, 5, 6]            # stop is included
    assert sw.parameters["channels.phone.patience.mean"] == ["200s", "400s"]
    settings = sw.settings()
    assert len(settings) == 8
    assert settings[0] == {"agents.phone.count": 3, "channels.phone.patience.mean": "200s"}
    assert settings[1] == {"agents.phone.count": 3, "channels.phone.patience.mean": "400s"}
    assert sw.scenario == tmp_path / "tiny.toml"
    built = Sweep.build(tmp_path / "tiny.toml", {"agents.phone.count": range(2, 5), "run.interval": ["15min"]},
                        replications=2, seed=1, points=[{"channels.phone.arrivals.rate": "30/h"},
                                                        {"channels.phone.arrivals.rate": "90/h"}])
    assert len(built.settings()) == 6
    assert built.settings()[3] == {"channels.phone.arrivals.rate": "90/h", "agents.phone.count": 2,
                                   "run.interval": "15min"}
    floats = Sweep.build(tmp_path / "tiny.toml", {"x.y": {"start": 0.1, "stop": 0.3, "step": 0.1}, "x.z": [1, 2.5]})
    assert floats.parameters["x.y"] == [0.1, 0.2, 0.3]
    assert floats.parameters["x.z"] == [1.0, 2.5]


def test_sweep_file_problems_are_reported_together(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("""
[sweep]
scenario = "tiny.toml"
replications = 0
[parameters]
"agents.phone.count" = { start = 5, stop = 1, step = 1 }
"channels.phone.patience.mean" = ["200s", 300]
""")
    with pytest.raises(sim.ScenarioError) as err:
        load_sweep(path)
    text = str(err.value)
    assert "sweep.replications" in text and "sweep.seed" in text
    assert "step" in text and "one type" in text
    assert text.count(str(path)) == len(err.value.problems) >= 4


def test_invalid_design_points_are_listed_before_anything_runs(tmp_path):
    (tmp_path / "tiny.toml").write_text(TINY)
    sw = Sweep.build(tmp_path / "tiny.toml", {"agents.phone.count": [-1, 3, -2],
                                              "channels.phone.handle_time.mean": ["200s", "soon"]},
                     replications=2, seed=1)
    with pytest.raises(sim.InputError) as err:
        run_sweep(sw, tmp_path / "out", workers=1)
    text = str(err.value)
    assert "5 of 6 design points are invalid" in text
    assert "design point 0 (agents.phone.count=-1" in text and "design point 3 (" in text
    assert not (tmp_path / "out").exists()


def test_a_design_point_above_the_size_limits_is_refused_before_anything_runs(tmp_path):
    """A swept typo ("1e9/h") is caught by the size guard at that point, with its key; --force lets it through."""
    from sim.experiment.sweep import design_points

    (tmp_path / "tiny.toml").write_text(TINY)
    sw = Sweep.build(tmp_path / "tiny.toml", {"channels.phone.arrivals.rate": ["60/h", "1e9/h"]},
                     replications=2, seed=1)
    with pytest.raises(sim.InputError) as err:
        run_sweep(sw, tmp_path / "out", workers=1)
    text = str(err.value)
    assert "1 of 2 design points are invalid" in text and 'design point 1 (channels.phone.arrivals.rate="1e9/h")' in text
    assert "tiny.toml: channels.phone.arrivals: expected at most 5,000,000 contacts per replication" in text
    assert "--force" in text and not (tmp_path / "out").exists()
    assert [p.id for p in design_points(sw, force=True)] == [0, 1]


# --- backends give identical stores ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The sweep run in-process, the reference for the other backends."""
    tmp = tmp_path_factory.mktemp("ref")
    path = write_sweep(tmp, reps=3)
    out = run_sweep(path, tmp / "out", workers=1)
    assert out.finished == 12 and out.failed == 0
    return path, load(tmp / "out")


def test_store_holds_exactly_what_a_plain_run_gives(reference):
    path, table = reference
    per_run = table.groupby(["point", "replication"]).size()
    assert len(per_run) == 12 and per_run.nunique() == 1      # 4 points × 3 replications, same rows each
    assert not table.duplicated(["point", "replication", "channel", "metric"]).any()
    assert list(table.columns[:3]) == ["point", "agents.phone.count", "channels.phone.patience.mean"]
    one = table[(table["point"] == 3) & (table["replication"] == 2)].set_index("metric")["value"]
    sc = sim.load_scenario(path.parent / "tiny.toml", {"agents.phone.count": 4,
                                                       "channels.phone.patience.mean": "400s"})
    direct = sim.run(sc, replications=[2], seed=11).replications.set_index("metric")["value"]
    money = ["cost", "cost_per_resolved"]          # no cost_per_hour in the scenario: unknown (NaN), not 0
    assert one[money].isna().all() and (direct[money] == 0).all()
    pd.testing.assert_series_equal(one.drop(money).sort_index(), direct.drop(money).sort_index(), check_names=False)
    assert (table["scenario_hash"][table["point"] == 3] == sc.hash).all()
    assert set(table["version"]) == {sim.__version__} and set(table["seed"]) == {11}
    summ = point_summary(table)
    assert len(summ) == 4 * per_run.iloc[0] and (summ.loc[~summ["metric"].isin(money), "n"] == 3).all()
    assert (summ.loc[summ["metric"].isin(money), "n"] == 0).all()


def test_two_local_workers_give_identical_results(reference, tmp_path):
    path, table = reference
    out = run_sweep(path, tmp_path / "out", workers=2)
    assert out.backend == "local processes" and out.finished == 12
    pd.testing.assert_frame_equal(load(tmp_path / "out"), table)


def test_dask_local_cluster_gives_identical_results(reference, tmp_path):
    from distributed import LocalCluster

    path, table = reference
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        out = run_sweep(path, tmp_path / "out", dask=cluster.scheduler_address)
    assert out.backend == "dask" and out.finished == 12
    pd.testing.assert_frame_equal(load(tmp_path / "out"), table)


def test_bad_dask_address_is_an_input_error_and_writes_nothing(reference, tmp_path, monkeypatch):
    import sim.experiment.backends as backends

    monkeypatch.setattr(backends, "DASK_CONNECT_TIMEOUT_S", 1.0)
    path, _ = reference
    with pytest.raises(sim.InputError, match="--dask"):
        run_sweep(path, tmp_path / "out", dask="tcp://127.0.0.1:9")
    assert not (tmp_path / "out").exists()


# --- the store: resume, refusal to overwrite, corruption --------------------------------------------------------

def test_resume_skips_finished_runs_reruns_missing_ones_and_extends(reference, tmp_path):
    path, table = reference
    out = tmp_path / "out"
    first = run_sweep(path, out, workers=1)
    with pytest.raises(sim.InputError, match="not empty"):
        run_sweep(path, out, workers=1)
    victim = out / "runs" / "p000002-r000001.parquet"
    victim.unlink()
    again = run_sweep(path, out, workers=1, resume=True)
    assert (again.stored_before, again.finished) == (11, 1)
    pd.testing.assert_frame_equal(load(out), table)
    bigger = write_sweep(tmp_path, reps=5)            # same design, more replications: extends the store
    more = run_sweep(bigger, out, workers=1, resume=True)
    assert (more.stored_before, more.finished) == (12, 8)
    assert len(load(out)) == len(table) // 3 * 5
    assert json.loads((out / "manifest.json").read_text())["replications"] == 5
    assert first.total_runs == 12


def test_a_different_sweep_cannot_resume_into_the_store(reference, tmp_path):
    path, _ = reference
    out = tmp_path / "out"
    run_sweep(path, out, workers=1)
    other = write_sweep(tmp_path, stop=5, name="other.toml")
    with pytest.raises(sim.InputError, match="different sweep.*design points differ"):
        run_sweep(other, out, workers=1, resume=True)


def test_corrupted_and_foreign_folders_are_clear_input_errors(reference, tmp_path):
    path, _ = reference
    out = tmp_path / "out"
    run_sweep(path, out, workers=1)
    victim = out / "runs" / "p000001-r000000.parquet"
    victim.write_bytes(victim.read_bytes()[:100])      # truncated
    with pytest.raises(sim.InputError, match="p000001-r000000.parquet: expected a complete Parquet run file"):
        run_sweep(path, out, workers=1, resume=True)
    with pytest.raises(sim.InputError, match="truncated or corrupted"):
        load(out)
    victim.unlink()
    (out / "runs" / "notes.txt").write_text("mine")
    with pytest.raises(sim.InputError, match="foreign file"):
        load(out)
    (out / "runs" / "notes.txt").unlink()
    (out / "manifest.json").write_text('{"format": "something-else"}')
    with pytest.raises(sim.InputError, match="foreign JSON"):
        run_sweep(path, out, workers=1, resume=True)
    (out / "manifest.json").write_text("{not json")
    with pytest.raises(sim.InputError, match="manifest.json: expected the JSON manifest"):
        load(out)
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "data.csv").write_text("a,b\n1,2\n")
    with pytest.raises(sim.InputError, match="not a results store"):
        run_sweep(path, plain, workers=1, resume=True)
    with pytest.raises(sim.InputError, match="not a results store"):
        load(plain)
    with pytest.raises(sim.InputError, match="no such folder"):
        load(tmp_path / "nowhere")


def test_a_second_driver_on_the_same_store_is_refused(reference, tmp_path):
    path, _ = reference
    out = tmp_path / "out"
    run_sweep(path, out, workers=1)
    holder = Store.open(out)
    holder.lock()
    try:
        with pytest.raises(sim.InputError, match="locked by a running sweep"):
            run_sweep(path, out, workers=1, resume=True)
    finally:
        holder.unlock()


def test_a_failing_run_is_recorded_and_the_sweep_goes_on(reference, tmp_path, monkeypatch):
    """Fault injection: replication 1 of every point raises inside the model call; the other runs are stored, the
    failures are recorded with their error, and --resume retries exactly the failed runs."""
    path, table = reference
    real_run = sim.run

    def flaky(scenario, replications=None, seed=None):
        if list(replications) == [1]:
            raise RuntimeError("simulated model failure")
        return real_run(scenario, replications=replications, seed=seed)

    monkeypatch.setattr(sim, "run", flaky)
    out = tmp_path / "out"
    res = run_sweep(path, out, workers=1)
    assert (res.finished, res.failed) == (8, 4)
    fails = sorted((out / "failures").glob("*.json"))
    assert [f.name for f in fails] == [f"p{p:06d}-r000001.json" for p in range(4)]
    rec = json.loads(fails[0].read_text())
    assert "simulated model failure" in rec["error"] and "Traceback" in rec["traceback"]
    monkeypatch.setattr(sim, "run", real_run)
    again = run_sweep(path, out, workers=1, resume=True)
    assert (again.stored_before, again.finished, again.failed) == (8, 4, 0)
    assert not list((out / "failures").glob("*.json"))
    pd.testing.assert_frame_equal(load(out), table)


# --- killing the driver ----------------------------------------------------------------------------------------

def _stored(out: Path) -> list[Path]:
    runs = out / "runs"
    return sorted(p for p in runs.glob("p*.parquet")) if runs.is_dir() else []


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_sigkill_of_the_driver_loses_no_finished_run_and_resume_runs_each_once(tmp_path):
    (tmp_path / "tiny.toml").write_text(TINY)
    path = tmp_path / "sweep.toml"
    path.write_text(SWEEP.format(reps=15, stop=5))               # 6 points × 15 replications = 90 runs
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "sim.cli", "sweep", str(path), "--out", str(out),
                             "--workers", "2", "--quiet"], cwd=tmp_path, env=env, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    try:
        while len(_stored(out)) < 10:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the sweep stored too few runs in 60 s"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)                         # the driver only
        proc.wait()
        # Its worker processes notice and exit: the process group empties without help.
        while _group_alive(proc.pid):
            assert time.monotonic() < deadline + 15, "worker processes outlived the killed driver"
            time.sleep(0.05)
    finally:
        if _group_alive(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    before = {p.name: p.read_bytes() for p in _stored(out)}
    assert 10 <= len(before) < 90
    res = run_sweep(path, out, workers=2, resume=True)
    assert res.stored_before == len(before) and res.stored_before + res.finished == 90 and res.failed == 0
    after = {p.name: p.read_bytes() for p in _stored(out)}
    assert all(after[name] == data for name, data in before.items())      # finished runs untouched
    table = load(out)
    counts = table.groupby(["point", "replication"]).size()
    rows = len(sim.run(sim.load_scenario(tmp_path / "tiny.toml"), replications=[0]).replications)
    assert len(counts) == 90 and (counts == rows).all()                   # every run exactly once
    assert not [p for p in out.rglob(".tmp-*")]


# --- progress --------------------------------------------------------------------------------------------------

def test_progress_lines_when_not_a_terminal_and_silence_when_quiet():
    stream = io.StringIO()
    p = Progress(20, stream=stream)
    for i in range(20):
        p.update(ok=i != 7)
    p.close()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 10 and lines[-1].startswith("sweep: 20/20 runs done, 1 failed")
    quiet = io.StringIO()
    q = Progress(20, stream=quiet, quiet=True)
    for _ in range(20):
        q.update(ok=True)
    q.close()
    assert quiet.getvalue() == ""


def test_dask_without_the_extra_installed_is_one_line_saying_how_to_get_it(reference, tmp_path, monkeypatch, capsys):
    from sim.cli import main

    path, _ = reference
    monkeypatch.setitem(sys.modules, "distributed", None)      # what Python sees when the package is not installed
    code = main(["sweep", str(path), "--out", str(tmp_path / "out"), "--dask", "tcp://127.0.0.1:8786", "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "pip install 'contactsim[dask]'" in err
    assert not (tmp_path / "out").exists()
