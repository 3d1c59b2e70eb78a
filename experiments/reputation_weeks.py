"""Study — the delay study over four weeks: what a slower social team costs when demand and channel choice respond
to the reputation state and to customers' own history (docs/reputation_weeks.md).

System: scenarios/weeks_reputation.toml (phone + social from one population, 1 warm-up week not counted, 4 weeks
measured). Designs: the social team (agents.social.count, 08:00–22:00) of 2, 3 and 5 agents; every design meets the
same candidates (common random numbers), differences against 5 agents are paired by replication.

``--sensitivity`` (use ``--reps 2`` to keep it short) instead halves and doubles each assumed weight of [weeks] one at a time (probabilities capped at 1)
and re-estimates the headline — customers lost and contacts over the measured weeks, 2 agents minus 5, paired — over
2 measured weeks.

    .venv/bin/python experiments/reputation_weeks.py [--reps R] [--out plots] [--sensitivity]

Writes OUT/reputation_weeks.csv (per design, replication and week) and OUT/reputation_weeks.png (week by week), or
OUT/reputation_weeks_sensitivity.csv.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd

import sim
from sim.plots.weeks import weeks_figure
from sim.weeks.study import paired, per_week, run_designs, study_args, team

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "weeks_reputation.toml"
TEAMS = (2, 3, 5)
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
    a, out = study_args(__doc__, ROOT / "plots", 3, lambda ap: ap.add_argument("--sensitivity", action="store_true"))
    if a.sensitivity:
        sensitivity(a.reps, out)
        return
    designs = {f"social {n}": ({"agents.social.count": team(n)}, {}) for n in TEAMS}
    days = run_designs(lambda o: sim.load_scenario(SCENARIO, overrides=o), designs, a.reps, 1616)
    weeks = per_week(days)
    weeks.to_csv(out / "reputation_weeks.csv", index=False)
    print(paired(days, f"social {TEAMS[-1]}", ("contacts", "lost", "public_bad", "delay_social_s")).round(1)
          .to_string(index=False))
    print(weeks.groupby(["design", "week"])[["lost", "public_bad", "active"]].mean().round(1).to_string())
    print(weeks_figure(weeks, out / "reputation_weeks.png", "Social team over four weeks (warm-up week not shown)"))


if __name__ == "__main__":
    main()
