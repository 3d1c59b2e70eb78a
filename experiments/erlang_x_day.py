"""CPU time of a planner's 96-interval day under Erlang X (``sim.analytic.day.plan_day`` with trunk lines and
redials), the figure quoted in docs/staffing.md. Usage: ``python experiments/erlang_x_day.py [LINES|none]
[--distinct]``.

The day: 15-minute intervals, volumes 10–75 per interval in two peaks (10:30 and 15:00), aht 240 s, patience 300 s,
80/20 target, 50% of failed callers redialing after 15 min on average. ``--distinct``: the volumes unrounded and
each nudged by 0.001 × its index, so no two intervals are alike and none is planned from another's result.
"""
from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

from sim.analytic.day import DayTargets, Redialing, plan_day


def day(distinct: bool = False) -> pd.DataFrame:
    h = np.arange(96) * 0.25
    vol = 10 + 60 * np.exp(-((h - 10.5) / 2.2) ** 2) + 45 * np.exp(-((h - 15) / 2.0) ** 2)
    vol = vol + 0.001 * np.arange(96) if distinct else np.round(vol)
    return pd.DataFrame({"volume": vol, "aht_s": 240.0, "patience_s": 300.0})


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--distinct"]
    distinct = "--distinct" in sys.argv[1:]
    arg = args[0] if args else "40"
    red = Redialing(None if arg == "none" else int(arg), 0.5, 900.0)
    f = day(distinct)
    plan_day(f.head(2), 900.0, DayTargets(0.8, 20.0), 0.0, red)  # imports and first calls out of the timing
    t = time.process_time()
    plan = plan_day(f, 900.0, DayTargets(0.8, 20.0), 0.0, red)
    print(f"96 {'all-different ' if distinct else ''}intervals, lines {arg}: {time.process_time() - t:.2f} s CPU; "
          f"Erlang X agents {int(plan['erlang_x_agents'].min())}–{int(plan['erlang_x_agents'].max())}")
