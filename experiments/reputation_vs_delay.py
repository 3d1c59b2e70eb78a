"""Study — what a slow social team costs a brand, in customers and money, against what customers expect.

System: scenarios/retail_reputation.toml (retail_phone's phone funnel, ~170 social posts a day, every reputation
default: exposure, pile-ons, callers complaining in public, word of mouth, churn, deflection, repeat complaints,
expectations and disconfirmation, the silent majority). The study varies the social team (agents.social.count,
constant over the day) and reports per team size, with 95% CIs over replications, for the whole centre: the social
channel's median first response; customers lost (contacting customers who leave + the silent majority who leave),
customers won (by good word of mouth) and retained; money per day in the scenario's currency — customer value lost and
won and the replies' willingness to pay, kept apart, and their sum ``revenue_net``; the share of complaint views made
while the complaint was unanswered; the social team's cost. Every team size meets the same customers (common random
numbers), so the differences against the reference team (the largest) are paired: ``<metric>_vs_ref`` with paired CIs.

``--sensitivity`` adds a one-at-a-time sweep of every assumed weight: each is halved and doubled (probabilities capped
at 1; the expectation distribution swapped for its documented alternatives) and the headline — customers lost per
day and revenue_net per day of the slow team (2 agents) minus the fast team (6 agents), paired — is re-estimated.

    .venv/bin/python experiments/reputation_vs_delay.py [--quick] [--sensitivity] [--reps R] [--out plots] [--workers N]
    .venv/bin/python experiments/reputation_vs_delay.py --part K/N [--reps R]   (one slice of the sensitivity alone)

Writes OUT/reputation_vs_delay.csv and OUT/reputation_vs_delay.png (and OUT/reputation_sensitivity.csv with
--sensitivity); prints the tables.
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

import sim
from sim.experiment import Sweep, load, run_sweep, summarize
from sim.plots.reputation import reputation_vs_delay_figure
from sim.reputation.expectations import Expectation

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "retail_reputation.toml"
METRICS = {  # column -> (channel, metric, scale): the whole centre's customers and money; the social team's cost
    "median_first_response_min": ("social", "first_response_median_s", 1 / 60),
    "customers_lost": ("reputation", "customers_lost_per_day", 1.0),
    "customers_won": ("reputation", "customers_won_per_day", 1.0),
    "customers_retained": ("reputation", "customers_retained", 1.0),
    "churned": ("reputation", "churned", 1.0),
    "silent_churned": ("reputation", "silent_churned", 1.0),
    "prospects_lost": ("reputation", "prospects_lost", 1.0),
    "customer_value_lost": ("reputation", "customer_value_lost", 1.0),
    "customer_value_won": ("reputation", "customer_value_won", 1.0),
    "reply_value": ("reputation", "reply_value", 1.0),
    "revenue_net": ("reputation", "revenue_net_per_day", 1.0),
    "unanswered_view_share": ("reputation", "unanswered_view_share", 1.0),
    "complaints_seen": ("reputation", "complaints_seen", 1.0),
    "complaint_views": ("reputation", "complaint_views", 1.0),
    "late_responses": ("reputation", "late_responses", 1.0),
    "cost": ("social", "cost", 1.0),  # the social team serves only the social queue: its cost per (1-day) run
}
PAIRED = ("customers_lost", "customers_won", "revenue_net", "median_first_response_min")
SLOW, FAST = 2, 6  # the sensitivity headline: slow team minus fast team
# (key, kind): every assumed weight of the reputation model; kind "p" caps the doubled value at 1
ASSUMED = (("reputation.disconfirmation.exponent", "x"), ("reputation.disconfirmation.churn_late", "p"),
           ("reputation.churn.probability", "p"), ("reputation.silent_majority.ratio", "x"),
           ("reputation.silent_majority.ratio_other", "x"), ("reputation.silent_majority.churn_own", "p"),
           ("reputation.silent_majority.sees_public", "p"), ("reputation.silent_majority.churn_seen", "p"),
           ("reputation.word_of_mouth.conversion", "p"), ("reputation.word_of_mouth.social_multiplier", "x"),
           ("reputation.value_per_customer", "x"), ("reputation.exposure.impressions_per_follower", "x"),
           ("reputation.pile_on.excitation", "x"), ("reputation.pile_on.damping", "p"),
           ("reputation.repeat.probability", "p"), ("reputation.deflection.fraction", "p"))
EXPECTATIONS = ("lithium", "nm_incite")


def tidy(rows: pd.DataFrame, by: str) -> pd.DataFrame:
    """Per (design, replication): one column per study metric."""
    out = []
    for col, (channel, metric, scale) in METRICS.items():
        m = rows[(rows["channel"] == channel) & (rows["metric"] == metric)]
        out.append(m.set_index([by, "replication"])["value"].rename(col) * scale)
    return pd.concat(out, axis=1).reset_index()


def with_ci(per_rep: pd.DataFrame, by: str, cols) -> pd.DataFrame:
    out = pd.DataFrame({by: sorted(per_rep[by].unique())}).set_index(by)
    for col in cols:
        s = summarize(per_rep.rename(columns={col: "value"}), [by]).set_index(by)
        out[col], out[f"{col}_lo"], out[f"{col}_hi"] = s["mean"], s["ci_low"], s["ci_high"]
    return out


def paired_vs(per_rep: pd.DataFrame, by: str, ref, cols) -> pd.DataFrame:
    """Mean and CI of (design − reference) per replication, for each column."""
    base = per_rep[per_rep[by] == ref].set_index("replication")
    diffs = []
    for key, g in per_rep.groupby(by):
        d = g.set_index("replication")[list(cols)] - base[list(cols)]
        diffs.append(d.assign(**{by: key}).reset_index())
    d = pd.concat(diffs, ignore_index=True)
    names = {f"{c}{end}": f"{c}_vs_ref{end}" for c in cols for end in ("", "_lo", "_hi")}
    return with_ci(d, by, cols).rename(columns=names)


def study(quick: bool, workers: int | None, store: Path) -> pd.DataFrame:
    agents = [2, 4, 8] if quick else [2, 3, 4, 5, 6, 8, 10]
    sweep = Sweep.build(SCENARIO, {"agents.social.count": agents}, replications=2 if quick else 20, seed=11)
    run_sweep(sweep, store, workers=workers, quiet=True, resume=True)
    rows = load(store).rename(columns={"agents.social.count": "agents"})
    per_rep = tidy(rows, "agents")
    out = with_ci(per_rep, "agents", list(METRICS))
    out = out.join(paired_vs(per_rep, "agents", max(agents), PAIRED))
    out["replications"] = per_rep.groupby("agents")["replication"].nunique()
    out["reference_agents"] = max(agents)
    return out.reset_index()


def expectation_curves(grid_min: np.ndarray) -> pd.DataFrame:
    """Share of social complainers expecting a reply within each delay, for the default and the alternatives."""
    return pd.DataFrame({name: Expectation.preset(name).cdf(grid_min * 60.0)
                         for name in ("convince_convert", *EXPECTATIONS)}, index=pd.Index(grid_min, name="minutes"))


# Sensitivity ------------------------------------------------------------------------------------------------------
LIVE = ("reputation.pile_on.", "reputation.repeat.", "reputation.deflection.")  # act during the run: re-simulate


def _account(results, scenario, seed: int) -> pd.DataFrame:
    """The reputation rows of ``results`` re-accounted under ``scenario`` (weights that act after the run only: the
    simulated contacts are the same, so the runs are reused)."""
    from sim.reputation.accounts import reputation_metrics, reputation_tables

    tables = [reputation_tables(scenario, int(r), seed, g.drop(columns="replication"), {})[1].assign(replication=r)
              for r, g in results.contacts.groupby("replication")]
    return reputation_metrics(pd.concat(tables, ignore_index=True))


def _headline(per: dict) -> dict:
    """Customers lost and revenue_net per day, slow team − fast team, paired over replications (mean, 95% CI)."""
    a, b = (per[n][per[n]["channel"] == "reputation"].set_index(["metric", "replication"])["value"] for n in (SLOW, FAST))
    d = (a - b).rename("value").reset_index()
    out = {}
    for metric, col in (("customers_lost_per_day", "d_customers_lost"), ("revenue_net_per_day", "d_revenue_net")):
        s = summarize(d[d["metric"] == metric], ["metric"]).iloc[0]
        out[col], out[f"{col}_lo"], out[f"{col}_hi"] = s["mean"], s["ci_low"], s["ci_high"]
    return out


def _value(key: str):
    spec = sim.load_scenario(SCENARIO).sections["reputation"]
    part, *rest = key.split(".")[1:]
    obj = getattr(spec, part)
    return getattr(obj, rest[0]) if rest else obj


def sensitivity(quick: bool, part: tuple[int, int] = (0, 1), reps: int | None = None) -> pd.DataFrame:
    """The one-at-a-time table; ``part`` (k, n) runs the k-th of n slices of the parameters (for several processes)."""
    reps, seed = (reps or (2 if quick else 10)), 11
    k, n_parts = part
    scen = lambda over, n: sim.load_scenario(SCENARIO, overrides={**over, "agents.social.count": n})  # noqa: E731
    base = {n: sim.run(scen({}, n), replications=reps, seed=seed) for n in (SLOW, FAST)}

    def headline(over: dict) -> dict:
        if any(k.startswith(LIVE) for k in over):
            return _headline({n: sim.run(scen(over, n), replications=reps, seed=seed).replications for n in base})
        return _headline({n: _account(base[n], scen(over, n), seed) for n in base})

    rows = [{"parameter": "(defaults)", "value": "", **_headline({n: r.replications for n, r in base.items()})}]
    params = ASSUMED[:2] + ASSUMED[-1:] if quick else ASSUMED
    for key, kind in params[k::n_parts]:
        default = float(_value(key))
        for label, v in (("half", default / 2), ("double", min(default * 2, 1.0) if kind == "p" else default * 2)):
            rows.append({"parameter": key, "value": f"{v:g} ({label}; default {default:g})", **headline({key: v})})
            print(key, rows[-1]["value"], f"{rows[-1]['d_customers_lost']:.1f}", flush=True)
    for name in (EXPECTATIONS[:1] if quick else EXPECTATIONS)[k::n_parts]:
        rows.append({"parameter": "reputation.expectations.social", "value": name,
                     **headline({"reputation.expectations.social": name})})
    return pd.DataFrame(rows)


def main(argv=None) -> pd.DataFrame:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="3 team sizes, 2 replications (for the test suite)")
    ap.add_argument("--sensitivity", action="store_true", help="also the one-at-a-time sweep of assumed weights")
    ap.add_argument("--part", default=None, help="K/N: only the K-th of N slices of the sensitivity (no study)")
    ap.add_argument("--reps", type=int, default=None, help="replications per sensitivity point (default 10)")
    ap.add_argument("--out", default=str(ROOT / "plots"))
    ap.add_argument("--workers", type=int, default=None)
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.part:
        k, n = (int(x) for x in args.part.split("/"))
        sensitivity(args.quick, (k, n), args.reps).to_csv(out / f"reputation_sensitivity.part{k}.csv", index=False)
        return None
    with tempfile.TemporaryDirectory() as tmp:
        table = study(args.quick, args.workers, Path(tmp) / "store")
    table.to_csv(out / "reputation_vs_delay.csv", index=False)
    grid = np.geomspace(1.0, 48 * 60.0, 200)
    fig = reputation_vs_delay_figure(table, expectation_curves(grid))
    fig.savefig(out / "reputation_vs_delay.png", dpi=110, bbox_inches="tight")
    show = ["agents", "median_first_response_min", "customers_lost", "customers_lost_lo", "customers_lost_hi",
            "customers_won", "unanswered_view_share", "customer_value_lost", "customer_value_won", "reply_value",
            "revenue_net", "revenue_net_vs_ref", "revenue_net_vs_ref_lo", "revenue_net_vs_ref_hi", "cost"]
    print(table[show].to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    if args.sensitivity:
        sens = sensitivity(args.quick, reps=args.reps)
        sens.to_csv(out / "reputation_sensitivity.csv", index=False)
        print(sens.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    return table


if __name__ == "__main__":
    main()
