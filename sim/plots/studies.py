"""Figures of the reproducible studies in experiments/, drawn from their result tables only."""
from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
import pandas as pd

LABELS = {"sl_offered": "service level (answered ≤ 20 s / offered)", "asa_s": "ASA (s, answered calls)",
          "abandon_rate": "abandonment rate", "occupancy": "occupancy"}


def staffing_curve_figure(table: pd.DataFrame, metrics=("sl_offered", "asa_s", "abandon_rate", "occupancy")):
    """Simulated mean with 95% CI against agents, beside exact Erlang A and Erlang C (columns ``erlang_a``,
    ``erlang_c``; one row per agents × metric)."""
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.2 * len(metrics), 3.8))
    for ax, m in zip(axes, metrics):
        d = table[table["metric"] == m].sort_values("agents")
        ax.errorbar(d["agents"], d["mean"], yerr=[d["mean"] - d["ci_low"], d["ci_high"] - d["mean"]], fmt="o",
                    color="#1f5fa8", capsize=3, label="simulated (95% CI)")
        ax.plot(d["agents"], d["erlang_a"], "-", color="#2c7a3f", label="Erlang A (exact)")
        ax.plot(d["agents"], d["erlang_c"], "--", color="#c0392b", label="Erlang C (no abandonment)")
        ax.set_xlabel("agents")
        ax.set_title(LABELS.get(m, m), fontsize=10)
        ax.grid(alpha=0.3)
        if m == "asa_s":
            ax.set_ylim(0, max(d["mean"].max(), d["erlang_a"].max()) * 2.5)
    axes[0].legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return fig


def _band(ax, d, x, color, label, marker="o"):
    """Mean line with its 95% CI as a shaded band."""
    ax.plot(d[x], d["mean"], marker=marker, ms=3.5, color=color, label=label)
    ax.fill_between(d[x], d["ci_low"], d["ci_high"], color=color, alpha=0.18, lw=0)


def concurrency_tradeoff_figure(table: pd.DataFrame, needed: pd.DataFrame, target: float, within_min: float):
    """The concurrency study (``experiments/concurrency_tradeoff.py``): share answered within the target, median
    first response and mean resolution time against team size, one line per concurrency k (95% CI bands), and the
    agents each k needs beside the resolution time at that staffing. ``table``: one row per concurrency × agents ×
    metric (``mean, ci_low, ci_high``); ``needed``: one row per k (``agents_needed_ci``, ``resolution_mean_s`` …)."""
    ks = sorted(table["concurrency"].unique())
    colors = plt.cm.viridis([i / max(len(ks) - 1, 1) * 0.9 for i in range(len(ks))])
    fig, axes = plt.subplots(1, 4, figsize=(18, 4.0))
    panels = [("sl_offered", f"share of posts answered within {within_min:g} min", False),
              ("first_response_median_s", "median first response (min)", True),
              ("resolution_mean_s", "mean time to resolution (min)", True)]
    for ax, (metric, title, minutes) in zip(axes, panels):
        for k, c in zip(ks, colors):
            d = table[(table["metric"] == metric) & (table["concurrency"] == k)].sort_values("agents")
            if minutes:
                d = d.assign(**{col: d[col] / 60 for col in ("mean", "ci_low", "ci_high")})
            _band(ax, d, "agents", c, f"k = {k}")
        ax.set_xlabel("agents")
        ax.set_title(title, fontsize=10)
        ax.grid(alpha=0.3)
        if minutes:
            ax.set_yscale("log")
    axes[0].axhline(target, color="#c0392b", ls="--", lw=1, label=f"target {target:.0%}")
    axes[0].legend(frameon=False, fontsize=8)
    ax = axes[3]
    nd = needed.sort_values("concurrency")
    ax.bar(nd["concurrency"], nd["agents_needed_ci"], color="#9db7d5", label="agents needed (CI ≥ target)")
    ax.set_xlabel("concurrency k (conversations per agent)")
    ax.set_ylabel("agents")
    ax.set_title("agents needed, and resolution time with them", fontsize=10)
    ax2 = ax.twinx()
    ax2.errorbar(nd["concurrency"], nd["resolution_mean_s"] / 60,
                 yerr=[(nd["resolution_mean_s"] - nd["resolution_mean_s_ci_low"]) / 60,
                       (nd["resolution_mean_s_ci_high"] - nd["resolution_mean_s"]) / 60],
                 fmt="o-", color="#c0392b", capsize=3, label="mean resolution (min)")
    ax2.set_ylabel("mean time to resolution (min)", color="#c0392b")
    ax2.set_ylim(0, None)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, frameon=False, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)
    fig.tight_layout()
    return fig


def response_expectations_figure(table: pd.DataFrame, benchmarks=()):
    """The response-expectations study (``experiments/response_expectations.py``): share of complaints answered
    within 1 h and within 4 h against agents on duty, one line per desk design (95% CI bands), its ceiling from the
    desk's hours (dotted), and horizontal reference lines ``benchmarks`` = (window hours, share, label)."""
    designs = list(dict.fromkeys(table["design"]))
    colors = ["#1f5fa8", "#2c7a3f", "#8e44ad", "#d35400"]
    fig, axes = plt.subplots(1, 2, figsize=(12.5, 4.4), sharey=True)
    for ax, w in zip(axes, (1, 4)):
        metric = f"within_{w}h"
        for design, c in zip(designs, colors):
            d = table[(table["metric"] == metric) & (table["design"] == design)].sort_values("agents")
            _band(ax, d, "agents", c, f"desk {design}")
            cap = d["ceiling"].dropna()
            if len(cap) and cap.iloc[0] < 0.999:
                ax.axhline(cap.iloc[0], color=c, ls=":", lw=1.2, label=f"ceiling of desk {design}: {cap.iloc[0]:.0%}")
        for (_w, share, label), ls in zip([b for b in benchmarks if b[0] == w], ("--", "-.", "--")):
            ax.axhline(share, color="#c0392b", ls=ls, lw=1, label=label)
        ax.set_xlabel("agents on duty while the desk is open")
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.set_title(f"complaints answered within {w} h", fontsize=10)
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.3)
        ax.legend(frameon=False, fontsize=7, loc="lower right")
    axes[0].set_ylabel("share of complaints (mean, 95% CI)")
    fig.tight_layout()
    return fig


FUNNEL_LABELS = {
    "time_to_human_median_min": "median time to a human (min)", "reached_human_share": "share who reached a human",
    "resolved_share": "share resolved by midnight", "resolved_within_2h_share": "share resolved within 2 h",
    "time_to_resolution_median_min": "median time to resolution (min)",
    "transfers_per_customer": "transfers per customer", "contacts_per_customer": "contacts made per customer",
    "line_min_per_customer": "minutes on the line per customer", "cost": "staffing cost per day",
    "cost_per_resolved": "staffing cost per resolved customer", "net_reputation_per_day": "net reputation per day",
    "revenue_at_risk_per_day": "revenue at risk per day (churn)"}


def funnel_vs_social_figure(table: pd.DataFrame, metrics):
    """The funnel-versus-social study (``experiments/funnel_vs_social.py``): each metric against the share of the
    population choosing social (0: the phone funnel, 1: direct social), one line per staffing budget (95% CI bands).
    ``table``: one row per budget × share × metric (``mean, ci_low, ci_high``)."""
    budgets = sorted(table["budget"].unique())
    colors = ["#1f5fa8", "#c0392b", "#2c7a3f"]
    ncol = 3
    nrow = -(-len(metrics) // ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(5.0 * ncol, 3.7 * nrow), squeeze=False)
    for ax, m in zip(axes.ravel(), metrics):
        for b, c in zip(budgets, colors):
            d = table[(table["metric"] == m) & (table["budget"] == b)].sort_values("share_social")
            finite = d[np.isfinite(d["mean"].to_numpy(float))]
            _band(ax, finite, "share_social", c, f"budget {b:g}× the phone rota")
        ax.set_title(FUNNEL_LABELS.get(m, m), fontsize=10)
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1])
        ax.set_xticklabels(["0\n(a) phone", "0.25", "0.5\n(c) blend", "0.75", "1\n(b) social"], fontsize=8)
        ax.grid(alpha=0.3)
        if m.endswith("_min"):
            ax.set_yscale("log")
        if m == "net_reputation_per_day":
            ax.axhline(0, color="black", lw=0.6)
        if "exact" in table:
            ex = table[(table["metric"] == m) & table["exact"].notna()]
            if len(ex):
                ax.plot(ex["share_social"], ex["exact"], "k*", ms=9, label="direct social, unlimited staff (exact)")
                ax.legend(frameon=False, fontsize=8, loc="upper right")
    for ax in axes.ravel()[len(metrics):]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("share of customers choosing social")
    axes[0, 0].legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return fig
