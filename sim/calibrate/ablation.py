"""The ablation read as paired differences: each variant's interval MAE minus the full model's, test day by test day.

Every variant of a pair predicts the same test days with the same seed, so its replications meet the same callers
as the full model's where the variant leaves the scenario's random streams alone (common random numbers); the
replication noise they share cancels in the difference. The test days are the blocks: for a variant v against the
base b, day d with n_d scored intervals and sums of absolute errors S_v,d and S_b,d,

    D = Σ_d (S_v,d − S_b,d) / Σ_d n_d        (exactly MAE_v − MAE_b over the pair's scored intervals)

and its standard error is the cluster (ratio) estimator over days, se² = m/(m − 1) · Σ_d e_d² / (Σ_d n_d)² with
e_d = S_v,d − S_b,d − D·n_d and m days; the 95% interval is D ± t(0.975, m − 1)·se. Pooled rows ("all") use the
days of every pair that ran the variant as blocks. A negative difference means the variant predicts better.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

MEASURES = ("abandon_rate", "mean_wait_s", "sl_offered")
BASE = "full_ablation"


def day_blocks(base: pd.DataFrame, variant: pd.DataFrame, measure: str) -> pd.DataFrame:
    """Per test day: the scored intervals both predict (n) and each one's sum of absolute errors there."""
    key = ["date", "interval_start_s"]
    cols = [*key, "scored", f"observed_{measure}", f"sim_{measure}"]
    j = base[cols].merge(variant[[*key, f"sim_{measure}"]], on=key, suffixes=("_base", "_variant"))
    y = j[f"observed_{measure}"]
    eb, ev = (j[f"sim_{measure}_base"] - y).abs(), (j[f"sim_{measure}_variant"] - y).abs()
    ok = j["scored"].astype(bool) & eb.notna() & ev.notna()
    g = pd.DataFrame({"date": j["date"][ok], "s_base": eb[ok], "s_variant": ev[ok]}).groupby("date")
    out = g.sum()
    out["n"] = g.size()
    return out.reset_index()


def paired_summary(blocks: pd.DataFrame) -> dict:
    """D, its se and 95% interval, and the base MAE, from per-day rows with n, s_base, s_variant."""
    from scipy import stats

    n, sb, sv = (blocks[c].to_numpy(float) for c in ("n", "s_base", "s_variant"))
    tot = n.sum()
    d = (sv - sb).sum() / tot
    m = len(n)
    e = sv - sb - d * n
    se = float(np.sqrt(m / (m - 1) * (e ** 2).sum()) / tot) if m > 1 else np.nan
    half = float(stats.t.ppf(0.975, m - 1)) * se if m > 1 else np.nan
    base = sb.sum() / tot
    return {"days": m, "intervals": int(tot), "base_mae": base, "variant_mae": sv.sum() / tot, "difference": d,
            "se": se, "ci_low": d - half, "ci_high": d + half, "relative": d / base if base > 0 else np.nan}


def paired_differences(actual: Path, base: str = BASE) -> pd.DataFrame:
    """Per variant, pair and measure (and pooled over pairs: ``pair = "all"``): the paired MAE difference against
    ``base``, from the ``<variant>/<train>__<test>/per_interval_actual.csv`` files under ``actual``."""
    actual = Path(actual)
    frames: dict = {}
    wanted = {"date", "interval_start_s", "scored", *(f"{k}_{m}" for k in ("sim", "observed") for m in MEASURES)}
    for f in sorted(actual.glob("*/*__*/per_interval_actual.csv")):
        variant, pair = f.parent.parent.name, f.parent.name
        if variant != "full":  # the rolling table's own runs (other replications) are not a variant
            frames[(variant, pair)] = pd.read_csv(f, usecols=lambda c: c in wanted)
    rows, pooled = [], {}
    for (variant, pair), fv in frames.items():
        if variant == base or (base, pair) not in frames:
            continue
        for m in MEASURES:
            blocks = day_blocks(frames[(base, pair)], fv, m)
            if blocks.empty:
                continue
            pooled.setdefault((variant, m), []).append(blocks.assign(pair=pair))
            rows.append({"variant": variant, "pair": pair, "measure": m, **paired_summary(blocks)})
    for (variant, m), parts in pooled.items():
        blocks = pd.concat(parts, ignore_index=True)
        rows.append({"variant": variant, "pair": "all", "measure": m, "pairs": len(parts), **paired_summary(blocks)})
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    out["pairs"] = out["pairs"].fillna(1).astype(int) if "pairs" in out else 1
    return out.sort_values(["variant", "pair", "measure"], key=lambda c: c.map(_order) if c.name == "pair" else c,
                           ignore_index=True)


def _order(pair: str) -> str:
    return "~" if pair == "all" else pair  # pooled rows last


def paired_markdown(table: pd.DataFrame) -> str:
    """One row per variant and pair: the MAE difference against the full model on each measure, 95% interval in
    brackets and relative change; a mark where the interval excludes 0."""
    lines = ["| variant | train → test | days | abandonment Δ MAE | mean wait Δ MAE (s) | SL Δ MAE |",
             "|---|---|---|---|---|---|"]
    for (variant, pair), g in table.groupby(["variant", "pair"], sort=False):
        v = g.set_index("measure")
        cells = []
        for m in MEASURES:
            if m not in v.index:
                cells.append("")
                continue
            r = v.loc[m]
            f = ".2f" if m == "mean_wait_s" else ".4f"
            sig = " **\\***" if r["ci_low"] > 0 or r["ci_high"] < 0 else ""
            cells.append(f"{r['difference']:+{f}} [{r['ci_low']:+{f}}, {r['ci_high']:+{f}}] "
                         f"({r['relative']:+.1%}){sig}")
        label = "all pairs" if pair == "all" else pair.replace("__", " → ")
        if pair == "all":
            label += f" ({int(v['pairs'].iloc[0])})"
        lines.append(f"| {variant} | {label} | {int(v['days'].iloc[0])} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def goal_by_variant(actual: Path) -> pd.DataFrame:
    """The goal per test month (``sim.calibrate.rolling.goal_check``) for every variant that ran on it, from the
    variants' own tables (their replications: the simulation's MAE carries the replication noise of an R-run mean,
    so at few replications the ratios are pessimistic, and a 5–95% band of R runs covers at most about
    (R − 1)/(R + 1) of an exactly right model's outcomes)."""
    from sim.calibrate.rolling import goal_check

    parts = []
    for f in sorted(Path(actual).glob("*/*__*/table_actual.csv")):
        variant = f.parent.parent.name
        if variant != "full":
            parts.append(goal_check(pd.read_csv(f)).assign(variant=variant))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def goal_markdown(goal: pd.DataFrame) -> str:
    """Per test month: the full model's MAE against the noise floor and the strong baseline on each measure, the
    variant with the lowest worst ratio to the strong baseline, and whether any variant meets the goal."""
    lines = ["| test month | variant | abandonment ×floor / ×strong | mean wait ×floor / ×strong | "
             "SL ×floor / ×strong | goal met (any variant) |", "|---|---|---|---|---|---|"]
    for test, g in goal.groupby("test", sort=True):
        worst = g.groupby("variant")["vs_strong_baseline"].max()
        shown = [BASE] + [v for v in [worst.idxmin()] if v != BASE]
        for v in shown:
            r = g[g["variant"] == v].set_index("measure")
            cells = [f"{r.at[m, 'vs_noise_floor']:.2f} / {r.at[m, 'vs_strong_baseline']:.2f}" if m in r.index else ""
                     for m in MEASURES]
            label = "full model" if v == BASE else f"{v} (closest to ≤ 0.9 × strong)"
            met = "yes" if g.groupby("variant")["met"].all().any() else "no"
            lines.append(f"| {test} | {label} | " + " | ".join(cells) + f" | {met if v == BASE else ''} |")
    return "\n".join(lines)
