"""Where runs execute: in this process, in local worker processes, or on a Dask distributed cluster.

A run is one replication of one design point: ``sim.run(scenario, replications=[r], seed=seed)``. Its result depends
only on (scenario, seed, r) — every random stream is keyed by them — so the stored tables are the same whichever
backend, worker count or completion order produced them. Workers only compute; the driver writes the store.
"""
from __future__ import annotations

import copy
import multiprocessing as mp
import os
import time
import traceback
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sim.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

DASK_CONNECT_TIMEOUT_S = 20.0   # how long to try reaching a Dask scheduler before giving up
DASK_MISSING = ("--dask: expected Dask to be installed, got none; install the optional extra with "
                "`pip install 'contactsim[dask]'` (or run on local cores with --workers N)")


@dataclass(frozen=True)
class ScenarioRef:
    """A validated scenario in a form that crosses process and machine boundaries (its raw dict, source and base
    folder); workers re-read it once and keep it by hash."""

    raw: dict
    source: str
    base_dir: str
    hash: str

    @classmethod
    def of(cls, scenario: Any) -> ScenarioRef:
        return cls(copy.deepcopy(dict(scenario.raw)), str(scenario.source), str(scenario.base_dir), scenario.hash)

    def resolve(self) -> Any:
        sc = _SCENARIOS.get(self.hash)
        if sc is None:
            import sim

            sc = sim.parse_scenario(copy.deepcopy(self.raw), source=self.source, base_dir=self.base_dir)
            if len(_SCENARIOS) > 64:
                _SCENARIOS.clear()
            _SCENARIOS[self.hash] = sc
        return sc


_SCENARIOS: dict[str, Any] = {}

# What the local pool's fork server imports once, so that no worker forked from it imports it before its first run:
# the simulator, the scenario reader (``ScenarioRef.resolve``; ``import sim`` leaves it out, ~0.4 s) and
# scipy.special (the funnel's lognormal quantiles import it on first use, ~0.2 s).
WORKER_PRELOAD = ["sim", "sim.scenario", "sim.runner", "sim.experiment.backends", "scipy.special"]


@dataclass(frozen=True)
class RunTask:
    """One (design point, replication) to simulate."""

    point: int
    replication: int
    seed: int
    scenario: ScenarioRef
    keep: tuple[str, ...] = ()      # what to keep beyond the metrics (sim.experiment.keep)


@dataclass
class RunOutcome:
    """What came back: the run's ``Results.replications`` rows, or the error that stopped it."""

    point: int
    replication: int
    table: pd.DataFrame | None
    error: str | None = None
    traceback: str | None = None
    seconds: float = 0.0
    kept: dict | None = None        # name -> table, for the sweep's ``keep`` entries that are tables


def execute(task: RunTask) -> RunOutcome:
    """Simulate one run; an exception inside the model becomes a failed outcome, not a crash of the sweep."""
    import sim

    start = time.perf_counter()
    try:
        res = sim.run(task.scenario.resolve(), replications=[task.replication], seed=task.seed)
        table = res.replications.copy()
        kept = None
        if task.keep:
            from sim.experiment.keep import kept_from

            table, kept = kept_from(res, table, task.keep)
        return RunOutcome(task.point, task.replication, table, seconds=time.perf_counter() - start, kept=kept)
    except Exception as exc:  # noqa: BLE001 — recorded with its traceback, the sweep goes on
        return RunOutcome(task.point, task.replication, None, error=f"{type(exc).__name__}: {exc}",
                          traceback=traceback.format_exc(), seconds=time.perf_counter() - start)


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a zombie its parent has not reaped counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed driver its parent has not reaped yet is a zombie: dead for our purposes
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (OSError, IndexError):
        return True


def _watch_driver(pid: int, every_s: float = 0.5) -> None:
    """Worker initializer: exit when the driver is gone (e.g. ``kill -9``), instead of waiting forever for work."""
    import threading

    def watch() -> None:
        while process_alive(pid):
            time.sleep(every_s)
        os._exit(70)

    threading.Thread(target=watch, name="contactsim-driver-watch", daemon=True).start()


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _crashed(task: RunTask, what: str) -> RunOutcome:
    return RunOutcome(task.point, task.replication, None, error=what)


class InProcess:
    """Runs one after another in the driver (``--workers 1``): simplest to debug and profile."""

    name = "in-process"

    def map_unordered(self, tasks: Iterable[RunTask]) -> Iterator[RunOutcome]:
        for task in tasks:
            yield execute(task)

    def close(self) -> None:
        pass


class LocalProcesses:
    """A pool of local worker processes (default: one per available core).

    Workers start from a fork server that has already imported contactsim, so starting them is cheap and safe in a
    driver that has threads; at most ``2 × workers`` runs are in flight, so an interruption loses few. Workers watch
    the driver and exit when it is gone, so a killed driver leaves no orphans behind.
    """

    name = "local processes"

    def __init__(self, workers: int):
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def _new_pool(self) -> ProcessPoolExecutor:
        methods = mp.get_all_start_methods()
        ctx = mp.get_context("forkserver" if "forkserver" in methods else "spawn")
        if "forkserver" in methods:
            ctx.set_forkserver_preload(WORKER_PRELOAD)  # imported once, not per worker
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx, initializer=_watch_driver,
                                   initargs=(os.getpid(),))

    def map_unordered(self, tasks: Iterable[RunTask]) -> Iterator[RunOutcome]:
        todo = iter(tasks)
        limit = 2 * self.workers
        self._pool = self._new_pool()
        running: dict = {}
        exhausted = False
        while True:
            while not exhausted and len(running) < limit:
                task = next(todo, None)
                if task is None:
                    exhausted = True
                    break
                running[self._pool.submit(execute, task)] = task
            if not running:
                return
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            broken = False
            for fut in done:
                task = running.pop(fut)
                try:
                    yield fut.result()
                except BrokenProcessPool:
                    broken = True
                    yield _crashed(task, "worker process died (killed or out of memory) while running this replication")
            if broken:  # every run still in the dead pool is lost: record them, start a fresh pool
                for task in running.values():
                    yield _crashed(task, "worker process pool broke while this replication was in flight")
                running.clear()
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._new_pool()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class DaskCluster:
    """Runs on an existing Dask distributed cluster (``distributed.Client(address)``).

    Each worker must be able to ``import sim`` (the same contactsim version) and to read any file the scenario refers
    to (forecasts, schedules); results travel back to the driver, which alone writes the store.
    """

    name = "dask"

    def __init__(self, address: str, timeout: float | None = None):
        timeout = DASK_CONNECT_TIMEOUT_S if timeout is None else timeout
        try:
            from distributed import Client
        except ImportError:
            raise InputError(DASK_MISSING) from None
        try:
            self.client = Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError(f"--dask: expected the address of a running Dask scheduler such as "
                             f"tcp://127.0.0.1:8786, got {address!r} ({exc})") from None
        self.address = address

    def threads(self) -> int:
        info = self.client.scheduler_info()
        return max(1, sum(w.get("nthreads", 1) for w in info.get("workers", {}).values()))

    def map_unordered(self, tasks: Iterable[RunTask]) -> Iterator[RunOutcome]:
        from distributed import as_completed

        todo = iter(tasks)
        limit = 2 * self.threads() + 2
        pending: dict = {}

        def submit(task: RunTask):
            fut = self.client.submit(execute, task, pure=False,
                                     key=f"contactsim-run-p{task.point}-r{task.replication}-{os.urandom(4).hex()}")
            pending[fut.key] = (fut, task)
            return fut

        for task in todo:
            submit(task)
            if len(pending) >= limit:
                break
        queue = as_completed([f for f, _ in pending.values()], loop=self.client.loop)
        for fut in queue:
            _, task = pending.pop(fut.key)
            try:
                yield fut.result()
            except Exception as exc:  # noqa: BLE001 — worker died, task lost: record it and go on
                yield _crashed(task, f"Dask could not run this replication: {type(exc).__name__}: {exc}")
            nxt = next(todo, None)
            if nxt is not None:
                queue.add(submit(nxt))
            fut.release()

    def close(self) -> None:
        self.client.close()


def make_backend(workers: int | None = None, dask: str | None = None):
    """The backend for ``--workers N`` / ``--dask ADDRESS`` (Dask wins when both are given)."""
    if dask:
        return DaskCluster(dask)
    n = default_workers() if workers is None else int(workers)
    if n < 1:
        raise InputError(f"--workers: expected an integer ≥ 1, got {workers}")
    return InProcess() if n == 1 else LocalProcesses(n)
