"""Rolling back-test over the Anonymous Bank months: train on one month, predict the next, for every pair.

Records courtesy of Avi Mandelbaum and the Technion SEE Lab ("Anonymous Bank", 1999).

    python experiments/rolling_backtest.py --data ../shared/data/anonymous-bank-1999 --out out/rolling

Stages (each pair's tables are written as soon as they are done; a rerun skips finished pairs, so an interrupted run
keeps its results):
1. every consecutive pair, each test weekday predicted from its own volumes and agents seen (``actual``);
2. the same from the training month's weekday profile (``forecast``);
3. the ablation on ``--ablation-pairs`` (default: every consecutive pair): each enrichment switched off in turn,
   ``refit`` off (the fit of the data's first month used for the test month instead of the previous month's), and
   day-to-day availability variation, priority credit and patience by class switched on (``plus_*``); every
   variant with the same seed (common random numbers). After each pair, ``ablation_paired.csv`` / ``.md`` hold
   each variant's MAE minus the full model's, paired by test day with a 95% interval (``sim.calibrate.ablation``),
   and the goal per test month; variants identical to the full model by construction are not run (``no_pools``
   without a pool in the training month, ``no_refit`` when training on the first month);
4. the drift table (the parameters of every training month's fit, from the pairs' train_*.csv) and the figures in
   ``plots/``.

Slow on a shared 2-core machine (about 4 minutes per pair at 20 replications); ``--replications`` and
``--pairs`` make it shorter.
"""
from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibrate.month_model import FULL
from sim.calibrate.rolling import goal_check, load_month, month_files, rolling_markdown, run_rolling

ENRICHMENTS = ("hourly_availability", "hourly_handle", "pools", "patience_shape")
ADDITIONS = ("day_variation", "priority_credit", "patience_class")  # off in the full model: switched on in turn


def _load(files, cache):
    for f in files:
        if f not in cache:
            cache[f] = load_month(f)
    return [cache[f] for f in files]


def skip_variant(label: str, pair, kw: dict, first, cache: dict) -> bool:
    """Variants that are the full model by construction on this pair are not run: ``no_pools`` when the training
    month has no skill pool, ``no_refit`` when the training month is the data's first month."""
    if label == "no_refit":
        return Path(pair[0]) == Path(first)
    if label == "no_pools":
        from sim.calibrate.pools import find_pools

        train = _load([pair[0]], cache)[0]
        return not find_pools(train.calls, train.weekdays).types
    return False


def write_paired(out: Path) -> None:
    """ablation_paired.csv / .md: each variant's MAE minus the full model's, paired by test day (see
    ``sim.calibrate.ablation``)."""
    from sim.calibrate.ablation import goal_by_variant, goal_markdown, paired_differences, paired_markdown

    table = paired_differences(out / "actual")
    if table.empty:
        return
    table.to_csv(out / "ablation_paired.csv", index=False, float_format="%.6g")
    goal = goal_by_variant(out / "actual")
    goal.to_csv(out / "ablation_goal.csv", index=False, float_format="%.4g")
    (out / "ablation_paired.md").write_text(paired_markdown(table) + "\n\n" + goal_markdown(goal) + "\n")


def drift_table(out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each training month's fit as written by its pair (train_hourly.csv, train_patience_by_class.csv,
    train_pools.csv): one row per month, and the hourly curves of every month."""
    rows, hourly = [], []
    for folder in sorted((out / "actual" / "full").glob("*__*")):
        month = folder.name.split("__")[0]
        h = pd.read_csv(folder / "train_hourly.csv")
        cls = pd.read_csv(folder / "train_patience_by_class.csv").set_index("class")
        pools = pd.read_csv(folder / "train_pools.csv")
        g = h[(h["pool"] == "general") & h["availability"].notna()]
        w = g["offered"] / g["offered"].sum()
        row = {"month": month, "availability_mean": float((g["availability"] * w).sum()),
               "handle_mean_s": float((g["handle_mean_s"] * g["served"]).sum() / g["served"].sum()),
               "offered": int(cls["offered"].sum()),
               "abandon_share": float((cls["abandon_rate"] * cls["offered"]).sum() / cls["offered"].sum()),
               "patience_class1_s": cls["patience_mean_s"].get(1, np.nan),
               "patience_class2_s": cls["patience_mean_s"].get(2, np.nan),
               "pools": ",".join(sorted(set(pools["pool"]) - {"general"})) or "none",
               "pool_agents": int(pools.loc[pools["pool"] != "general", "dedicated_agents"].sum())}
        for hour in (8, 10, 13, 15, 17):
            r = g[g["hour"] == hour]
            row[f"availability_{hour:02d}h"] = float(r["availability"].iloc[0]) if len(r) else np.nan
            row[f"handle_{hour:02d}h_s"] = float(r["handle_mean_s"].iloc[0]) if len(r) else np.nan
        rows.append(row)
        hourly.append(h.assign(month=month))
    return pd.DataFrame(rows), pd.concat(hourly, ignore_index=True)


def _tables(out: Path, mode: str, label: str = "full") -> pd.DataFrame:
    found = [pd.read_csv(f) for f in sorted((out / mode / label).glob(f"*/table_{mode}.csv"))]
    return pd.concat(found, ignore_index=True) if found else pd.DataFrame()


def _markdown(frame: pd.DataFrame, digits: int = 3) -> str:
    cols = list(frame.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in frame.itertuples(index=False):
        lines.append("| " + " | ".join(f"{v:.{digits}g}" if isinstance(v, float) else str(v) for v in r) + " |")
    return "\n".join(lines)


def report(out: Path, plots: Path) -> None:
    """Figures (plots/) and markdown tables (out/report.md) from the finished tables only."""
    from sim.calibrate.scenario_writer import ACKNOWLEDGEMENT
    from sim.plots.calibration import hourly_fit_figure, rolling_by_hour_figure, rolling_goal_figure

    note = ACKNOWLEDGEMENT
    plots.mkdir(parents=True, exist_ok=True)
    parts = ["# Rolling back-test", "", note, ""]
    actual = _tables(out, "actual")
    goal = goal_check(actual)
    parts += ["## Rolling table (actual volumes)", "", rolling_markdown(actual), "", "## Goal", "",
              _markdown(goal), ""]
    per = pd.concat([pd.read_csv(f) for f in sorted((out / "actual" / "full").glob("*/per_interval_actual.csv"))],
                    ignore_index=True)
    rolling_by_hour_figure(per[per["scored"]], plots / "calibration_rolling_by_hour.png", note)
    rolling_goal_figure(goal, plots / "calibration_rolling_goal.png", note)
    fc = _tables(out, "forecast")
    if not fc.empty:
        keep = fc[fc["model"].isin(["sim", "erlang_a", "erlang_a_raw"])]
        parts += ["## Forecast volumes", "", _markdown(keep[["train", "test", "measure", "model", "mae", "bias",
                                                            "coverage", "daily_mae"]]), ""]
    ab_dirs = sorted(d.name for d in (out / "actual").iterdir() if d.name != "full")
    if ab_dirs:
        rows = []
        for label in ab_dirs:
            t = _tables(out, "actual", label)
            if t.empty:
                continue
            for r in t[t["model"] == "sim"].itertuples():
                rows.append({"variant": label, "test": r.test, "measure": r.measure, "mae": r.mae,
                             "bias": r.bias, "crps": r.crps, "coverage": r.coverage})
        ab = pd.DataFrame(rows)
        wide = ab.pivot_table(index="variant", columns="measure", values="mae").reset_index()
        parts += ["## Ablation (simulation MAE)", "", _markdown(wide, 4), "", _markdown(ab, 4), ""]
        if (out / "ablation_paired.md").is_file():
            parts += ["## Ablation, paired by test day (variant − full model)", "",
                      (out / "ablation_paired.md").read_text(), ""]
    if (out / "drift.csv").is_file():
        drift = pd.read_csv(out / "drift.csv")
        parts += ["## Drift", "", _markdown(drift, 3), ""]
        hourly = pd.read_csv(out / "drift_hourly.csv")
        hourly = hourly[(hourly["hour"] >= 7) & (hourly["hour"] <= 23) & (hourly["pool"] == "general")]
        hourly_fit_figure(hourly, plots / "calibration_hourly_fit.png", note)
    (out / "report.md").write_text("\n".join(parts) + "\n")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", default=str(Path(__file__).resolve().parents[1] / "sim" / "data"),
                   help="folder of month files (default: the months shipped in sim/data)")
    p.add_argument("--out", default="out/rolling")
    p.add_argument("--replications", type=int, default=20)
    p.add_argument("--forecast-replications", type=int, default=10)
    p.add_argument("--ablation-replications", type=int, default=10)
    p.add_argument("--ablation-pairs", default="all",
                   help='"all" (every consecutive pair) or pairs such as 07_July:09_September,09_September:10_October')
    p.add_argument("--ablation-variants", default="all", help='"all" or names such as no_pools,plus_priority_credit')
    p.add_argument("--stages", default="actual,forecast,ablation,drift,report")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--months", help="only these months (file-name prefixes, e.g. 06,07,09,10)")
    p.add_argument("--plots", default=str(Path(__file__).resolve().parents[1] / "plots"))
    args = p.parse_args()
    files = month_files(args.data)
    first = files[0] if files else None  # "refit" off: every test month predicted from the data's first month
    if args.months:  # a consecutive run of months, e.g. 06,07,09,10 (to split the work between processes)
        keep = args.months.split(",")
        files = [f for f in files if f.name.split("_")[0] in keep]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    cache: dict = {}
    stages = args.stages.split(",")
    if "actual" in stages:
        t = run_rolling(files, out, args.replications, args.seed, "actual", cache=cache)
        t.to_csv(out / "rolling_actual.csv", index=False, float_format="%.6g")
        goal_check(t).to_csv(out / "goal.csv", index=False, float_format="%.4g")
        (out / "rolling_actual.md").write_text(rolling_markdown(t) + "\n")
    if "forecast" in stages:
        t = run_rolling(files, out, args.forecast_replications, args.seed, "forecast", cache=cache)
        t.to_csv(out / "rolling_forecast.csv", index=False, float_format="%.6g")
    if "ablation" in stages:
        by_stem = {f.stem.split(".")[0]: f for f in files}
        reps, parts = args.ablation_replications, []
        pairs = ([[a, b] for a, b in zip(files[:-1], files[1:])] if args.ablation_pairs == "all" else
                 [[by_stem[x] for x in pair.split(":")] for pair in args.ablation_pairs.split(",")])
        variants = {"full_ablation": {}, **{f"no_{n}": {"switches": replace(FULL, **{n: False})} for n in ENRICHMENTS},
                    "no_refit": {"fit_first": first},
                    **{f"plus_{n}": {"switches": replace(FULL, **{n: True})} for n in ADDITIONS}}
        if args.ablation_variants != "all":
            variants = {k: v for k, v in variants.items() if k in args.ablation_variants.split(",")}
        for chosen in pairs:
            for label, kw in variants.items():
                if skip_variant(label, chosen, kw, first, cache):
                    continue
                parts.append(run_rolling(chosen, out, reps, args.seed, cache=cache, label=label, bootstrap=0, **kw))
            # after every pair: the tables so far, and the paired differences (nothing is lost if stopped)
            pd.concat(parts, ignore_index=True).to_csv(out / "ablation.csv", index=False, float_format="%.6g")
            write_paired(out)
    if "drift" in stages:
        drift, hourly = drift_table(out)
        drift.to_csv(out / "drift.csv", index=False, float_format="%.4g")
        hourly.to_csv(out / "drift_hourly.csv", index=False, float_format="%.5g")
    if "report" in stages:
        report(out, Path(args.plots))
    print(f"wrote {out}/")


if __name__ == "__main__":
    main()
