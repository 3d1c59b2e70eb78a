"""Study 4 — response-time expectations on social media: the share of social complaints answered within 1 h and
within 4 h against the size of the desk, beside what complainers expect and what companies achieve (domain notes §3):
42% of complainers expect a reply within 60 min (Convince & Convert / Edison), 72% within 1 h (Lithium); companies
reply to nearly 60% of social inquiries within 4 h (Social Media Today).

System: scenarios/study_social_day.toml — about 640 posts a day around the clock (half of them complaints), an evening
peak, conversations of 3–6 agent messages, agents holding 3 conversations at once; every post answered, first come
first served. Three desks, each with the same number of agents on duty while it is open: 08:00–22:00; 08:00–22:00
with one agent overnight; round the clock. Each replication simulates two days plus four hours and measures the
complaints posted on day 2 (day 1 leaves its overnight backlog; the four hours after midnight settle whether day 2's
late complaints were answered within 4 h, so no share is censored). Every design and team size meets the same
posts (same seed, same replication indices: common random numbers); 95% t CIs across replications.

The share answered within w hours cannot exceed the share of complaints posted at a time when the desk is staffed
at some moment in the next w hours; that ceiling is computed exactly from the arrival profile and the rota and drawn
beside the simulated shares.

    .venv/bin/python experiments/response_expectations.py [--quick] [--out plots] [--workers N]

Writes OUT/response_expectations.csv (design, agents, metric: mean and 95% CI; the ceilings and the desk's
agent-hours per day) and OUT/response_expectations.png; prints the table of shares.
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

import sim
from sim.experiment import summarize
from sim.experiment.tasks import run_tasks
from sim.plots.studies import response_expectations_figure

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "study_social_day.toml"
DAY = 86400.0
HOUR = 3600.0
WINDOWS_H = (1, 4)
SEED = 42
# Agents on duty per 30 minutes from midnight, for a desk of n agents
DESIGNS = {
    "08:00–22:00": lambda n: [0] * 16 + [n] * 28 + [0] * 4,
    "08:00–22:00 + 1 overnight": lambda n: [1] * 16 + [n] * 28 + [1] * 4,
    "24 h": lambda n: [n] * 48,
}
# Expectations and practice (domain notes §3): (window in hours, share, label)
BENCHMARKS = ((1, 0.42, "42% of complainers expect a reply within 60 min (Convince & Convert / Edison)"),
              (1, 0.72, "72% expect one within 1 h (Lithium)"),
              (4, 0.60, "companies reply to ~60% within 4 h (Social Media Today)"))


def scenario_for(design: str, agents: int):
    return sim.load_scenario(SCENARIO, overrides={"agents.social.count": DESIGNS[design](agents)})


def reachable(sc, t: np.ndarray, window_s: float, step_s: float = 60.0) -> np.ndarray:
    """For posts arriving at times ``t``: is some agent on duty at some moment of [t, t + window)? Exact when the
    rota changes only on multiples of ``step_s`` (it is read at the middle of each step)."""
    t = np.asarray(t, float)
    end = float(np.max(t, initial=0.0)) + window_s + 2 * step_s
    on = sc.agents["social"].count.value_at(np.arange(0.0, end, step_s) + step_s / 2, sc.calendar) > 0
    seen = np.concatenate([[0], np.cumsum(on)])
    first = np.floor(t / step_s).astype(np.int64)
    last = np.ceil((t + window_s) / step_s).astype(np.int64) - 1  # the steps [t, t + window) meets
    return seen[last + 1] - seen[first] > 0


def ceiling(sc, window_s: float, start_s: float, end_s: float, step_s: float = 60.0) -> float:
    """Expected share of posts arriving in [start_s, end_s) at a time t when some agent is on duty in [t, t + w):
    an upper bound on the expected share answered within w. Exact when the arrival profile, the rota and w change
    only on multiples of ``step_s``: the rate and ``reachable`` are constant within each step, so each is read at
    the step's middle."""
    ch = sc.channels["social"]
    starts, rates = ch.arrivals.rate_pieces(sc.run.horizon_s, sc.calendar, ch.open_hours, np.ones(3))
    mid = np.arange(start_s, end_s, step_s) + step_s / 2
    rate = rates[np.searchsorted(starts, mid, side="right") - 1]
    return float(np.sum(rate * reachable(sc, mid, window_s, step_s)) / np.sum(rate))


def complaint_shares(sc, contacts: pd.DataFrame, start_s: float, end_s: float) -> pd.DataFrame:
    """Per replication: of the complaints posted in [start_s, end_s), the share whose first reply came within 1 h
    and within 4 h (``within_1h``, ``within_4h``), the share posted when a reply in that time was possible at all
    given the desk's hours (``reachable_1h``, ``reachable_4h``: the replication's own ceiling), the share answered
    at all by the horizon, the median first response (minutes) of those answered and the number of complaints;
    ``all_within_1h`` / ``all_within_4h`` for every post."""
    c = contacts[(contacts["channel"] == "social") & (contacts["arrival_at_s"] >= start_s)
                 & (contacts["arrival_at_s"] < end_s)]
    rows = []
    for rep, g in c.groupby("replication", sort=True):
        fr_all = g["first_response_s"].to_numpy(float)
        comp = (g["kind"].astype(object) == "complaint").to_numpy()
        fr, at = fr_all[comp], g["arrival_at_s"].to_numpy(float)[comp]
        answered = fr[~np.isnan(fr)]
        values = {"complaints": float(comp.sum()),
                  "answered": float(np.mean(~np.isnan(fr))) if len(fr) else np.nan,
                  "first_response_median_min": float(np.median(answered)) / 60 if len(answered) else np.nan}
        for w in WINDOWS_H:
            values[f"within_{w}h"] = float(np.mean(np.nan_to_num(fr, nan=np.inf) <= w * HOUR)) if len(fr) else np.nan
            values[f"reachable_{w}h"] = float(np.mean(reachable(sc, at, w * HOUR))) if len(fr) else np.nan
            values[f"all_within_{w}h"] = float(np.mean(np.nan_to_num(fr_all, nan=np.inf) <= w * HOUR))
        rows += [(rep, m, v) for m, v in values.items()]
    return pd.DataFrame(rows, columns=["replication", "metric", "value"])


def _simulate(tasks: list, reps: int, folder: Path) -> None:
    """Run each (design, agents) task and store its per-replication shares as Parquet (worker side)."""
    sc0 = sim.load_scenario(SCENARIO)
    lo, hi = sc0.run.warmup_s, sc0.run.warmup_s + DAY
    for i, design, agents in tasks:
        sc = scenario_for(design, agents)
        res = sim.run(sc, replications=reps, seed=SEED)
        t = complaint_shares(sc, res.contact_view(), lo, hi).assign(design=design, agents=agents)
        t.to_parquet(folder / f"task{i:04d}.parquet.tmp", index=False)
        (folder / f"task{i:04d}.parquet.tmp").replace(folder / f"task{i:04d}.parquet")


def study(quick: bool, workers: int, folder: Path) -> pd.DataFrame:
    teams = [8, 12, 16, 20] if quick else list(range(4, 23))
    reps = 3 if quick else 20
    tasks = [(i, d, n) for i, (d, n) in enumerate((d, n) for d in DESIGNS for n in teams)]
    rows = run_tasks(_simulate, tasks, reps, workers, folder)
    s = summarize(rows, ["design", "agents", "metric"])
    sc0 = sim.load_scenario(SCENARIO)
    lo = sc0.run.warmup_s
    caps = {(d, w): ceiling(scenario_for(d, 1), w * HOUR, lo, lo + DAY) for d in DESIGNS for w in WINDOWS_H}
    s["ceiling"] = [caps.get((d, int(m.split("_")[-1][:-1])), np.nan) if m.startswith("within_") else np.nan
                    for d, m in zip(s["design"], s["metric"])]
    cost = sc0.agents["social"].cost_per_hour
    s["agent_hours_per_day"] = [sum(DESIGNS[d](n)) * 0.5 for d, n in zip(s["design"], s["agents"])]
    s["cost_per_day"] = s["agent_hours_per_day"] * cost
    order = {d: i for i, d in enumerate(DESIGNS)}
    return s.sort_values(["metric", "design", "agents"], key=lambda c: c.map(order) if c.name == "design" else c) \
        .reset_index(drop=True)


def main(argv=None) -> pd.DataFrame:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="3 replications, 4 team sizes (for the test suite)")
    ap.add_argument("--out", default=str(ROOT / "plots"))
    ap.add_argument("--workers", type=int, default=1)
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        table = study(args.quick, args.workers, Path(tmp))
    table.to_csv(out / "response_expectations.csv", index=False)
    fig = response_expectations_figure(table, BENCHMARKS)
    fig.savefig(out / "response_expectations.png", dpi=110, bbox_inches="tight")
    wide = table[table["metric"].isin(["within_1h", "within_4h"])].pivot_table(
        index=["design", "agents"], columns="metric", values=["mean", "half_width"], sort=False)
    wide.columns = [m if v == "mean" else f"{m} ±" for v, m in wide.columns]
    print("share of day-2 complaints answered within 1 h and 4 h (mean, 95% CI half-width):")
    print(wide.to_string(float_format=lambda v: f"{v:.3f}"))
    caps = table.dropna(subset=["ceiling"]).drop_duplicates(["design", "metric"])
    print("\nceilings set by desk hours:")
    print(caps[["design", "metric", "ceiling"]].to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    return table


if __name__ == "__main__":
    main()
