"""Experiments on top of single runs: replications to a precision, warm-up, paired comparison, sweeps on all cores
or a Dask cluster into a resumable store, and reports. See docs/experiments.md.

    from sim.experiment import Sweep, run_sweep, load, point_summary, compare, run_to_precision
"""
from sim.experiment.analysis import failures, load, load_kept, manifest, point_summary
from sim.experiment.compare import Comparison, compare
from sim.experiment.precision import HEADLINE_METRICS, PrecisionRun, Warmup, auto_warmup, mser5_warmup, run_to_precision
from sim.experiment.runner import SweepOutcome, run_sweep
from sim.experiment.stats import coverage_band, mser5, mser5_detail, paired_difference, summarize, t_interval
from sim.experiment.sweep import Sweep, design_points, load_sweep

__all__ = [
    "Comparison", "HEADLINE_METRICS", "PrecisionRun", "Sweep", "SweepOutcome", "Warmup", "auto_warmup", "compare",
    "coverage_band", "design_points", "failures", "load", "load_kept", "load_sweep", "manifest", "mser5", "mser5_detail",
    "mser5_warmup", "paired_difference", "point_summary", "run_sweep", "run_to_precision", "summarize", "t_interval",
]
