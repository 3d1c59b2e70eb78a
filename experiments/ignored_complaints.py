"""Study — ignoring complaints as a policy: the brand answers 11% (Sprout Social 2016), 29% (Gartner 2011) or all of
the complaints (``triage.answer.complaint``; questions and praise all answered) with the scenario's social team of 3,
oldest first; and, with a team of 2 under overload answering everything, picks up its inbox oldest first, newest
first, most reach first or reachable-target first (``triage.order``: fifo, newest, reach, target).

System: scenarios/weeks_reputation.toml, 1 warm-up week + 2 measured weeks. Every design meets the same candidates;
differences are paired by replication, against answering all (team 3) and against oldest first (team 2).

    .venv/bin/python experiments/ignored_complaints.py [--reps R] [--out plots]

Writes OUT/ignored_complaints.csv (per design, replication and week); prints the paired table.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

import sim
from sim.weeks.study import paired, per_week, readable, run_designs, study_args
from sim.weeks.study import team as social_team

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "weeks_reputation.toml"
SHARES = {"answer 11%": 0.11, "answer 29%": 0.29, "answer all": 1.0}
ORDERS = {"oldest first": "fifo", "newest first": "newest", "most reach first": "reach",
          "reachable target first": "target"}


def triage(share: float, order: str, team: int = 3) -> dict:
    return {"channels.social.triage": {"answer": {"complaint": share, "question": 1.0, "praise": 1.0},
                                       "order": order, "expire_after": "12h"},
            "agents.social.count": social_team(team)}


def main() -> None:
    a, out = study_args(__doc__, ROOT / "plots", 3)
    designs = {label: (triage(s, "fifo"), {"weeks": 2}) for label, s in SHARES.items()}
    designs |= {f"team 2, {label}": (triage(1.0, o, team=2), {"weeks": 2}) for label, o in ORDERS.items()}
    days = run_designs(lambda o: sim.load_scenario(SCENARIO, overrides=o), designs, a.reps, 1616)
    per_week(days).to_csv(out / "ignored_complaints.csv", index=False)
    measures = ("contacts", "lost", "deterred", "won", "customers_net", "value_net", "public_bad", "delay_social_s")
    shares = days[days["design"].isin(list(SHARES))]
    orders = days[days["design"].str.startswith("team 2")]
    with pd.option_context("display.width", 250, "display.max_columns", 60):
        print(readable(paired(shares, "answer all", measures), "answer all").to_string())
        print(readable(paired(orders, "team 2, oldest first", measures), "team 2, oldest first").to_string())


if __name__ == "__main__":
    main()
