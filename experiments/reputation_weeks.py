"""Study — the delay study over four weeks: what a slower social team costs when demand and channel choice respond
to the reputation state and to customers' own history (docs/reputation_weeks.md).

System: ``--scenario retail`` (the default): scenarios/retail_reputation.toml — its phone funnel (IVR, departments,
transfers, redials, callbacks) and social desk with its [reputation] model acting within each day — with the [weeks]
table ``RETAIL_WEEKS`` below; ``--scenario weeks``: scenarios/weeks_reputation.toml (a plain phone queue + social).
1 warm-up week not counted, 4 weeks measured. Designs: the social team (agents.social.count) of 2, 3 and 5 agents
(retail: all day, as the scenario staffs it; weeks: 08:00–22:00); every design meets the same candidates (common
random numbers), differences against 5 agents are paired by replication.

``--sensitivity`` (on weeks_reputation.toml; use ``--reps 2`` to keep it short) instead halves and doubles each
assumed weight of [weeks] one at a time (probabilities capped at 1) and re-estimates the headline — customers lost
and contacts over the measured weeks, 2 agents minus 5, paired — over 2 measured weeks.

    .venv/bin/python experiments/reputation_weeks.py [--scenario retail|weeks] [--teams 2,3,5] [--reps R] [--out plots]
        [--sensitivity]

Writes OUT/reputation_weeks[_retail].csv (per design, replication and week) and OUT/reputation_weeks[_retail].png
(week by week), or OUT/reputation_weeks_sensitivity.csv.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd

import sim
from sim.plots.weeks import weeks_figure
from sim.weeks.study import paired, per_week, readable, run_designs, study_args, team

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "weeks_reputation.toml"
RETAIL = ROOT / "scenarios" / "retail_reputation.toml"
# [weeks] for the retailer [assumed]: a customer base of 100,000 of whom 1% contact a day (1,000 of its ≈ 2,495 daily
# contacts; the rest are new customers), the scenario's own channel split (2,280 calls, 214.5 posts a day), and the
# value of a customer its [reputation] section gives. The other weights are [weeks]' defaults.
RETAIL_WEEKS = {"weeks": 4, "warmup_weeks": 1, "value_per_customer": 400.0,
                "population": {"known": 100_000, "returning": 0.01, "shares": {"phone": 0.914, "social": 0.086}}}
TEAMS = (2, 3, 5)
SHOWN = ("contacts", "resolved", "lost", "deterred", "won", "customers_net", "value_net", "public_bad", "delay_social_s")
# (part of the [weeks] spec, field, capped at 1): every assumed weight of the weeks model
ASSUMED = (("state", "half_life_days", False), ("state", "sensitivity", False), ("population", "returning", False),
           ("population", "delay_scale_s", False), ("population", "bad_call_to_public", False),
           ("population", "loss", True))


def sensitivity(reps: int, out: Path) -> None:
    base = sim.load_scenario(SCENARIO)
    spec = base.sections["weeks"]
    rows = []
    for part, name, cap in (("", "", False), *ASSUMED):
        for factor in ((1.0,) if not part else (0.5, 2.0)):
            changes: dict = {"weeks": 2}
            if part:
                sub = getattr(spec, part)
                v = getattr(sub, name) * factor
                changes[part] = replace(sub, **{name: min(v, 1.0) if cap else v})
            designs = {f"social {n}": ({"agents.social.count": team(n)}, changes) for n in (2, 5)}
            days = run_designs(lambda o: sim.load_scenario(SCENARIO, overrides=o), designs, reps, 1616)
            t = paired(days, "social 5", ("lost", "contacts")).set_index("design").loc["social 2"]
            rows.append({"weight": f"{part}.{name}" if part else "defaults", "factor": factor,
                         "lost_2_minus_5": t["lost_vs_social 5"], "lost_hw": t["lost_vs_social 5_hw"],
                         "contacts_2_minus_5": t["contacts_vs_social 5"], "contacts_hw": t["contacts_vs_social 5_hw"],
                         "clamped": int(days["clamped"].sum())})
            print(pd.DataFrame(rows[-1:]).round(1).to_string(index=False, header=len(rows) == 1), flush=True)
    pd.DataFrame(rows).to_csv(out / "reputation_weeks_sensitivity.csv", index=False)


def main() -> None:
    def extra(ap):
        ap.add_argument("--sensitivity", action="store_true")
        ap.add_argument("--scenario", choices=("retail", "weeks"), default="retail")
        ap.add_argument("--teams", default=",".join(map(str, TEAMS)), help="social team sizes, the last the reference")
    a, out = study_args(__doc__, ROOT / "plots", 3, extra)
    if a.sensitivity:
        sensitivity(a.reps, out)
        return
    teams = [int(x) for x in a.teams.split(",")]
    if a.scenario == "retail":
        designs = {f"social {n}": ({"agents.social.count": n}, {}) for n in teams}
        load, name, title = (lambda o: sim.load_scenario(RETAIL, overrides={"weeks": RETAIL_WEEKS, **o}),
                             "reputation_weeks_retail", "Retailer (retail_reputation), social team over four weeks")
    else:
        designs = {f"social {n}": ({"agents.social.count": team(n)}, {}) for n in teams}
        load, name, title = (lambda o: sim.load_scenario(SCENARIO, overrides=o), "reputation_weeks",
                             "Phone queue + social (weeks_reputation), social team over four weeks")
    days = run_designs(load, designs, a.reps, 1616)
    weeks = per_week(days)
    weeks.to_csv(out / f"{name}.csv", index=False)
    with pd.option_context("display.width", 250, "display.max_columns", 60):
        print(readable(paired(days, f"social {teams[-1]}", SHOWN), f"social {teams[-1]}").to_string())
        print(weeks.groupby(["design", "week"])[["lost", "won", "deterred", "public_bad", "active"]].mean().round(1)
              .to_string())
    print(weeks_figure(weeks, out / f"{name}.png", f"{title} (warm-up week not shown; {a.reps} replications)"))


if __name__ == "__main__":
    main()
