"""The planner's intraday view: contacts offered, answered and abandoned per interval of the day, and service level."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

DAY = 86400.0


def by_time_of_day(intervals: pd.DataFrame) -> pd.DataFrame:
    """Interval counts folded onto the clock (seconds since t = 0, modulo a day) and averaged per replication-day."""
    df = intervals.assign(tod_s=np.mod(intervals["interval_start_at_s"], DAY),
                          day=np.floor(intervals["interval_start_at_s"] / DAY))
    cols = ["offered", "answered", "abandoned", "answered_within_target"]
    per_day = df.groupby(["replication", "day", "tod_s"], observed=True)[cols].sum().reset_index()
    out = per_day.groupby("tod_s")[cols].mean()
    with np.errstate(invalid="ignore", divide="ignore"):
        out["sl_offered"] = out["answered_within_target"] / out["offered"]
    return out.reset_index()


def intraday_figure(intervals: pd.DataFrame, title: str = ""):
    prof = by_time_of_day(intervals)
    hours = prof["tod_s"] / 3600
    width = (prof["tod_s"].diff().median() if len(prof) > 1 else 1800) / 3600
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(9, 6), sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    ax1.bar(hours, prof["offered"], width=width, align="edge", color="#c9d6e8", label="offered")
    ax1.step(hours, prof["answered"], where="post", color="#1f5fa8", label="answered")
    ax1.step(hours, prof["abandoned"], where="post", color="#c0392b", label="abandoned")
    ax1.set_ylabel("contacts per interval")
    ax1.legend(loc="upper left", frameon=False)
    ax1.set_title(title)
    ax2.step(hours, prof["sl_offered"], where="post", color="#1f5fa8")
    ax2.set_ylim(0, 1.02)
    ax2.set_ylabel("service level\n(answered in time / offered)")
    ax2.set_xlabel("hour of day")
    ax2.set_xlim(0, 24)
    ax2.set_xticks(range(0, 25, 3))
    for ax in (ax1, ax2):
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
