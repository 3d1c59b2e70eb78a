"""Why direct social's net reputation per day differs between messaging and the slot-holding session model.

System: experiments/funnel_vs_social.py's direct-social design (every customer on social, 1× budget) on
scenarios/study_funnel_vs_social.toml, run in both social modes with the same customers (same seed and replications):

- ``session``: the study's keys before messaging became the default (``mode = "session"``, ``exchanges`` uniform 3–6,
  ``silence = 0.1`` after each agent message, ``inactivity_timeout = "1h"``, one conversation slot held per thread);
- ``messaging``: the shipped scenario (replies needed uniform 3–6, reply patience exponential 8 h, affinity 15 min);
- ``messaging, no reply patience``: the same without silent abandonment (the 8 h patience is **[assumed]**).

Prints, per mode (mean over replications, per day): net reputation (the ledger's net sentiment), impressions by thread
state and of word of mouth, the posts, first replies and median first response, and — by the customer's final state
(served resolved, served unresolved, silent, open at the horizon) — the customers and the net sentiment their threads
and word of mouth earned (word of mouth is booked when a contact ends, so a customer still open at the horizon books
none). docs/social.md ("Why direct social's net reputation fell") gives the measured table.

    .venv/bin/python experiments/social_modes_reputation.py [--reps 3]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "experiments"))

from funnel_vs_social import SCENARIO, SEED, design  # noqa: E402

import sim  # noqa: E402

SESSION = {"channels.social.mode": "session", "channels.social.replies_needed": None,
           "channels.social.exchanges": {"dist": "uniform", "low": 3, "high": 6}, "channels.social.silence": 0.1,
           "channels.social.inactivity_timeout": "1h", "channels.social.reply_patience": None,
           "channels.social.affinity_window": None}
NO_PATIENCE = {"channels.social.reply_patience": None}  # nobody leaves silently: the assumed 8 h patience removed
STATES = ("unanswered_complaint", "unanswered_question", "answered", "resolved", "praise")


def parts(res) -> pd.DataFrame:
    """Per replication: net sentiment by part, impressions by state and the posts' numbers."""
    rep = res.reputation
    view = res.contact_view()  # the posts with their conversations' columns (social_threads)
    rows = []
    for r, t in rep.groupby("replication"):
        days = t.groupby("channel")["length_s"].sum().iloc[0] / 86400.0
        row = {"replication": r}
        for s in STATES:
            row[f"impressions_{s}"] = t[f"impressions_{s}"].sum() / days
        row["net_sentiment"] = t["net_sentiment"].sum() / days
        row["word_of_mouth_good"] = t["impressions_word_of_mouth_good"].sum() / days
        row["word_of_mouth_bad"] = t["impressions_word_of_mouth_bad"].sum() / days
        row["pile_on_posts"] = t["pile_on_posts"].sum() / days
        row["spillover_posts"] = t["spillover_posts"].sum() / days
        c = view[(view["replication"] == r) & (view["channel"] == "social")]
        row["posts"] = len(c) / days
        row["first_replied"] = c["first_response_s"].notna().sum() / days
        row["first_response_median_min"] = float(np.nanmedian(c["first_response_s"])) / 60
        served = c["outcome"].astype(str) == "served"
        resolved = c["resolved"].astype("boolean").fillna(False).to_numpy(bool)
        state = np.where(served & resolved, "served_resolved", np.where(served, "served_unresolved",
                                                                          c["outcome"].astype(str)))
        for o in ("served_resolved", "served_unresolved", "silent", "open", "ignored"):
            row[f"customers_{o}"] = float((state == o).sum()) / days
            row[f"net_sentiment_{o}"] = float(c["net_sentiment"].to_numpy(float)[state == o].sum()) / days
        rows.append(row)
    return pd.DataFrame(rows).fillna(0.0)


def scenario_in_mode(extra: dict):
    """The direct-social design with ``extra`` keys set (None: the key removed)."""
    from sim.scenario import parse_scenario, read_toml, set_dotted

    raw = read_toml(SCENARIO)
    for key, value in {**design(1.0, 1.0), **extra}.items():
        if value is None:
            *parent, last = key.split(".")
            node = raw
            for k in parent:
                node = node[k]
            node.pop(last, None)
        else:
            raw = set_dotted(raw, key, value)
    return parse_scenario(raw, source=str(SCENARIO), base_dir=SCENARIO.parent)


def main(argv=None) -> pd.DataFrame:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=3)
    a = ap.parse_args(argv)
    out = {}
    for mode, extra in (("session", SESSION), ("messaging", {}), ("messaging, no reply patience", NO_PATIENCE)):
        sc = scenario_in_mode(extra)
        res = sim.run(sc, replications=a.reps, seed=SEED)
        out[mode] = parts(res).drop(columns="replication").mean()
        print(mode, flush=True)
    table = pd.DataFrame(out)
    table["messaging − session"] = table["messaging"] - table["session"]
    with pd.option_context("display.float_format", "{:,.1f}".format, "display.width", 200, "display.max_columns", None):
        print(table)
    return table


if __name__ == "__main__":
    main()
