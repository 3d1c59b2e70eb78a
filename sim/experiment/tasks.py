"""Studies whose measures are per customer (not per-replication summaries) run their own task lists: each task's rows
are written to ``folder/taskNNNN.parquet`` by ``simulate(tasks, reps, folder)``, in this process or in forked workers
that take every workers-th task. Nothing but the task list crosses a process boundary."""
from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable
from pathlib import Path

import pandas as pd


def run_tasks(simulate: Callable[[list, int, Path], None], tasks: list, reps: int, workers: int,
              folder: Path) -> pd.DataFrame:
    """Every task's rows (tasks are tuples whose first item is the task number)."""
    if workers <= 1:
        simulate(tasks, reps, folder)
    else:
        ctx = mp.get_context("fork")
        procs = [ctx.Process(target=simulate, args=(tasks[w::workers], reps, folder), daemon=True)
                 for w in range(workers)]
        for p in procs:
            p.start()
        for p in procs:
            p.join()
        bad = [p.exitcode for p in procs if p.exitcode != 0]
        if bad:
            raise RuntimeError(f"a worker process failed (exit codes {bad}); run with --workers 1 to see why")
    return pd.concat([pd.read_parquet(Path(folder) / f"task{t[0]:04d}.parquet") for t in tasks], ignore_index=True)
