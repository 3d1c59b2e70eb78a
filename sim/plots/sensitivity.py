"""The figure of a sensitivity analysis (``contactsim sensitivity``), drawn from its tidy table only: a tornado (the
metric with each driver at the low and the high end of its range, the others at the middle) beside Morris μ*–σ
(with μ*'s bootstrap 95% CI) and, for the drivers Sobol was run on, first-order and total indices with CIs."""
from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd


def _short(key: str) -> str:
    parts = key.split(".")
    return ".".join(parts[-3:]) if len(parts) > 3 else key


def sensitivity_figure(table: pd.DataFrame, metric: str, path: str | Path) -> Path:
    """Write the three panels to ``path`` (PNG) and return it."""
    t = table.sort_values("morris_rank", ascending=False)
    sob = table.dropna(subset=["S1"]).sort_values("morris_rank")
    panels = 3 if len(sob) else 2
    fig, axes = plt.subplots(1, panels, figsize=(5.2 * panels, 0.45 * len(t) + 2.6))
    ax = axes[0]
    base = float(t["base"].iloc[0])
    y = np.arange(len(t))
    for yi, (lo, hi) in zip(y, zip(t["effect_low"], t["effect_high"])):
        ax.barh(yi, lo - base, left=base, color="#1f5fa8", height=0.6)
        ax.barh(yi, hi - base, left=base, color="#c0392b", height=0.6)
    ax.axvline(base, color="black", lw=0.8, label=f"all at middle: {base:.3g}")
    if min(t["effect_low"].min(), t["effect_high"].min(), base) < 0 < max(t["effect_low"].max(),
                                                                           t["effect_high"].max(), base):
        ax.axvline(0, color="grey", lw=0.8, ls="--", label="no difference")
    ax.set_yticks(y, [_short(k) for k in t["driver"]], fontsize=8)
    ax.set_xlabel(metric)
    ax.set_title("tornado: driver at low (blue) / high (red) end", fontsize=10)
    ax.legend(frameon=False, fontsize=8, loc="lower right")
    ax.grid(axis="x", alpha=0.3)

    ax = axes[1]
    err = [t["mu_star"] - t["mu_star_ci_low"], t["mu_star_ci_high"] - t["mu_star"]]
    ax.errorbar(t["mu_star"], t["sigma"], xerr=err, fmt="o", color="#1f5fa8", capsize=3)
    for _, r in t.iterrows():
        ax.annotate(_short(r["driver"]), (r["mu_star"], r["sigma"]), fontsize=7, xytext=(3, 3),
                    textcoords="offset points")
    top = max(float(t["mu_star_ci_high"].max()), float(t["sigma"].max()), 1e-12)
    ax.plot([0, top], [0, top], ls=":", color="grey", lw=0.8, label="σ = μ* (interactions / non-linearity)")
    ax.set_xlabel("μ*: mean |change| over the driver's range (95% CI)")
    ax.set_ylabel("σ")
    ax.set_title("Morris screening", fontsize=10)
    ax.legend(frameon=False, fontsize=8)
    ax.grid(alpha=0.3)

    if len(sob):
        ax = axes[2]
        x = np.arange(len(sob))
        for off, name, color in ((-0.18, "S1", "#1f5fa8"), (0.18, "ST", "#c0392b")):
            ax.bar(x + off, sob[name], width=0.36, color=color, label=name,
                   yerr=[sob[name] - sob[f"{name}_ci_low"], sob[f"{name}_ci_high"] - sob[name]], capsize=3)
        ax.set_xticks(x, [_short(k) for k in sob["driver"]], fontsize=8, rotation=15)
        ax.set_ylabel("share of variance")
        ax.set_title("Sobol indices on the top drivers (95% bootstrap CI)", fontsize=10)
        ax.axhline(0, color="black", lw=0.6)
        ax.legend(frameon=False, fontsize=8)
        ax.grid(axis="y", alpha=0.3)
    fig.suptitle(f"Sensitivity of {metric}", fontsize=11)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
