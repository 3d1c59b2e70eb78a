"""Study 2 — the staffing curve: service level, ASA, abandonment and occupancy against the number of agents, simulated
with 95% CIs beside exact Erlang A and Erlang C. It shows where Erlang C over-staffs: it ignores that callers hang up,
so it predicts worse waits — and asks for more agents — than a queue with abandonment really has.

System: scenarios/erlang_a.toml (100 calls/h, AHT 240 s, exponential patience mean 300 s), agents 6..12.

    .venv/bin/python experiments/staffing_curve.py [--quick] [--out plots] [--workers N]

Writes OUT/staffing_curve.csv and OUT/staffing_curve.png; prints the table.
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import pandas as pd

from sim import analytic
from sim.experiment import Sweep, load, point_summary, run_sweep
from sim.plots.studies import staffing_curve_figure

ROOT = Path(__file__).resolve().parents[1]
METRICS = ("sl_offered", "asa_s", "abandon_rate", "occupancy")


def study(quick: bool, workers: int | None, store: Path) -> pd.DataFrame:
    agents = range(6, 13)
    overrides = {"run.horizon": "1d" if quick else "10d"}
    sweep = Sweep.build(ROOT / "scenarios" / "erlang_a.toml", {"agents.phone.count": list(agents), **overrides},
                        replications=4 if quick else 20, seed=7)
    run_sweep(sweep, store, workers=workers, quiet=True, resume=True)
    s = point_summary(load(store))
    s = s[(s["channel"] == "phone") & s["metric"].isin(METRICS)].rename(columns={"agents.phone.count": "agents"})
    rate, aht, patience = 100 / 3600, 240.0, 300.0
    exact_a = {n: analytic.erlang_a_metrics(n, rate, aht, patience, 20.0) for n in agents}
    exact_c = {n: analytic.erlang_c_metrics(n, rate, aht, 20.0) for n in agents}
    key = {"abandon_rate": "p_abandon"}
    s["erlang_a"] = [exact_a[n][key.get(m, m)] for n, m in zip(s["agents"], s["metric"])]
    s["erlang_c"] = [exact_c[n][key.get(m, m)] for n, m in zip(s["agents"], s["metric"])]
    s["erlang_c_required"] = analytic.required_agents(rate, aht, 20.0, 0.8)
    s["erlang_a_required"] = analytic.required_agents(rate, aht, 20.0, 0.8, mean_patience_s=patience)
    return s[["agents", "metric", "mean", "ci_low", "ci_high", "n", "erlang_a", "erlang_c", "erlang_a_required",
              "erlang_c_required"]].sort_values(["metric", "agents"]).reset_index(drop=True)


def main(argv=None) -> pd.DataFrame:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="1-day replications, 4 of them (for the test suite)")
    ap.add_argument("--out", default=str(ROOT / "plots"))
    ap.add_argument("--workers", type=int, default=None)
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        table = study(args.quick, args.workers, Path(tmp) / "store")
    table.to_csv(out / "staffing_curve.csv", index=False)
    fig = staffing_curve_figure(table, METRICS)
    fig.savefig(out / "staffing_curve.png", dpi=110, bbox_inches="tight")
    sl = table[table.metric == "sl_offered"]
    print(sl.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    first_ok = sl[sl["ci_low"] >= 0.8]["agents"].min()
    print(f"\nagents for 80/20 — Erlang C: {table['erlang_c_required'].iloc[0]}, Erlang A: "
          f"{table['erlang_a_required'].iloc[0]}, simulation (CI above 0.8): {first_ok}")
    return table


if __name__ == "__main__":
    main()
