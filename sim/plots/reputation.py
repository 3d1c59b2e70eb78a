"""Reputation figures from result tables only: the intraday ledger of a run, and reputation against response delay."""
from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

STATES = {"unanswered_complaint": ("unanswered complaints", "#c0392b"),
          "unanswered_question": ("unanswered questions", "#e67e22"),
          "answered": ("answered", "#2980b9"), "resolved": ("resolved", "#27ae60"), "praise": ("praise", "#8e44ad"),
          "word_of_mouth_bad": ("word of mouth, bad", "#7f8c8d"),
          "word_of_mouth_good": ("word of mouth, good", "#95a5a6")}


def ledger_figure(reputation: pd.DataFrame, title: str = "Reputation ledger (mean over replications)"):
    """Impressions by thread state per interval (stacked; negative states below zero) and the cumulative net
    sentiment, summed over channels and averaged over replications, against the clock time of the interval."""
    centre = reputation.groupby(["replication", "interval_start_at_s"]).sum(numeric_only=True)
    m = centre.groupby(level="interval_start_at_s").mean()
    hours = m.index.to_numpy(float) / 3600.0
    width = float(np.median(np.diff(hours))) if len(hours) > 1 else 0.5
    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(9, 6.5), sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    up, down = np.zeros(len(m)), np.zeros(len(m))
    for state, (label, colour) in STATES.items():
        col = f"impressions_{state}"
        if col not in m or not np.any(m[col].to_numpy() > 0):
            continue
        v = m[col].to_numpy(float)
        negative = state.startswith("unanswered") or state.endswith("bad")
        base = down if negative else up
        ax.bar(hours, -v if negative else v, width=width, bottom=-base if negative else base, align="edge",
               color=colour, label=label)
        base += v
    ax.axhline(0, color="black", lw=0.6)
    ax.set_ylabel("impressions per interval\n(negative states below 0)")
    ax.legend(fontsize=8, ncol=2, loc="upper left")
    ax.set_title(title)
    ax2.plot(hours + width, m["cumulative_net_reputation"], color="black", label="cumulative net reputation")
    ax2.axhline(0, color="grey", lw=0.6)
    ax2b = ax2.twinx()
    ax2b.step(hours, m["visible_unanswered_complaints"], where="post", color="#c0392b", alpha=0.7,
              label="visible unanswered complaints")
    ax2.set_ylabel("cumulative net reputation\n(net sentiment so far)")
    ax2b.set_ylabel("unanswered public\ncomplaints (mean)", color="#c0392b")
    ax2.set_xlabel("hours since the start of the run")
    return fig


def write_reputation_figure(reputation: pd.DataFrame, out_dir: Path) -> Path:
    fig = ledger_figure(reputation)
    path = Path(out_dir) / "reputation_ledger.png"
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path


def reputation_vs_delay_figure(points: pd.DataFrame):
    """One row per social team size: the median first response (minutes) with its CI on x; on four panels, each with
    its CI: net reputation, revenue at risk, the team's cost, and the net cost (cost + revenue at risk − the replies'
    willingness to pay), all per day.

    Columns: ``agents``, and for each of ``delay_min``, ``net_reputation``, ``revenue_at_risk``, ``cost``,
    ``net_cost``: ``<name>``, ``<name>_lo``, ``<name>_hi``."""
    p = points.sort_values("delay_min")
    x, xlo, xhi = (p[c].to_numpy(float) for c in ("delay_min", "delay_min_lo", "delay_min_hi"))
    panels = (("net_reputation", "net reputation per day\n(sentiment-weighted impressions)", "#2c3e50"),
              ("revenue_at_risk", "revenue at risk per day\n(silent churn)", "#c0392b"),
              ("cost", "social team cost per day", "#2980b9"),
              ("net_cost", "net cost per day\n(cost + revenue at risk\n− replies' willingness to pay)", "#8e44ad"))
    fig, axes = plt.subplots(len(panels), 1, figsize=(7.5, 11), sharex=True)
    for ax, (name, label, colour) in zip(axes, panels):
        y, lo, hi = (p[c].to_numpy(float) for c in (name, f"{name}_lo", f"{name}_hi"))
        ax.errorbar(x, y, yerr=[y - lo, hi - y], xerr=[x - xlo, xhi - x], fmt="o-", color=colour, capsize=3)
        for xi, yi, n in zip(x, y, p["agents"]):
            ax.annotate(f"{int(n)}", (xi, yi), textcoords="offset points", xytext=(6, 4), fontsize=8)
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    axes[-1].set_xscale("log")
    axes[-1].set_xlabel("median first response on the social channel (minutes, log scale); labels: social agents")
    axes[0].set_title("Social channel: reputation against response delay (95% CIs over replications)")
    fig.tight_layout()
    return fig
