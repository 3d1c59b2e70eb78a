"""Lesson 4, response delay and reputation: the social team's size → first reply times against what customers expect
→ what others see of it, and the customers lost.

Built on the reputation model on main today (``sim.reputation``: exposure of public posts, sentiment by the thread's
state, pile-ons, word of mouth, silent churn, the value of a fast reply). The expectation-driven reputation and the
manager's ledger of customers retained, lost and won (the issue in progress) will replace its middle; this lesson must
be brought onto them when they land (docs/app.md). The day is retail_reputation.toml's social desk without the phone
line (so no spill-over from bad calls), reputation settings as there (docs/reputation.md).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

import sim

# What customers expect of a first reply (domain notes §3): within 1 h (Convince & Convert / Edison: 42% of
# complainers; Lithium: 72%), within 4 h (Sprout Social 2016: the expected time), the same day (NM Incite 2012: 83%).
WINDOWS = (("within 1 h", 3600.0), ("within 4 h", 4 * 3600.0), ("the same day", 24 * 3600.0))
VOLUMES = [2, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 1, 1, 1.5, 2, 2.5, 3.5,
           4.5, 5, 5.5, 6, 6, 6, 6.5, 7, 7.5, 7, 6, 5.5, 5.5, 5.5, 6, 6.5, 7, 7.5, 8, 8.5, 9, 9, 8.5, 8,
           7, 6, 5, 4.5, 3.5, 3, 2.5, 2]  # posts per 30 min, retail_social.toml's shape [assumed]
# (channel, metric, label, scale, unit)
ROWS = (
    ("social", "first_response_median_s", "first reply, median (replied posts)", 1 / 60, "min"),
    ("social", "first_response_p90_s", "first reply, 90th percentile", 1 / 60, "min"),
    ("social", "ignored_share", "posts never answered", 100.0, "%"),
    ("reputation", "impressions_negative", "negative impressions (unanswered complaints, bad word of mouth)", 1.0, ""),
    ("reputation", "impressions_positive", "positive impressions (replies, resolutions, praise)", 1.0, ""),
    ("reputation", "pile_on_posts", "pile-on posts (others joining a complaint)", 1.0, ""),
    ("reputation", "churned", "customers lost (silent churn)", 1.0, ""),
    ("reputation", "revenue_at_risk", "revenue at risk ($400 a customer lost, assumed)", 1.0, "$"),
    ("reputation", "reply_value", "value of replies (willingness to pay, Twitter / AMS 2016)", 1.0, "$"),
    ("reputation", "net_reputation", "net reputation (impressions weighted by sentiment)", 1.0, ""),
)


@dataclass(frozen=True)
class DelayInputs:
    """The controls of lesson 4 (defaults: scenarios/retail_reputation.toml)."""

    agents: int = 3
    concurrency: int = 3
    answer_complaints: float = 0.9
    excitation: float = 0.3

    def scenario(self, replications: int = 3, seed: int = 2024) -> dict:
        social = {
            "mode": "session",  # the slot-holding model this lesson still teaches (docs/app.md: to move to messaging)
            "arrivals": {"interval": "30min", "volumes": VOLUMES},
            "message_time": {"dist": "lognormal", "mean": "2min", "cv": 0.8},
            "kinds": {"complaint": 0.5, "question": 0.35, "praise": 0.15},
            "public": 0.6,
            "reach": {"dist": "pareto", "exponent": 2.2, "min": 50, "cap": 10_000_000},
            "exchanges": {"dist": "uniform", "low": 3, "high": 6},
            "think_time": {"dist": "lognormal", "mu": 5.193, "sigma": 1.0},
            "silence": 0.1, "to_dm": 0.3, "inactivity_timeout": "1h",
            "resolve": {"complaint": 0.7, "question": 0.85, "praise": 1.0},
            "patience": {"dist": "exponential", "mean": "8h"},
            "triage": {"answer": {"complaint": float(self.answer_complaints), "question": 0.9, "praise": 0.2},
                       "order": "fifo", "expire_after": "24h"},
            "targets": {"answer_within": "60min", "service_level": 0.90},
        }
        return {
            "schema": 1, "name": "lesson_reputation",
            "description": "Lesson 4 (response delay and reputation): a day of social posts and the reputation model, "
                           "as set in the teaching app.",
            "run": {"start": "2024-01-01 00:00", "horizon": "1d", "warmup": "0s", "replications": int(replications),
                    "seed": int(seed), "interval": "30min"},
            "channels": {"social": social},
            "agents": {"social": {"serves": ["social"], "count": int(self.agents), "concurrency": int(self.concurrency),
                                  "concurrency_slowdown": 0.18, "cost_per_hour": 30.0}},
            "reputation": {
                "value_per_customer": 400.0,
                "exposure": {"peak": "72s", "half_life": "80min", "impressions_per_follower": 0.1},
                "sentiment": {"unanswered_complaint": -1.0, "unanswered_question": -0.25, "reply": 0.5,
                              "resolved": 1.0, "praise": 1.0, "reply_value": [["6min", 20.0], ["60min", 2.33]]},
                "pile_on": {"excitation": float(self.excitation), "reach_exponent": 0.5, "damping": 0.2,
                            "kernel": "visibility"},
                "word_of_mouth": {"share": 0.44, "told_good": 15, "told_bad": 24, "social_multiplier": 3.0},
                "churn": {"probability": 0.1},
                "repeat": {"probability": 0.1, "delay": {"dist": "exponential", "mean": "4h"}},
            },
        }


def windows(contacts: pd.DataFrame) -> pd.DataFrame:
    """Share of posts (those that ask for a reply: praise excluded) with a first reply within each window, per
    replication: the mean and the range over replications."""
    c = contacts[(contacts["channel"].astype(str) == "social") & (contacts["kind"].astype(str) != "praise")]
    rows = []
    for label, limit in WINDOWS:
        per = c.groupby("replication")["first_response_s"].apply(lambda s, t=limit: float((s <= t).mean()))
        rows.append({"window": label, "seconds": limit, "share": per.mean() * 100.0})
    return pd.DataFrame(rows)


def compute(inputs: DelayInputs, replications: int = 3) -> dict:
    """Run the day: ``table`` (summary rows with 95% CI half-widths, display units), ``windows``, ``replies`` (first
    reply minutes of every post that asks for one, NaN never), ``visible`` (unanswered complaints visible per
    half-hour, mean over replications)."""
    res = sim.run(sim.parse_scenario(inputs.scenario(replications), source="lesson 4"))
    s = res.summary.set_index(["channel", "metric"])
    rows = []
    for ch, metric, label, scale, unit in ROWS:
        key = (ch, metric)
        mean = s.at[key, "mean"] * scale if key in s.index else np.nan
        hw = s.at[key, "half_width"] * scale if key in s.index else np.nan
        rows.append({"metric": metric, "label": label, "unit": unit, "simulated": mean, "half_width": hw})
    c = res.contact_view()[(res.contact_view()["channel"].astype(str) == "social") & (res.contact_view()["kind"].astype(str) != "praise")]
    rep = res.reputation
    visible = rep.groupby("interval_start_at_s")["visible_unanswered_complaints"].mean() if rep is not None else None
    return {"table": pd.DataFrame(rows), "windows": windows(res.contact_view()), "replies": c["first_response_s"] / 60.0,
            "visible": visible, "replications": replications}
