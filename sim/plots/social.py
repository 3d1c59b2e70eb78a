"""Figures of the social and email channels, drawn from result tables only (never the model).

- ``backlog_figure(intervals, channels)``: through the day, posts offered, the backlog (posts awaiting a first response, time
  average per interval) and the first response time of posts arriving in each interval.
- ``concurrency_figure(table)``: concurrency k against first response time and agent load, from a table with one row
  per (k, channel, metric) and a CI (``sim.social.study.concurrency_table``, or a sweep's ``point_summary``).
"""
from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

DAY = 86400.0
SUMS = ["offered", "responded", "answered_within_target", "first_response_sum_s", "backlog_s", "length_s"]


def conversation_channels(contacts: pd.DataFrame) -> list[str]:
    """The social and email channels of a run (their contacts have a post kind)."""
    if "kind" not in contacts:
        return []
    return sorted(map(str, contacts.loc[contacts["kind"].notna(), "channel"].astype(object).unique()))


def by_time_of_day(intervals: pd.DataFrame, channel: str) -> pd.DataFrame:
    """One channel's interval sums folded onto the clock and averaged per replication-day, with ratios:
    ``mean_backlog`` (posts awaiting a first response), ``first_response_mean_min``, ``sl_offered``."""
    df = intervals[intervals["channel"] == channel]
    df = df.assign(tod_s=np.mod(df["interval_start_at_s"], DAY), day=np.floor(df["interval_start_at_s"] / DAY))
    per_day = df.groupby(["replication", "day", "tod_s"], observed=True)[SUMS].sum().reset_index()
    out = per_day.groupby("tod_s")[SUMS].mean()
    with np.errstate(invalid="ignore", divide="ignore"):
        out["mean_backlog"] = out["backlog_s"] / out["length_s"]
        out["first_response_mean_min"] = out["first_response_sum_s"] / out["responded"] / 60
        out["sl_offered"] = out["answered_within_target"] / out["offered"]
    return out.reset_index()


def backlog_figure(intervals: pd.DataFrame, channels: list[str], title: str = ""):
    """Posts offered, backlog and first response time by time of day (mean over replications), one line per
    channel."""
    fig, (ax1, ax2, ax3) = plt.subplots(3, 1, figsize=(9, 8), sharex=True, gridspec_kw={"height_ratios": [2, 2, 2]})
    for ch in channels:
        prof = by_time_of_day(intervals, ch)
        hours = prof["tod_s"] / 3600
        ax1.step(hours, prof["offered"], where="post", label=ch)
        ax2.step(hours, prof["mean_backlog"], where="post", label=ch)
        ax3.step(hours, prof["first_response_mean_min"], where="post", label=ch)
    ax1.set_ylabel("posts offered\nper interval")
    ax1.legend(loc="upper left", frameon=False)
    ax1.set_title(title or "Backlog and first response through the day (mean over replications)")
    ax2.set_ylabel("backlog\n(awaiting a first reply)")
    ax3.set_ylabel("first response (min)\nby arrival interval")
    ax3.set_xlabel("hour of day")
    ax3.set_xlim(0, 24)
    ax3.set_xticks(range(0, 25, 3))
    for ax in (ax1, ax2, ax3):
        ax.grid(alpha=0.3)
        ax.set_ylim(bottom=0)
    fig.tight_layout()
    return fig


def concurrency_figure(table: pd.DataFrame, channel: str, group: str | None = None, x: str = "concurrency",
                       title: str = ""):
    """First response time (mean and 90th percentile, with 95% CIs) and, for ``group``, occupancy and mean open
    conversations, against concurrency k. ``table``: columns ``x, channel, metric, mean, ci_low, ci_high``."""
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(7, 6.5), sharex=True)
    t = table[table["channel"] == channel]
    for metric, label, color in (("first_response_mean_s", "mean", "#1f5fa8"),
                                 ("first_response_p90_s", "90th percentile", "#c0392b")):
        m = t[t["metric"] == metric].sort_values(x)
        if len(m):
            ax1.errorbar(m[x], m["mean"] / 60, yerr=[(m["mean"] - m["ci_low"]) / 60, (m["ci_high"] - m["mean"]) / 60],
                         marker="o", capsize=3, color=color, label=label)
    ax1.set_ylabel("first response (min)")
    ax1.legend(frameon=False)
    ax1.set_title(title or f"{channel}: concurrency against response time")
    if group is not None:
        g = table[table["channel"] == f"agents.{group}"]
        for metric, label, color, ax in (("occupancy", "occupancy", "#1f5fa8", ax2),
                                         ("open_conversations", "mean open conversations", "#7f8c8d", None)):
            m = g[g["metric"] == metric].sort_values(x)
            if ax is None:
                ax = ax2.twinx()
                ax.set_ylabel(label)
            if len(m):
                ax.errorbar(m[x], m["mean"], yerr=[m["mean"] - m["ci_low"], m["ci_high"] - m["mean"]], marker="s",
                            capsize=3, color=color, label=label)
        ax2.set_ylabel("occupancy")
        ax2.set_ylim(0, 1.02)
        handles = [h for a in fig.axes[1:] for h in a.get_legend_handles_labels()[0]]
        ax2.legend(handles, [h.get_label() for h in handles], loc="upper left", frameon=False)
    ax2.set_xlabel("conversations per agent (k)")
    ax2.set_xticks(sorted(table[x].unique()))
    for ax in (ax1, ax2):
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def write_social_figures(intervals: pd.DataFrame, contacts: pd.DataFrame, out_dir: str | Path) -> list[Path]:
    """The backlog figure of a run, when it has social or email channels."""
    channels = conversation_channels(contacts)
    if not channels:
        return []
    fig = backlog_figure(intervals, channels)
    path = Path(out_dir) / "social_backlog.png"
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return [path]
