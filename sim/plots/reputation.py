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


def _clock(ax, hours_max: float) -> None:
    """Clock-time ticks (hours from the run's start, which starts a day): 00:00 … or d2 08:00 past the first day."""
    step = 3 if hours_max <= 30 else 12
    ticks = np.arange(0, hours_max + 1e-9, step)
    ax.set_xticks(ticks, [(f"d{int(t // 24) + 1} " if hours_max > 24 else "") + f"{int(t % 24):02d}:00"
                          for t in ticks])


def ledger_figure(reputation: pd.DataFrame, title: str = "Reputation through the day (mean over replications)"):
    """Three panels against the clock time of the interval, summed over channels and averaged over replications:
    customers lost (contacting + silent majority, cumulative) and won; the share of complaint views that saw the
    complaint unanswered with the visible unanswered complaints; impressions by thread state (secondary)."""
    centre = reputation.groupby(["replication", "interval_start_at_s"]).sum(numeric_only=True)
    m = centre.groupby(level="interval_start_at_s").mean()
    hours = m.index.to_numpy(float) / 3600.0
    width = float(np.median(np.diff(hours))) if len(hours) > 1 else 0.5
    fig, (ax0, ax2, ax) = plt.subplots(3, 1, figsize=(9, 9), sharex=True, gridspec_kw={"height_ratios": [2, 1.4, 2]})
    if "customers_lost" in m:
        ax0.plot(hours + width, np.cumsum(m["customers_lost"]), color="#c0392b", lw=2,
                 label=f"customers lost so far ({m['customers_lost'].sum():,.0f} in all)")
        ax0.plot(hours + width, np.cumsum(m["customers_won"]), color="#27ae60", lw=2,
                 label=f"customers won so far ({m['customers_won'].sum():,.0f})")
        ax0.plot(hours + width, np.cumsum(m["silent_churned"]), color="#c0392b", ls=":",
                 label="of the lost: silent majority")
        ax0.set_ylabel("customers (cumulative)")
        ax0.legend(fontsize=8, loc="upper left")
        ax0.grid(alpha=0.3)
    ax0.set_title(title)
    share = m["complaint_views_unanswered"] / m["complaint_views"].where(m["complaint_views"] > 0) \
        if "complaint_views" in m else pd.Series(np.nan, index=m.index)
    ax2.step(hours, 100 * share.to_numpy(float), where="post", color="#c0392b",
             label="% of complaint views that saw it unanswered")
    ax2.axhline(50, color="black", lw=0.8, ls="--", alpha=0.6)
    ax2.text(hours[0] if len(hours) else 0, 51, " half the viewers", fontsize=8)
    ax2.set_ylim(0, 100)
    ax2.set_ylabel("% of complaint\nviews unanswered")
    ax2b = ax2.twinx()
    ax2b.step(hours, m["visible_unanswered_complaints"], where="post", color="#7f8c8d", alpha=0.7)
    ax2b.set_ylabel("unanswered public\ncomplaints (grey)", color="#7f8c8d")
    ax2.legend(fontsize=8, loc="upper left")
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
    ax.set_ylabel("impressions per interval\n(secondary; negative below 0)")
    ax.legend(fontsize=7, ncol=2, loc="upper left")
    ax.set_xlabel("clock time")
    _clock(ax, float(hours[-1] + width) if len(hours) else 24.0)
    fig.tight_layout()
    return fig


def write_reputation_figure(reputation: pd.DataFrame, out_dir: Path) -> Path:
    fig = ledger_figure(reputation)
    path = Path(out_dir) / "reputation_ledger.png"
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path


def reputation_vs_delay_figure(points: pd.DataFrame, expectations: pd.DataFrame | None = None):
    """What a slow social team costs, readable at a glance: x is the social channel's median first response (minutes,
    log scale; each point labelled with its team size). Top: customers lost and won per day (95% CIs), with the
    share of complainers who expect a reply by then drawn on the same axis (``expectations``: one column per
    distribution, indexed by minutes). Bottom: money per day — customer value lost and won, the replies'
    willingness to pay, their sum (revenue_net) and revenue_net after the team's cost. Target lines at 1 h (42% of
    complainers expect a reply by then) and 4 h.

    Columns of ``points``: ``agents``, ``median_first_response_min``, and ``<name>``, ``<name>_lo``, ``<name>_hi``
    for customers_lost, customers_won, revenue_net, customer_value_lost, customer_value_won, reply_value, cost."""
    p = points.sort_values("median_first_response_min")
    x = p["median_first_response_min"].to_numpy(float)
    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(8.5, 9), sharex=True, gridspec_kw={"height_ratios": [1, 1]})

    def band(a, name, label, colour, style="o-"):
        y, lo, hi = (p[c].to_numpy(float) for c in (name, f"{name}_lo", f"{name}_hi"))
        a.errorbar(x, y, yerr=[y - lo, hi - y], fmt=style, color=colour, capsize=3, label=label)
        return y

    lost = band(ax, "customers_lost", "customers lost per day (contacting + silent majority)", "#c0392b")
    band(ax, "customers_won", "customers won per day (good word of mouth)", "#27ae60")
    last = -np.inf
    for xi, yi, n in sorted(zip(x, lost, p["agents"]), reverse=True):  # slowest first; skip labels that would touch
        if abs(np.log(xi) - last) > 0.35:
            ax.annotate(f"{int(n)} agents", (xi, yi), textcoords="offset points", xytext=(5, 5), fontsize=8)
            last = np.log(xi)
    ax.set_ylabel("customers per day")
    ax.set_ylim(bottom=0)
    if expectations is not None:
        axe = ax.twinx()
        styles = {"convince_convert": ("-", "Convince & Convert / Edison (default)"), "lithium": ("--", "Lithium"),
                  "nm_incite": (":", "NM Incite")}
        for col in expectations:
            ls, label = styles.get(col, ("-.", col))
            axe.plot(expectations.index, expectations[col] * 100, ls, color="#7f8c8d", lw=1.2,
                     label=f"% expecting a reply by then: {label}")
        axe.set_ylim(0, 100)
        axe.set_ylabel("% of complainers expecting a reply\nwithin that time (grey)", color="#7f8c8d")
        axe.legend(fontsize=7, loc="center right")
    ax.legend(fontsize=8, loc="upper left")
    for a in (ax, ax2):
        for t, label in ((60.0, "1 h"), (240.0, "4 h")):
            a.axvline(t, color="black", lw=0.8, ls="--", alpha=0.6)
            a.text(t, 0.98, f" {label}", transform=a.get_xaxis_transform(), fontsize=8, va="top")
        a.grid(alpha=0.3)

    band(ax2, "revenue_net", "revenue_net (won − lost + replies)", "black")
    band(ax2, "customer_value_won", "customer value won", "#27ae60", "s--")
    y = p["customer_value_lost"].to_numpy(float)
    ax2.plot(x, -y, "v--", color="#c0392b", label="− customer value lost")
    band(ax2, "reply_value", "replies' willingness to pay", "#2980b9", "^--")
    ax2.plot(x, p["revenue_net"].to_numpy(float) - p["cost"].to_numpy(float), "o:", color="#8e44ad",
             label="revenue_net − social team cost")
    ax2.axhline(0, color="grey", lw=0.6)
    ax2.set_ylabel("money per day (currency of value_per_customer)")
    ax2.legend(fontsize=8, loc="lower right")
    ax2.set_xscale("log")
    ax2.set_xlim(left=min(1.0, x.min() * 0.8), right=max(48 * 60.0, x.max() * 1.2))
    ticks = [1, 5, 15, 60, 240, 1440]
    ax2.set_xticks(ticks, ["1 min", "5 min", "15 min", "1 h", "4 h", "24 h"])
    ax2.set_xlabel("median first reply of the social team (log scale)")
    ax.set_title("What a slow social reply costs the brand, per day (95% CIs over replications)")
    fig.tight_layout()
    return fig
