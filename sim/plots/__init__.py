"""Figures from result tables only (never the model): intraday volumes and service level of a run."""
from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from sim.plots.intraday import intraday_figure

# Figures are written to files: the non-interactive Agg backend on any machine. Every plotting module is in this
# package, so this runs before any of them draws (pyplot picks its backend only when the first figure is made).
plt.switch_backend("Agg")


def write_run_figures(intervals: pd.DataFrame, summary: pd.DataFrame, out_dir: Path) -> list[Path]:
    """One intraday figure per channel (offered/answered/abandoned and service level by clock time)."""
    paths = []
    for channel, df in intervals.groupby("channel", observed=True):
        fig = intraday_figure(df, title=f"{channel}: intraday profile (mean over replications)")
        path = Path(out_dir) / f"intraday_{channel}.png"
        fig.savefig(path, dpi=110, bbox_inches="tight")
        plt.close(fig)
        paths.append(path)
    return paths
