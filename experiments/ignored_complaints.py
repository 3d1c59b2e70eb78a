"""Study — ignoring complaints as a policy: the brand answers 11% (Sprout Social 2016), 29% (Gartner 2011) or all of
the public complaints (``triage.answer.complaint``; questions and praise all answered), and, answering 29%, picks up
its inbox oldest first, newest first, most reach first or reachable-target first (``triage.order``: fifo, newest,
reach, target) with a social team of 2 under overload.

System: scenarios/weeks_reputation.toml, 1 warm-up week + 2 measured weeks. Every design meets the same candidates;
differences against answering all (oldest first) are paired by replication.

    .venv/bin/python experiments/ignored_complaints.py [--reps R] [--out plots]

Writes OUT/ignored_complaints.csv (per design, replication and week); prints the paired table.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import sim
from sim.weeks.study import paired, per_week, run_designs

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "weeks_reputation.toml"
SHARES = {"answer 11%": 0.11, "answer 29%": 0.29, "answer all": 1.0}
ORDERS = ("newest", "reach", "target")  # beside fifo (oldest first), at 29%
TEAM = [2 if 16 <= i < 44 else 0 for i in range(48)]


def triage(share: float, order: str) -> dict:
    return {"channels.social.triage": {"answer": {"complaint": share, "question": 1.0, "praise": 1.0},
                                       "order": order, "expire_after": "12h"}, "agents.social.count": TEAM}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--out", default=str(ROOT / "plots"))
    a = ap.parse_args()
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    designs = {label: (triage(s, "fifo"), {"weeks": 2}) for label, s in SHARES.items()}
    designs |= {f"answer 29%, {o}": (triage(0.29, o), {"weeks": 2}) for o in ORDERS}
    days = run_designs(lambda o: sim.load_scenario(SCENARIO, overrides=o), designs, a.reps, 1616)
    per_week(days).to_csv(out / "ignored_complaints.csv", index=False)
    print(paired(days, "answer all", ("contacts", "lost", "public_bad", "delay_social_s")).round(1)
          .to_string(index=False))


if __name__ == "__main__":
    main()
