"""Figures of experiments, drawn from result tables only (never the model): a metric against a swept parameter with
95% CIs, per-replication spread, paired differences, and the precision trace of a replication search."""
from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
import pandas as pd


def metric_curve(summary: pd.DataFrame, x: str, metric: str, channel: str | None = None, group: str | None = None,
                 title: str | None = None, ax=None):
    """Mean of ``metric`` against parameter ``x`` with 95% CI bars; one line per ``group`` value (another
    parameter) and channel. ``summary`` has one row per design point, channel and metric (``point_summary``)."""
    df = summary[summary["metric"] == metric]
    if channel is not None:
        df = df[df["channel"] == channel]
    fig = None
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.4, 4.0))
    keys = ["channel"] + ([group] if group else [])
    for key, g in df.groupby(keys, sort=True, observed=True):
        key = key if isinstance(key, tuple) else (key,)
        g = g.sort_values(x)
        parts = [str(key[0])] + [str(k) if "=" in str(k) else f"{group}={k}" for k in key[1:]]
        label = ", ".join(parts)
        yerr = np.vstack([g["mean"] - g["ci_low"], g["ci_high"] - g["mean"]])
        yerr = np.where(np.isnan(yerr), 0.0, yerr)
        ax.errorbar(g[x], g["mean"], yerr=yerr, marker="o", ms=4, capsize=3, label=label)
    if pd.api.types.is_integer_dtype(df[x]):
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.set_xlabel(x)
    ax.set_ylabel(f"{metric} (mean, 95% CI)")
    ax.set_title(title if title is not None else f"{metric} by {x}")
    ax.grid(alpha=0.3)
    if df[keys].drop_duplicates().shape[0] > 1:
        ax.legend(fontsize=8)
    return fig if fig is not None else ax.figure


def replication_spread(table: pd.DataFrame, x: str, metric: str, channel: str | None = None,
                       title: str | None = None, ax=None):
    """Every replication's value of ``metric`` at each value of ``x`` (a tidy sweep table), as a box plot: shows how
    much one day varies around the mean."""
    df = table[table["metric"] == metric]
    if channel is not None:
        df = df[df["channel"] == channel]
    fig = None
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.4, 4.0))
    xs = sorted(df[x].dropna().unique())
    data = [df.loc[df[x] == v, "value"].dropna().to_numpy() for v in xs]
    ax.boxplot(data, tick_labels=[f"{v:g}" if isinstance(v, (int, float, np.number)) else str(v) for v in xs])
    ax.set_xlabel(x)
    ax.set_ylabel(f"{metric} per replication")
    ax.set_title(title if title is not None else f"{metric}: spread across replications")
    ax.grid(alpha=0.3, axis="y")
    return fig if fig is not None else ax.figure


def comparison_chart(table: pd.DataFrame, title: str = "B − A (paired, 95% CI), relative to A", ax=None):
    """Paired differences B − A of a comparison table, each as a percentage of A's mean with its CI; significant
    differences are filled, others hollow."""
    df = table[np.isfinite(table["mean_a"].astype(float)) & (table["mean_a"].astype(float) != 0)].copy()
    fig = None
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.4, 0.35 * max(len(df), 3) + 1.2))
    base = df["mean_a"].abs().to_numpy(float)
    rel = 100 * df["diff"].to_numpy(float) / base
    lo = 100 * df["diff_ci_low"].to_numpy(float) / base
    hi = 100 * df["diff_ci_high"].to_numpy(float) / base
    y = np.arange(len(df))
    labels = [f"{c} {m}" for c, m in zip(df["channel"], df["metric"])]
    err = np.nan_to_num(np.vstack([rel - lo, hi - rel]))
    sig = df["significant"].to_numpy(bool)
    ax.errorbar(rel[sig], y[sig], xerr=err[:, sig], fmt="o", color="C3", capsize=3, label="significant")
    ax.errorbar(rel[~sig], y[~sig], xerr=err[:, ~sig], fmt="o", mfc="white", color="C0", capsize=3,
                label="not significant")
    ax.axvline(0, color="k", lw=0.8)
    ax.set_yticks(y, labels)
    ax.set_xlabel("difference, % of A's mean")
    ax.set_title(title)
    ax.grid(alpha=0.3, axis="x")
    ax.legend(fontsize=8, loc="best")
    return fig if fig is not None else ax.figure


def precision_trace(history: pd.DataFrame, precision: float, ax=None):
    """Worst relative CI half-width over the headline metrics as replications are added, with the target."""
    fig = None
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.4, 3.6))
    h = history[np.isfinite(history["worst_rel_half_width"])]
    ax.plot(h["replications"], h["worst_rel_half_width"], marker=".")
    ax.axhline(precision, color="C3", ls="--", label=f"target {precision:.0%}")
    ax.set_xlabel("replications")
    ax.set_ylabel("worst relative half-width")
    ax.set_yscale("log")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return fig if fig is not None else ax.figure
