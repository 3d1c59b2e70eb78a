"""Study — the delay study over four weeks: what a slower social team costs when demand and channel choice respond
to the reputation state and to customers' own history (docs/reputation_weeks.md).

System: scenarios/weeks_reputation.toml (phone + social from one population, 1 warm-up week not counted, 4 weeks
measured). Designs: the social team (agents.social.count, 08:00–22:00) of 2, 3 and 5 agents; every design meets the
same candidates (common random numbers), differences against 5 agents are paired by replication.

    .venv/bin/python experiments/reputation_weeks.py [--reps R] [--out plots]

Writes OUT/reputation_weeks.csv (per design, replication and week) and OUT/reputation_weeks.png (week by week).
"""
from __future__ import annotations

import argparse
from pathlib import Path

import sim
from sim.plots.weeks import weeks_figure
from sim.weeks.study import paired, per_week, run_designs

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "weeks_reputation.toml"
TEAMS = (2, 3, 5)


def counts(n: int) -> list[int]:
    return [n if 16 <= i < 44 else 0 for i in range(48)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--out", default=str(ROOT / "plots"))
    a = ap.parse_args()
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    designs = {f"social {n}": ({"agents.social.count": counts(n)}, {}) for n in TEAMS}
    days = run_designs(lambda o: sim.load_scenario(SCENARIO, overrides=o), designs, a.reps, 1616)
    weeks = per_week(days)
    weeks.to_csv(out / "reputation_weeks.csv", index=False)
    print(paired(days, f"social {TEAMS[-1]}", ("contacts", "lost", "public_bad", "delay_social_s")).round(1)
          .to_string(index=False))
    print(weeks.groupby(["design", "week"])[["lost", "public_bad", "active"]].mean().round(1).to_string())
    print(weeks_figure(weeks, out / "reputation_weeks.png", "Social team over four weeks (warm-up week not shown)"))


if __name__ == "__main__":
    main()
