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


MEASURE_LABELS = {"abandon_rate": "abandonment share", "mean_wait_s": "mean wait, all callers (s)",
                  "sl_offered": "service level (≤ 20 s / offered)"}


def hourly_fit_figure(hourly: pd.DataFrame, path, note: str = "") -> Path:
    """Availability (implied by Erlang A) and mean handle time by hour of day, one line per month, with the 95%
    day-resampling interval of each. ``hourly``: month, hour, availability, ci_low, ci_high, handle_mean_s,
    ci_low_s, ci_high_s."""
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
    months = list(dict.fromkeys(hourly["month"]))
    colours = plt.cm.viridis(np.linspace(0, 0.9, len(months)))
    for colour, m in zip(colours, months):
        h = hourly[hourly["month"] == m].sort_values("hour")
        for ax, col, lo, hi in ((axes[0], "availability", "ci_low", "ci_high"),
                                (axes[1], "handle_mean_s", "ci_low_s", "ci_high_s")):
            ax.plot(h["hour"], h[col], "-o", ms=3, color=colour, label=m, lw=1.2)
            ax.fill_between(h["hour"], h[lo], h[hi], color=colour, alpha=0.12, lw=0)
    axes[0].set(title="availability of the agents seen serving, by hour", xlabel="hour of day",
                ylabel="share available (Erlang A implied)", ylim=(0, 1.05))
    axes[1].set(title="mean handle time by hour (calls answered in the hour)", xlabel="hour of day",
                ylabel="seconds")
    axes[0].legend(fontsize=7, ncol=3, loc="lower left")
    for ax in axes:
        ax.set_xticks(range(6, 25, 2))
        ax.set_xticklabels([f"{h:02d}:00" for h in range(6, 25, 2)], fontsize=7)
        ax.grid(alpha=0.3)
    return _finish(fig, path, note)


def rolling_by_hour_figure(per: pd.DataFrame, path, note: str = "") -> Path:
    """Interval MAE by hour of day over every test month: simulation, Erlang A (strong baseline and raw agents)
    and the simulation's noise floor, with the goal line 1.15 × noise floor. ``per``: the scored intervals of
    every pair (hour, observed_*, sim_*, erlang_a_*, erlang_a_raw_*, noise_floor_*_mae)."""
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.2))
    for ax, m in zip(axes, MEASURE_LABELS):
        g = per.assign(**{f"{k}_err": (per[f"{k}_{m}"] - per[f"observed_{m}"]).abs()
                          for k in ("sim", "erlang_a", "erlang_a_raw")}).groupby("hour")
        ax.plot(g.size().index, g["sim_err"].mean(), "-o", ms=3, color=SIM, label="simulation")
        ax.plot(g.size().index, g["erlang_a_err"].mean(), "-s", ms=3, color=FIT, label="Erlang A, fitted (strong)")
        ax.plot(g.size().index, g["erlang_a_raw_err"].mean(), ":", color=ALT, label="Erlang A, raw agents")
        floor = g[f"noise_floor_{m}_mae"].mean()
        ax.plot(floor.index, floor, "--", color=OBS, label="noise floor")
        ax.plot(floor.index, 1.15 * floor, ":", color=OBS, lw=0.8, label="goal: 1.15 × noise floor")
        ax.set(title=MEASURE_LABELS[m], xlabel="hour of day", ylabel="interval MAE")
        ax.set_xticks(range(6, 25, 3))
        ax.set_xticklabels([f"{h:02d}:00" for h in range(6, 25, 3)], fontsize=7)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7)
    return _finish(fig, path, note)


def rolling_goal_figure(goal: pd.DataFrame, path, note: str = "") -> Path:
    """Per test month and measure: simulation MAE / noise floor (goal ≤ 1.15), MAE / strong baseline (goal ≤ 0.9)
    and band coverage (goal ≥ 85%). ``goal``: sim.calibrate.rolling.goal_check."""
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.2))
    tests = list(dict.fromkeys(goal["test"]))
    x = np.arange(len(tests))
    width = 0.27
    for k, m in enumerate(MEASURE_LABELS):
        g = goal[goal["measure"] == m].set_index("test").reindex(tests)
        for ax, col in zip(axes, ("vs_noise_floor", "vs_strong_baseline", "coverage")):
            ax.bar(x + (k - 1) * width, g[col], width, label=MEASURE_LABELS[m],
                   color=(SIM, FIT, ALT)[k], alpha=0.8)
    for ax, title, line in zip(axes, ("simulation MAE / noise floor", "simulation MAE / strong Erlang A",
                                      "observed inside the 5–95% band"), (1.15, 0.9, 0.85)):
        ax.axhline(line, color="black", ls="--", lw=1, label=f"goal {line:g}")
        ax.set_xticks(x)
        ax.set_xticklabels([t.split("_")[-1][:3] for t in tests], fontsize=8)
        ax.set(title=title, xlabel="test month")
        ax.set_ylim(0, max(ax.get_ylim()[1], line) * 1.3)
        ax.grid(alpha=0.3, axis="y")
    axes[0].legend(fontsize=7, ncol=2, loc="upper left")
    return _finish(fig, path, note)
