"""Study — reputation against response delay: what a bigger social team buys in reputation, and what it costs.

System: scenarios/retail_reputation.toml (retail_phone's phone funnel, ~170 social posts a day, the reputation model
with its defaults: exposure, pile-ons, callers complaining in public, word of mouth, silent churn, deflection, repeat
complaints). The study varies the social team (agents.social.count, constant over the day) and reports, per team size
with 95% CIs over replications (common random numbers: every team size meets the same customers): the median first
response of the social channel, net reputation per day (sentiment-weighted impressions), revenue at risk per day
(silent churn × value per customer), the replies' willingness to pay, pile-on posts, the social team's cost, and the
net cost (cost + revenue at risk − the replies' willingness to pay). Reputation numbers are the social channel's
(posts, their authors' word of mouth and churn, callers' complaints in public): the team changes nothing else.

    .venv/bin/python experiments/reputation_vs_delay.py [--quick] [--out plots] [--workers N]

Writes OUT/reputation_vs_delay.csv and OUT/reputation_vs_delay.png; prints the table.
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import pandas as pd

from sim.experiment import Sweep, load, point_summary, run_sweep, summarize
from sim.plots.reputation import reputation_vs_delay_figure

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "retail_reputation.toml"
METRICS = {  # column -> (channel, metric, scale); reputation of the social channel (the team changes nothing else)
    "delay_min": ("social", "first_response_median_s", 1 / 60),
    "net_reputation": ("reputation.social", "net_reputation_per_day", 1.0),
    "revenue_at_risk": ("reputation.social", "revenue_at_risk_per_day", 1.0),
    "reply_value": ("reputation.social", "reply_value", 1.0),
    "money_equivalent": ("reputation.social", "money_equivalent_per_day", 1.0),
    "pile_on_posts": ("reputation.social", "pile_on_posts", 1.0),
    "spillover_posts": ("reputation.social", "spillover_posts", 1.0),
    "churned": ("reputation.social", "churned", 1.0),
    "centre_net_reputation": ("reputation", "net_reputation_per_day", 1.0),
    "cost": ("social", "cost", 1.0),  # the social team serves only the social queue: its cost per (1-day) run
}


def study(quick: bool, workers: int | None, store: Path) -> pd.DataFrame:
    agents = [2, 4, 8] if quick else [2, 3, 4, 5, 6, 8, 10]
    sweep = Sweep.build(SCENARIO, {"agents.social.count": agents}, replications=2 if quick else 20, seed=11)
    run_sweep(sweep, store, workers=workers, quiet=True, resume=True)
    rows = load(store)
    s = point_summary(rows).rename(columns={"agents.social.count": "agents"})
    rows = rows.rename(columns={"agents.social.count": "agents"})
    out = pd.DataFrame({"agents": sorted(s["agents"].unique())}).set_index("agents")
    for col, (channel, metric, scale) in METRICS.items():
        m = s[(s["channel"] == channel) & (s["metric"] == metric)].set_index("agents")
        out[col] = m["mean"] * scale
        out[f"{col}_lo"] = m["ci_low"] * scale
        out[f"{col}_hi"] = m["ci_high"] * scale
    # net cost = cost − money equivalent, per replication (paired within a replication), then its CI
    cost = rows[(rows["channel"] == "social") & (rows["metric"] == "cost")].set_index(["agents", "replication"])
    money = rows[(rows["channel"] == "reputation.social") & (rows["metric"] == "money_equivalent_per_day")] \
        .set_index(["agents", "replication"])
    net = (cost["value"] - money["value"]).dropna().rename("value").reset_index()
    ci = summarize(net, ["agents"]).set_index("agents")
    out["net_cost"], out["net_cost_lo"], out["net_cost_hi"] = ci["mean"], ci["ci_low"], ci["ci_high"]
    out["replications"] = s.groupby("agents")["n"].max()
    return out.reset_index()


def main(argv=None) -> pd.DataFrame:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="3 team sizes, 2 replications (for the test suite)")
    ap.add_argument("--out", default=str(ROOT / "plots"))
    ap.add_argument("--workers", type=int, default=None)
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        table = study(args.quick, args.workers, Path(tmp) / "store")
    table.to_csv(out / "reputation_vs_delay.csv", index=False)
    fig = reputation_vs_delay_figure(table)
    fig.savefig(out / "reputation_vs_delay.png", dpi=110, bbox_inches="tight")
    show = ["agents", "delay_min", "net_reputation", "net_reputation_lo", "net_reputation_hi", "revenue_at_risk",
            "reply_value", "pile_on_posts", "cost", "net_cost", "net_cost_lo", "net_cost_hi"]
    print(table[show].to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    return table


if __name__ == "__main__":
    main()
