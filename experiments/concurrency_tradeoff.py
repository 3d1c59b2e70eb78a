"""Study 3 — the concurrency trade-off on a social desk: agents who hold k conversations at once need fewer colleagues
to answer posts quickly, but every message they write takes longer (× (1 + 0.18·(m − 1)) with m conversations open,
Goes, Ilk, Lin & Zhao 2018, "When more is less"), so conversations take longer to resolve.

System: scenarios/study_social_desk.toml — 20 posts/h around the clock, 3–6 agent messages per conversation (2 min
each before the slowdown), customers thinking a median 3 min between messages, 10% going quiet after each message
(closed after 1 h), every post answered first come first served; target: 90% first replies within 60 min.
A sweep over team size × concurrency k = 1..5 (common random numbers: every design point meets the same posts),
3-day replications after a 6 h warm-up. For each k the study reports the fewest agents meeting the target — both the
fewest whose mean share meets it and the fewest whose whole 95% CI does, at that team size and at every larger one —
and the response time, resolution time, occupancy and cost at that staffing.

    .venv/bin/python experiments/concurrency_tradeoff.py [--quick] [--out plots] [--workers N]

Writes OUT/concurrency_tradeoff.csv (every design point and metric, mean and 95% CI), OUT/concurrency_needed.csv
(per k: agents needed and what that staffing gives) and OUT/concurrency_tradeoff.png; prints the second table.
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import pandas as pd

import sim
from sim.experiment import Sweep, load, paired_difference, point_summary, run_sweep
from sim.plots.studies import concurrency_tradeoff_figure

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "study_social_desk.toml"
K = "agents.social.concurrency"
N = "agents.social.count"
# (channel, metric) kept from every run: the social channel's service and the social team's load
METRICS = {("social", m) for m in ("sl_offered", "first_response_mean_s", "first_response_median_s",
                                   "first_response_p90_s", "resolution_mean_s", "resolution_median_s",
                                   "resolution_p90_s", "resolved_share", "silent_share", "cost_per_resolved",
                                   "offered")}
METRICS |= {("agents.social", "occupancy"), ("agents.social", "open_conversations")}


def study(quick: bool, workers: int | None, store: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Mean and 95% CI of every kept metric per (concurrency, agents), and the per-replication values."""
    teams = [3, 5, 8, 12, 16] if quick else list(range(2, 19))
    fixed = {"run.horizon": "1d", "run.warmup": "2h"} if quick else {}
    sweep = Sweep.build(SCENARIO, {K: [1, 2, 3, 4, 5], N: teams, **fixed}, replications=3 if quick else 20, seed=2018,
                        name="concurrency trade-off")
    run_sweep(sweep, store, workers=workers, quiet=True, resume=True)
    runs = load(store)
    runs = runs[[(c, m) in METRICS for c, m in zip(runs["channel"], runs["metric"])]]
    s = point_summary(runs).rename(columns={K: "concurrency", N: "agents"})
    s = s[["concurrency", "agents", "channel", "metric", "mean", "ci_low", "ci_high", "half_width", "n"]] \
        .sort_values(["metric", "concurrency", "agents"]).reset_index(drop=True)
    return s, runs.rename(columns={K: "concurrency", N: "agents"})


def fewest_meeting(sl: pd.DataFrame, column: str, target: float) -> float:
    """The fewest agents from which ``column`` (the share answered within the target) stays ≥ ``target`` at every
    larger team size of the sweep; NaN if even the largest team misses it."""
    sl = sl.sort_values("agents")
    ok = (sl[column] >= target).to_numpy()
    if not ok[-1]:
        return float("nan")
    i = len(ok) - 1
    while i > 0 and ok[i - 1]:
        i -= 1
    return float(sl["agents"].iloc[i])


def agents_needed(table: pd.DataFrame, runs: pd.DataFrame, target: float, cost_per_hour: float) -> pd.DataFrame:
    """Per concurrency k: agents needed (mean criterion and CI criterion), the service at the CI-criterion staffing
    n*(k), and the paired difference (same posts, replication by replication) of its mean resolution time and median
    first response from those of k = 1 at n*(1), with 95% t CIs."""
    rows, at_needed = [], {}
    for k, g in table.groupby("concurrency"):
        sl = g[g["metric"] == "sl_offered"]
        n_mean, n_ci = fewest_meeting(sl, "mean", target), fewest_meeting(sl, "ci_low", target)
        row = {"concurrency": k, "agents_needed_mean": n_mean, "agents_needed_ci": n_ci,
               "cost_per_hour": n_ci * cost_per_hour}
        at = g[g["agents"] == n_ci].set_index("metric")
        for metric in ("sl_offered", "first_response_mean_s", "first_response_median_s", "first_response_p90_s",
                       "resolution_mean_s", "resolution_median_s", "occupancy", "open_conversations",
                       "cost_per_resolved"):
            for col in ("mean", "ci_low", "ci_high"):
                row[f"{metric}_{col}" if col != "mean" else metric] = at[col].get(metric, float("nan"))
        at_needed[k] = runs[(runs["concurrency"] == k) & (runs["agents"] == n_ci)]
        rows.append(row)
    out = pd.DataFrame(rows)
    base = at_needed.get(1)
    for metric in ("resolution_mean_s", "first_response_median_s"):
        for col in ("diff", "ci_low", "ci_high"):
            out[f"{metric}_vs_k1_{col}"] = float("nan")
        if base is None or base.empty:
            continue
        for i, k in enumerate(out["concurrency"]):
            b = at_needed[k]
            if b.empty:
                continue
            d = paired_difference(base[base["metric"] == metric], b[b["metric"] == metric])
            if len(d):
                out.loc[i, f"{metric}_vs_k1_diff"] = d["diff"].iloc[0]
                out.loc[i, f"{metric}_vs_k1_ci_low"] = d["diff_ci_low"].iloc[0]
                out.loc[i, f"{metric}_vs_k1_ci_high"] = d["diff_ci_high"].iloc[0]
    return out


def main(argv=None) -> pd.DataFrame:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="1-day replications, 3 of them, 5 team sizes (test suite)")
    ap.add_argument("--out", default=str(ROOT / "plots"))
    ap.add_argument("--workers", type=int, default=None)
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    base = sim.load_scenario(SCENARIO)
    target = base.channels["social"].targets.service_level
    within_min = base.channels["social"].targets.answer_within_s / 60
    cost = base.agents["social"].cost_per_hour
    with tempfile.TemporaryDirectory() as tmp:
        table, runs = study(args.quick, args.workers, Path(tmp) / "store")
    needed = agents_needed(table, runs, target, cost)
    table.to_csv(out / "concurrency_tradeoff.csv", index=False)
    needed.to_csv(out / "concurrency_needed.csv", index=False)
    fig = concurrency_tradeoff_figure(table, needed, target, within_min)
    fig.savefig(out / "concurrency_tradeoff.png", dpi=110, bbox_inches="tight")
    cols = ["concurrency", "agents_needed_mean", "agents_needed_ci", "sl_offered", "first_response_median_s",
            "first_response_p90_s", "resolution_mean_s", "resolution_mean_s_ci_low", "resolution_mean_s_ci_high",
            "resolution_mean_s_vs_k1_diff", "resolution_mean_s_vs_k1_ci_low", "resolution_mean_s_vs_k1_ci_high",
            "occupancy", "open_conversations", "cost_per_hour"]
    print(f"fewest agents with ≥ {target:.0%} of posts answered within {within_min:g} min (CI criterion), and what "
          "that team gives:")
    print(needed[cols].to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    table.attrs["needed"] = needed
    return table


if __name__ == "__main__":
    main()
