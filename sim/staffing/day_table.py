"""What ``contactsim staff`` prints per interval, and what its final check can and cannot see.

``interval_text``: per sized group, one row per interval — clock, forecast calls per interval, Erlang C, Erlang A,
the simulated requirement, rostered heads and the service level of the check (✗ where the point estimate misses).

``check_text``: the check tests per interval "the target is met" with Holm's correction (``holm_check``). With R
replications and standard error se an interval is flagged only when its shortfall exceeds about z·se, z the one-sided
normal quantile at 5%/m for m tests (the first Holm step): that is the shortfall it can detect, stated beside the
intervals whose point estimate misses the target — which a planner should look at whatever the test says.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats


def _sl_rows(check: pd.DataFrame | None) -> pd.DataFrame | None:
    if check is None:
        return None
    return check[check["metric"].str.startswith("sl_") & (check["kind"] == "channel")]


def interval_text(report, interval_s: float) -> str:
    """The per-interval table of every sized group."""
    req, roster = report.requirement, report.roster
    sl = _sl_rows(report.check)
    out = []
    for g, t in req.table.groupby("group", sort=False):
        t = t.sort_values("cell")
        r = roster[roster["group"] == g].set_index("cell")
        est = None if sl is None else sl[sl["group"] == g].groupby("cell").agg(estimate=("estimate", "min"),
                                                                               target=("target", "first"))
        head = ["clock", "forecast", "Erlang C", "Erlang A", "simulated", "rostered", "at work", "SL (check)"]
        rows = []
        for x in t.itertuples():
            cells = [x.clock, f"{x.rate_per_h * interval_s / 3600:.0f}", str(int(x.erlang_c)), str(int(x.erlang_a)),
                     str(int(x.simulated)), str(int(r.loc[x.cell, "rostered"])), str(int(r.loc[x.cell, "at_work"]))]
            if est is not None and x.cell in est.index and est.loc[x.cell, "estimate"] == est.loc[x.cell, "estimate"]:
                e, tg = est.loc[x.cell, "estimate"], est.loc[x.cell, "target"]
                cells.append(f"{100 * e:.1f}%" + ("" if e >= tg - 1e-12 else " ✗"))
            else:
                cells.append("-")
            rows.append(cells)
        w = [max(len(h), *(len(c[i]) for c in rows)) for i, h in enumerate(head)]
        out.append(f"{g}: agents per interval (forecast = calls offered; Erlang C/A and simulated = agents on the "
                   f"phones; rostered = with shrinkage; at work = the shift plan)")
        out.append("  " + "  ".join(h.rjust(n) for h, n in zip(head, w)))
        out += ["  " + "  ".join(c.rjust(n) for c, n in zip(cells, w)) for cells in rows]
    return "\n".join(out)


def detectable_shortfall(check: pd.DataFrame, alpha: float = 0.05) -> float:
    """The service-level shortfall (fraction) the Holm check flags at its first step, at the median interval's se."""
    sl = _sl_rows(check)
    se = sl["se"].dropna()
    se = se[se > 0]
    if not len(se):
        return float("nan")
    z = float(stats.norm.isf(alpha / len(check)))
    return z * float(np.median(se))


def check_text(check: pd.DataFrame) -> list[str]:
    """The check's verdict, the shortfall it can detect and every interval whose point estimate misses."""
    n_reps = int(check["n_reps"].max())
    lines = [f"check on {n_reps} fresh replications: {int(check['violated'].sum())} of {len(check)} interval "
             f"targets violated (Holm, family-wise 5%); {int((~check['met']).sum())} point estimates below target"]
    gap = detectable_shortfall(check)
    if gap == gap:
        lines.append(f"  with {n_reps} replications the test flags an interval only when its service level falls "
                     f"about {100 * gap:.1f} points or more below target (median se); smaller shortfalls pass")
    missed = check[~check["met"]].sort_values("cell")
    for r in missed.itertuples():
        flag = "violated" if r.violated else "not significant"
        lines.append(f"  ✗ {r.clock} {r.name} {r.metric}: {100 * r.estimate:.1f}% against {100 * r.target:.1f}% "
                     f"(se {100 * r.se:.1f} points, {flag})")
    return lines
