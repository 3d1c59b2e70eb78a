"""Experiments on top of single runs: replications to a precision, warm-up, paired comparison, sweeps on all cores
or a Dask cluster into a resumable store, and reports. See docs/experiments.md.

    from sim.experiment import Sweep, run_sweep, load, point_summary, compare, run_to_precision

Names are imported on first use, so a worker process that only needs ``sim.experiment.backends`` does not load the
store (pyarrow), the analysis or the report.
"""
from __future__ import annotations

import importlib

_HOME = {
    "failures": "analysis", "load": "analysis", "load_kept": "analysis", "manifest": "analysis",
    "point_summary": "analysis", "Comparison": "compare", "compare": "compare", "HEADLINE_METRICS": "precision",
    "PrecisionRun": "precision", "Warmup": "precision", "auto_warmup": "precision", "mser5_warmup": "precision",
    "run_to_precision": "precision", "SweepOutcome": "runner", "run_sweep": "runner", "coverage_band": "stats",
    "mser5": "stats", "mser5_detail": "stats", "paired_difference": "stats", "summarize": "stats",
    "t_interval": "stats", "Sweep": "sweep", "design_points": "sweep", "load_sweep": "sweep",
    "differences": "paired", "neighbour_pairs": "paired",
}
__all__ = sorted(_HOME)


def __getattr__(name: str):
    if name in _HOME:
        value = getattr(importlib.import_module(f"sim.experiment.{_HOME[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'sim.experiment' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOME))
