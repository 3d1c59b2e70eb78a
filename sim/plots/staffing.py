"""Staffing figures from tables only: the requirement by simulation beside the Erlang formulas, the roster, the check.

Input tables are those ``contactsim staff`` writes: ``requirements.csv`` (one row per interval × group with the
columns erlang_c, erlang_a, sqrt_hw, mol_erlang_a, simulated), ``roster.csv`` (seated, rostered, at_work per cell) and
``check.csv`` (estimate, se, target, violated per interval × target).
"""
from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

STYLE = {
    "erlang_c": ("Erlang C (SIPP)", "#c0392b", "--", 1.2),
    "erlang_a": ("Erlang A (SIPP)", "#e67e22", "-.", 1.2),
    "sqrt_hw": ("square-root (Halfin–Whitt β)", "#8e44ad", ":", 1.0),
    "mol_erlang_a": ("Erlang A at modified offered load", "#16a085", ":", 1.4),
    "simulated": ("simulation (ISA + CRN search)", "#1f3a93", "-", 2.4),
}


def _hours(df: pd.DataFrame) -> np.ndarray:
    return df["interval_start_at_s"].to_numpy(float) / 3600.0


def _step(ax, x, y, width, **kw):
    ax.step(np.append(x, x[-1] + width), np.append(y, y[-1]), where="post", **kw)


def plot_requirements(table: pd.DataFrame, roster: pd.DataFrame | None, path: str | Path,
                      evaluation: pd.DataFrame | None = None, start_clock_h: float | None = None) -> Path:
    """Per group: agents required per interval by each method (top), simulated − formula (middle), and — when a
    check evaluation is given — the simulated service level per interval with 95% error bars against the target."""
    groups = list(dict.fromkeys(table["group"]))
    panels = 3 if evaluation is not None else 2
    fig, axes = plt.subplots(panels, len(groups), figsize=(10 * len(groups), 3.2 * panels + 1.5), squeeze=False,
                             sharex="col", gridspec_kw={"height_ratios": [3, 1.6, 1.8][:panels]})
    for k, g in enumerate(groups):
        t = table[table["group"] == g].sort_values("interval_start_at_s")
        x = _hours(t)
        width = float(np.median(np.diff(x))) if len(x) > 1 else 0.5
        ax = axes[0, k]
        for col, (label, color, ls, lw) in STYLE.items():
            if col in t:
                _step(ax, x, t[col].to_numpy(float), width, color=color, ls=ls, lw=lw, label=label)
        if roster is not None:
            r = roster[(roster["group"] == g) & roster["interval_start_at_s"].isin(t["interval_start_at_s"])]
            r = r.sort_values("interval_start_at_s")
            _step(ax, _hours(r), r["at_work"].to_numpy(float), width, color="#7f8c8d", lw=1.0,
                  label="shift plan: rostered heads at work (shrinkage on top)")
        ax.set_ylabel("agents")
        ax.set_title(f"{g}: agents required per interval")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, ncol=2, loc="upper right")
        ax2 = axes[1, k]
        w = width / 3
        for j, col in enumerate(("erlang_c", "erlang_a", "mol_erlang_a")):
            if col in t:
                label, color, _, _ = STYLE[col]
                ax2.bar(x + j * w, (t["simulated"] - t[col]).to_numpy(float), width=w, align="edge", color=color,
                        label=f"simulated − {label}")
        ax2.axhline(0, color="black", lw=0.8)
        ax2.set_ylabel("difference (agents)")
        ax2.legend(fontsize=8, ncol=3, loc="lower right")
        ax2.grid(alpha=0.3)
        if evaluation is not None:
            ax3 = axes[2, k]
            e = evaluation[(evaluation["group"] == g) & evaluation["metric"].str.startswith("sl_")]
            e = e.dropna(subset=["estimate"]).sort_values("interval_start_at_s")
            xe = _hours(e) + width / 2
            ax3.errorbar(xe, e["estimate"], yerr=1.96 * e["se"].fillna(0), fmt="o", ms=3, color="#1f3a93",
                         label="service level on fresh replications (95% CI)")
            bad = e[e["violated"]] if "violated" in e else e.iloc[0:0]
            if len(bad):
                ax3.plot(_hours(bad) + width / 2, bad["estimate"], "x", color="#c0392b", ms=8,
                         label="target violated (Holm)")
            if len(e):
                ax3.axhline(float(e["target"].iloc[0]), color="#c0392b", ls="--", lw=1, label="target")
            ax3.set_ylabel("service level")
            ax3.legend(fontsize=8, loc="lower right")
            ax3.grid(alpha=0.3)
        every = max(1, len(x) // 12)
        axes[-1, k].set_xticks(x[::every], list(t["clock"])[::every], rotation=45 if len(x) > 30 else 0)
        axes[-1, k].set_xlabel("interval start")
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path
