"""CPU time of a planner's 96-interval day under Erlang X (``sim.analytic.day.plan_day`` with trunk lines and
redials), the figure quoted in docs/staffing.md. Usage: ``python experiments/erlang_x_day.py [LINES|none]``.

The day: 15-minute intervals, volumes 10–75 per interval in two peaks (10:30 and 15:00), aht 240 s, patience 300 s,
80/20 target, 50% of failed callers redialing after 15 min on average.
"""
from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

from sim.analytic.day import DayTargets, Redialing, plan_day


def day() -> pd.DataFrame:
    h = np.arange(96) * 0.25
    vol = np.round(10 + 60 * np.exp(-((h - 10.5) / 2.2) ** 2) + 45 * np.exp(-((h - 15) / 2.0) ** 2))
    return pd.DataFrame({"volume": vol, "aht_s": 240.0, "patience_s": 300.0})


if __name__ == "__main__":
    arg = sys.argv[1] if len(sys.argv) > 1 else "40"
    red = Redialing(None if arg == "none" else int(arg), 0.5, 900.0)
    f = day()
    plan_day(f.head(2), 900.0, DayTargets(0.8, 20.0), 0.0, red)  # imports and first calls out of the timing
    t = time.process_time()
    plan = plan_day(f, 900.0, DayTargets(0.8, 20.0), 0.0, red)
    print(f"96 intervals, lines {arg}: {time.process_time() - t:.2f} s CPU; "
          f"Erlang X agents {int(plan['erlang_x_agents'].min())}–{int(plan['erlang_x_agents'].max())}")
