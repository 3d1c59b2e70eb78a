"""Study — an incident handled reactively or proactively: a common-cause burst (an outage on day 3 of the first
measured week, 10:00–16:00, 400 extra contacts across phone and social) and a public status post 30 min after it
starts, a public answer on the incident's topic in the deflection mechanism (sim.reputation.deflection) that deflects
30% of the incident's later contacts on every channel (sim.incidents; all [assumed]); deflected contacts count as
resolved.

System: scenarios/weeks_reputation.toml, 1 warm-up week + 2 measured weeks. Both designs meet the same candidates and
the same incident contacts (common random numbers); differences are paired by replication.

    .venv/bin/python experiments/incident_proactive.py [--reps R] [--out plots]

Writes OUT/incident_proactive.csv (per design, replication and week); prints the paired table.
"""
from __future__ import annotations

from pathlib import Path

import sim
from sim.calendar import DAY
from sim.incidents import Incident
from sim.weeks.study import paired, per_week, readable, run_designs, study_args

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "weeks_reputation.toml"


def main() -> None:
    a, out = study_args(__doc__, ROOT / "plots", 3)
    start = (7 + 2) * DAY + 10 * 3600  # after the warm-up week: Wednesday 10:00
    designs = {p: ({}, {"weeks": 2, "incident": Incident(start, 6 * 3600, 400, proactive=(p == "proactive"))})
               for p in ("reactive", "proactive")}
    days = run_designs(lambda o: sim.load_scenario(SCENARIO, overrides=o), designs, a.reps, 1616)
    per_week(days).to_csv(out / "incident_proactive.csv", index=False)
    day = days[days["day"] == 2]
    print("incident day, paired (proactive − reactive):\n"
          + readable(paired(day, "reactive", ("contacts", "deflected", "resolved", "bad", "lost", "delay_phone_s",
                                              "delay_social_s")), "reactive").to_string())
    print("two measured weeks, paired:\n"
          + readable(paired(days, "reactive", ("contacts", "deflected", "resolved", "bad", "lost", "deterred", "won",
                                               "customers_net", "value_net", "delay_phone_s", "delay_social_s")),
                     "reactive").to_string())


if __name__ == "__main__":
    main()
