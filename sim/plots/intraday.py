"""The planner's intraday view: contacts offered, answered and abandoned per interval of the day, and service level."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

DAY = 86400.0


def by_time_of_day(intervals: pd.DataFrame, start_clock_s: float = 0.0) -> pd.DataFrame:
    """Interval counts folded onto the clock (seconds after midnight; t = 0 is ``start_clock_s`` after midnight) and
    averaged per replication-day."""
    clock = intervals["interval_start_at_s"] + start_clock_s
    df = intervals.assign(tod_s=np.mod(clock, DAY), day=np.floor(clock / DAY))
    cols = ["offered", "answered", "abandoned", "answered_within_target"]
    per_day = df.groupby(["replication", "day", "tod_s"], observed=True)[cols].sum().reset_index()
    out = per_day.groupby("tod_s")[cols].mean()
    with np.errstate(invalid="ignore", divide="ignore"):
        out["sl_offered"] = out["answered_within_target"] / out["offered"]
    return out.reset_index()


def clock_axis(ax, first_h: float = 0.0, last_h: float = 24.0) -> None:
    """Hours of the day as HH:00 ticks."""
    lo, hi = int(np.floor(first_h)), int(np.ceil(last_h))
    step = 1 if hi - lo <= 12 else 2 if hi - lo <= 24 else 3
    ticks = list(range(lo, hi + 1, step))
    ax.set_xlim(lo, hi)
    ax.set_xticks(ticks, [f"{t % 24:02d}:00" for t in ticks])
    ax.set_xlabel("clock time")


def intraday_figure(intervals: pd.DataFrame, title: str = "", start_clock_s: float = 0.0,
                    target: dict | None = None):
    """Offered, answered and abandoned per interval, and service level against its target (``service_level``,
    ``answer_within_s``), by clock time."""
    prof = by_time_of_day(intervals, start_clock_s)
    hours = prof["tod_s"] / 3600
    width = (prof["tod_s"].diff().median() if len(prof) > 1 else 1800) / 3600
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(9, 6), sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    ax1.bar(hours, prof["offered"], width=width, align="edge", color="#c9d6e8", label="offered")
    ax1.step(hours, prof["answered"], where="post", color="#1f5fa8", label="answered")
    ax1.step(hours, prof["abandoned"], where="post", color="#c0392b", label="abandoned")
    ax1.set_ylabel("contacts per interval")
    ax1.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=3, frameon=False)  # above the data, never on it
    fig.suptitle(title)
    ax2.step(hours, prof["sl_offered"], where="post", color="#1f5fa8", label="service level")
    if target is not None:
        ax2.axhline(target["service_level"], color="#c0392b", ls="--", lw=1.2,
                    label=f"target {100 * target['service_level']:g}% within {target['answer_within_s']:g} s")
        ax2.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=2, frameon=False)
    ax2.set_ylim(0, 1.02)
    ax2.set_ylabel("service level\n(answered in time / offered)")
    busy = prof.loc[prof["offered"] > 0, "tod_s"] / 3600
    clock_axis(ax2, float(busy.min()) if len(busy) else 0.0, float(busy.max()) + width if len(busy) else 24.0)
    for ax in (ax1, ax2):
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
