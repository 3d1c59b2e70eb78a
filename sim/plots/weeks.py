"""Week-by-week figure of a study over weeks (sim.weeks.study.per_week tables only: no model import)."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

PANELS = (("lost", "customers lost per week (bad experiences)", None),
          ("won", "customers won per week (word of mouth)", None),
          ("delay_social_s", "social first response, daily mean (min)", 60.0),
          ("active", "customers at the week's end", None))


def weeks_figure(weeks: pd.DataFrame, path: Path, title: str, target_min: float = 60.0) -> Path:
    """One line per design, mean over replications with the range of replications shaded."""
    fig, axes = plt.subplots(1, len(PANELS), figsize=(16, 3.8))
    for ax, (col, label, target) in zip(axes, PANELS):
        scale = 1 / 60 if col.endswith("_s") else 1.0
        for design, g in weeks.groupby("design", sort=False):
            by = g.groupby("week")[col]
            x = by.mean().index + 1
            ax.plot(x, by.mean() * scale, marker="o", label=design)
            ax.fill_between(x, by.min() * scale, by.max() * scale, alpha=0.15)
        if target is not None:
            ax.axhline(target_min, color="k", ls="--", lw=1, label=f"tolerance {target_min:g} min")
        ax.set_xlabel("week")
        ax.set_title(label, fontsize=10)
        ax.set_xticks(sorted(weeks["week"].unique() + 1))
    axes[0].legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
