"""Paired studies over weeks: several designs meet the same candidates (``sim.weeks.model``); their differences
against a reference design are paired by replication, with t-based 95% CIs."""
from __future__ import annotations

import argparse
import math
from pathlib import Path

import pandas as pd
from scipy import stats

from sim.weeks.model import run_weeks, with_design

MEASURES = ("contacts", "lost", "gone", "bad", "public_bad", "deflected", "clamped", "delay_phone_s", "delay_social_s",
            "resolved", "deterred", "won", "customers_net", "value_lost", "value_deterred", "value_won", "reply_value",
            "value_net")


def study_args(doc: str, plots: Path, reps: int, extra=None) -> tuple[argparse.Namespace, Path]:
    """A study's command line: ``--reps`` and ``--out`` (the output folder, made), and ``extra(parser)`` options."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--reps", type=int, default=None, help=f"replications per design (default {reps})")
    ap.add_argument("--out", default=str(plots))
    if extra is not None:
        extra(ap)
    a = ap.parse_args()
    a.reps = a.reps or reps
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    return a, out


def team(n: int) -> list[int]:
    """agents.social.count of a social team of ``n`` from 08:00 to 22:00 (30-min intervals)."""
    return [n if 16 <= i < 44 else 0 for i in range(48)]


def run_designs(scenario_of, designs: dict, replications: int, seed: int) -> pd.DataFrame:
    """Day rows of every design: ``designs`` maps a label to (overrides, [weeks] changes); ``scenario_of(overrides)``
    loads the scenario."""
    out = []
    for label, (overrides, changes) in designs.items():
        sc = with_design(scenario_of(overrides), **changes) if changes else scenario_of(overrides)
        out.append(run_weeks(sc, replications, seed).assign(design=label))
    t = pd.concat(out, ignore_index=True)
    t["contacts"] = t["contacts_phone"] + t["contacts_social"]
    t["customers_net"] = t["won"] - t["lost"] - t["deterred"]  # customers won − lost − kept away, per day
    t["value_net"] = t["value_won"] - t["value_lost"] - t["value_deterred"] + t["reply_value"]
    return t


def per_week(days: pd.DataFrame) -> pd.DataFrame:
    """Counted weeks only: totals per (design, replication, week), delays as daily means, customers active at the
    week's end."""
    d = days[days["counted"]]
    agg = {m: ("mean" if m.startswith("delay") else "sum") for m in MEASURES if m in d}
    agg["active"] = "last"
    return d.groupby(["design", "replication", "week"], as_index=False).agg(agg)


def _ci(x: pd.Series) -> tuple[float, float]:
    n = len(x)
    if n < 2:
        return float(x.mean()), float("nan")
    return float(x.mean()), float(stats.t.ppf(0.975, n - 1) * x.std(ddof=1) / math.sqrt(n))


def paired(days: pd.DataFrame, ref: str, measures=("contacts", "lost", "bad", "delay_social_s")) -> pd.DataFrame:
    """Per design: each measure over the counted weeks (per replication), its mean ± 95% half-width, and the paired
    difference against ``ref``."""
    w = per_week(days)
    tot = w.groupby(["design", "replication"]).agg({m: ("mean" if m.startswith("delay") else "sum")
                                                     for m in measures})
    rows = []
    for design in dict.fromkeys(days["design"]):
        row: dict = {"design": design}
        for m in measures:
            x = tot.loc[design, m]
            row[m], row[f"{m}_hw"] = _ci(x)
            diff = x - tot.loc[ref, m].reindex(x.index)
            row[f"{m}_vs_{ref}"], row[f"{m}_vs_{ref}_hw"] = _ci(diff)
        rows.append(row)
    return pd.DataFrame(rows)


def readable(table: pd.DataFrame, ref: str, digits: int = 1) -> pd.DataFrame:
    """A ``paired`` table for reading: one row per measure, each design's mean and, for the others, the paired
    difference against ``ref`` as "d ± half-width"."""
    measures = [c for c in table.columns if c != "design" and not c.endswith("_hw") and "_vs_" not in c]
    out = {}
    for _, row in table.iterrows():
        out[row["design"]] = [f"{row[m]:,.{digits}f}" for m in measures]
        if row["design"] != ref:
            out[f"{row['design']} − {ref}"] = [f"{row[f'{m}_vs_{ref}']:+,.{digits}f} ± {row[f'{m}_vs_{ref}_hw']:,.{digits}f}"
                                               for m in measures]
    return pd.DataFrame(out, index=measures)
