"""Figures of the reproducible studies in experiments/, drawn from their result tables only."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

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
