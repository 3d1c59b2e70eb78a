"""Figures of a calibration and a back-test, drawn from their tables only (never from the model).

Each function takes the CSV tables written by ``sim.calibrate.report`` / ``sim.calibrate.backtest`` (as DataFrames),
writes one PNG and returns its path. ``note`` is printed under the figure: the data source and its acknowledgement
(records of the Technion SEE Lab must be shown with "Avi Mandelbaum and the Technion SEE Lab" acknowledged).
"""
from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

OBS, FIT, ALT, SIM = "#444444", "#1f5fa8", "#c0392b", "#2e8b57"


def _finish(fig, path: str | Path, note: str) -> Path:
    if note:
        fig.text(0.01, 0.005, note, fontsize=7, color="#555555", ha="left", va="bottom")
    fig.tight_layout(rect=(0, 0.03 if note else 0, 1, 1))
    path = Path(path)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def arrival_profile_figure(counts: pd.DataFrame, profile: pd.DataFrame, path, note: str = "") -> Path:
    """Offered contacts per interval: each fitted day (thin lines) and the fitted mean ± 2 se, per day type.

    ``counts``: date, day_type, interval_start_s, offered; ``profile``: day_type, interval_start_s, mean, se.
    """
    types = list(dict.fromkeys(profile["day_type"]))
    fig, axes = plt.subplots(len(types), 1, figsize=(9, 3.2 * len(types)), squeeze=False)
    for ax, t in zip(axes[:, 0], types):
        for _, day in counts[counts["day_type"] == t].groupby("date"):
            ax.step(day["interval_start_s"] / 3600, day["offered"], where="post", color=OBS, alpha=0.25, lw=0.7)
        p = profile[profile["day_type"] == t]
        h = p["interval_start_s"] / 3600
        ax.step(h, p["mean"], where="post", color=FIT, lw=2, label=f"fitted mean ({int(p['n_days'].iloc[0])} days)")
        ax.fill_between(h, p["mean"] - 2 * p["se"], p["mean"] + 2 * p["se"], step="post", color=FIT, alpha=0.2,
                        label="± 2 se")
        ax.plot([], [], color=OBS, alpha=0.5, lw=0.7, label="observed days")
        ax.set_title(f"offered contacts per interval — {t}")
        ax.set_xlim(0, 24)
        ax.set_xticks(range(0, 25, 3))
        ax.set_ylabel("contacts / interval")
        ax.grid(alpha=0.3)
        ax.legend(frameon=False, loc="upper left")
    axes[-1, 0].set_xlabel("hour of day")
    return _finish(fig, path, note)


def handle_time_figure(hist: pd.DataFrame, cdf: pd.DataFrame, path, note: str = "", title: str = "") -> Path:
    """Handle times: log-binned density and CDF, observed vs the mixture and the single lognormal."""
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4))
    a1.step(hist["bin_low_s"], hist["observed_density"], where="post", color=OBS, label="observed")
    a1.plot(hist["mid_s"], hist["mixture_density"], color=FIT, label="mixture (short + lognormal)")
    a1.plot(hist["mid_s"], hist["lognormal_density"], color=ALT, ls="--", label="one lognormal")
    a1.set_xscale("log")
    a1.set_yscale("log")
    a1.set_xlabel("handle time (s)")
    a1.set_ylabel("density (1/s)")
    a1.legend(frameon=False)
    a2.plot(cdf["handle_s"], cdf["observed_cdf"], color=OBS, drawstyle="steps-post", label="observed")
    a2.plot(cdf["handle_s"], cdf["mixture_cdf"], color=FIT, label="mixture")
    a2.plot(cdf["handle_s"], cdf["lognormal_cdf"], color=ALT, ls="--", label="one lognormal")
    a2.set_xscale("symlog", linthresh=10)
    a2.set_xlabel("handle time (s)")
    a2.set_ylabel("P(handle ≤ x)")
    a2.legend(frameon=False, loc="lower right")
    for a in (a1, a2):
        a.grid(alpha=0.3)
    fig.suptitle(title or "handle time of served contacts")
    return _finish(fig, path, note)


def patience_figure(km: pd.DataFrame, path, note: str = "", title: str = "") -> Path:
    """Kaplan–Meier survival of patience with its 95% band, and the exponential fit.

    ``km``: time_s, survival, lower, upper, exponential.
    """
    fig, ax = plt.subplots(figsize=(8, 4.2))
    ax.step(km["time_s"], km["survival"], where="post", color=OBS, label="Kaplan–Meier (served = censored)")
    ax.fill_between(km["time_s"], km["lower"], km["upper"], step="post", color=OBS, alpha=0.2, label="95% band")
    ax.plot(km["time_s"], km["exponential"], color=FIT, label="exponential (abandonments / exposure)")
    ax.set_xlim(0, float(np.quantile(km["time_s"], 0.99)))
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("time waiting in queue (s)")
    ax.set_ylabel("P(patience > t)")
    ax.set_title(title or "patience of queued callers")
    ax.grid(alpha=0.3)
    ax.legend(frameon=False)
    return _finish(fig, path, note)


def agents_figure(profile: pd.DataFrame, path, note: str = "") -> Path:
    """Agents seen serving (distinct names) and busy agents (busy seconds / interval), mean over the fitted days."""
    fig, ax = plt.subplots(figsize=(9, 3.6))
    h = profile["interval_start_s"] / 3600
    ax.step(h, profile["agents_seen_mean"], where="post", color=FIT, label="agents seen serving (distinct names)")
    ax.step(h, profile["busy_agents_mean"], where="post", color=ALT, label="busy agents (talk time / interval)")
    if "count" in profile:
        ax.step(h, profile["count"], where="post", color=OBS, ls=":", label="scenario count")
    ax.set_xlim(0, 24)
    ax.set_xticks(range(0, 25, 3))
    ax.set_xlabel("hour of day")
    ax.set_ylabel("agents")
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, loc="upper left")
    return _finish(fig, path, note)


BACKTEST_METRICS = (("abandon_rate", "abandonment rate"), ("mean_wait_s", "mean wait (s)"),
                    ("sl_offered", "service level (≤ target / offered)"))


def backtest_figure(per_interval: pd.DataFrame, errors: pd.DataFrame, path, note: str = "", title: str = "") -> Path:
    """Observed vs simulated (95% CI) vs Erlang A per interval of the test days, and MAE per model and metric.

    ``per_interval``: date, interval_start_s, observed_<m>, sim_<m>, sim_<m>_low, sim_<m>_high, erlang_a_<m>
    (and optionally erlang_a_raw_<m>); ``errors``: metric, model, mae, bias.
    """
    df = per_interval.reset_index(drop=True)
    x = np.arange(len(df))
    fig, axes = plt.subplots(len(BACKTEST_METRICS) + 1, 1, figsize=(12, 11))
    starts = df.index[df["date"] != df["date"].shift()].tolist()
    for ax, (m, label) in zip(axes, BACKTEST_METRICS):
        ax.plot(x, df[f"observed_{m}"], "o", ms=2.5, color=OBS, label="observed")
        ax.plot(x, df[f"sim_{m}"], color=SIM, lw=1.2, label="simulation (calibrated)")
        ax.fill_between(x, df[f"sim_{m}_low"], df[f"sim_{m}_high"], color=SIM, alpha=0.25, label="simulation 95% CI")
        ax.plot(x, df[f"erlang_a_{m}"], color=FIT, lw=1, ls="--", label="Erlang A (same availability)")
        if f"erlang_a_raw_{m}" in df:
            ax.plot(x, df[f"erlang_a_raw_{m}"], color=ALT, lw=1, ls=":", label="Erlang A (raw agents seen)")
        for s in starts:
            ax.axvline(s, color="#999999", lw=0.6)
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        ax.set_xlim(-1, len(df))
    axes[0].legend(frameon=False, ncol=3, fontsize=8, loc="upper left")
    axes[len(BACKTEST_METRICS) - 1].set_xticks(starts)
    axes[len(BACKTEST_METRICS) - 1].set_xticklabels([str(df["date"][s]) for s in starts], rotation=30, fontsize=7)
    for ax in axes[:len(BACKTEST_METRICS) - 1]:
        ax.set_xticks(starts)
        ax.set_xticklabels([])
    ax = axes[-1]
    models = list(dict.fromkeys(errors["model"]))
    metrics = [m for m, _ in BACKTEST_METRICS]
    width = 0.8 / max(len(models), 1)
    for k, model in enumerate(models):
        e = errors[errors["model"] == model].set_index("metric")
        rel = [e.at[m, "mae"] / max(abs(e.at[m, "observed_mean"]), 1e-9) if m in e.index else np.nan for m in metrics]
        colour = {"simulation": SIM, "Erlang A (availability)": FIT, "Erlang A (raw agents)": ALT}.get(model)
        ax.bar(np.arange(len(metrics)) + k * width, rel, width=width, label=model, color=colour)
    ax.set_xticks(np.arange(len(metrics)) + width * (len(models) - 1) / 2)
    ax.set_xticklabels([label for _, label in BACKTEST_METRICS])
    ax.set_ylabel("MAE / observed mean")
    ax.grid(alpha=0.3, axis="y")
    ax.legend(frameon=False, fontsize=8)
    fig.suptitle(title or "back-test: test days interval by interval")
    return _finish(fig, path, note)
