"""Lesson 4, response delay and reputation: the social team's size → first reply times against what customers expect
→ what others see of it → customers retained, lost and won, and money (docs/reputation.md).

The day is retail_reputation.toml's social desk without the phone line (so no spill-over from bad calls), as
asynchronous messaging (``sim.social.messaging``: agents work only on replies; a customer whose message waits past
their reply patience leaves silently) with the reputation model as there: each customer's expected reply time drawn
from a survey's distribution (``sim.reputation.expectations``), disappointment when the reply comes later
(disconfirmation), pile-ons, word of mouth, churn, the silent majority who see unanswered complaints, and the
manager's ledger of customers and money (``sim.reputation.manager``).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

import sim
from sim.app import tables
from sim.reputation.expectations import Expectation

VOLUMES = [2, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 1, 1, 1.5, 2, 2.5, 3.5,
           4.5, 5, 5.5, 6, 6, 6, 6.5, 7, 7.5, 7, 6, 5.5, 5.5, 5.5, 6, 6.5, 7, 7.5, 8, 8.5, 9, 9, 8.5, 8,
           7, 6, 5, 4.5, 3.5, 3, 2.5, 2]  # posts per 30 min, retail_social.toml's shape [assumed]
EXPECTATIONS = {"convince_convert": "Convince & Convert / Edison (32% within 30 min, 42% within 1 h)",
                "lithium": "Lithium (72% of complainers within 1 h)",
                "nm_incite": "NM Incite (83% the same day)"}
MINUTES = np.geomspace(1.0, 24 * 60.0, 60)  # the time axis of the reply and expectation curves
# (channel, metric, label, scale, unit)
ROWS = (
    ("social", "first_response_median_s", "first reply, median (replied posts)", 1 / 60, "min"),
    ("social", "first_response_p90_s", "first reply, 90th percentile", 1 / 60, "min"),
    ("social", "ignored_share", "posts never answered (triage or expired)", 100.0, "%"),
    ("social", "silent_share", "customers who left silently, tired of waiting", 100.0, "%"),
    ("reputation", "customers_contacting", "customers who contacted", 1.0, ""),
    ("reputation", "late_responses", "of them answered later than they expected, or never", 1.0, ""),
    ("reputation", "customers_retained", "contacting customers retained", 1.0, ""),
    ("reputation", "churned", "contacting customers lost", 1.0, ""),
    ("reputation", "silent_churned", "silent majority lost (saw unanswered complaints, or had the issue)", 1.0, ""),
    ("reputation", "customers_lost", "customers lost, all", 1.0, ""),
    ("reputation", "customers_won", "customers won (good word of mouth)", 1.0, ""),
    ("reputation", "unanswered_view_share", "views of complaints made while still unanswered", 100.0, "%"),
    ("reputation", "customer_value_lost", "value of customers lost ($400 each, assumed)", 1.0, "$"),
    ("reputation", "customer_value_won", "value of customers won", 1.0, "$"),
    ("reputation", "reply_value", "value of replies (willingness to pay, Twitter / AMS 2016)", 1.0, "$"),
    ("reputation", "revenue_net", "net money of the day (won − lost + replies)", 1.0, "$"),
    ("reputation", "pile_on_posts", "pile-on posts (others joining a complaint)", 1.0, ""),
)


@dataclass(frozen=True)
class DelayInputs:
    """The controls of lesson 4 (defaults: scenarios/retail_reputation.toml)."""

    agents: int = 3
    concurrency: int = 3
    answer_complaints: float = 0.9
    excitation: float = 0.3
    expectations: str = "convince_convert"

    def scenario(self, replications: int = 3, seed: int = 2024) -> dict:
        social = {
            "arrivals": {"interval": "30min", "volumes": VOLUMES},
            "message_time": {"dist": "lognormal", "mean": "2min", "cv": 0.8},
            "kinds": {"complaint": 0.5, "question": 0.35, "praise": 0.15},
            "public": 0.6,
            "reach": {"dist": "pareto", "exponent": 2.2, "min": 50, "cap": 10_000_000},
            "replies_needed": {"dist": "uniform", "low": 3, "high": 6},
            "think_time": {"dist": "lognormal", "mu": 5.193, "sigma": 1.0},
            "reply_patience": {"dist": "exponential", "mean": "8h"},
            "to_dm": 0.3, "affinity_window": "15min",
            "resolve": {"complaint": 0.7, "question": 0.85, "praise": 1.0},
            "triage": {"answer": {"complaint": float(self.answer_complaints), "question": 0.9, "praise": 0.2},
                       "order": "fifo", "expire_after": "24h"},
            "targets": {"answer_within": "60min", "service_level": 0.90},
        }
        return {
            "schema": 1, "name": "lesson_reputation",
            "description": "Lesson 4 (response delay and reputation): a day of social posts as asynchronous messaging "
                           "and the reputation model with customers' expectations, as set in the teaching app.",
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
                "word_of_mouth": {"share": 0.44, "told_good": 15, "told_bad": 24, "social_multiplier": 3.0,
                                  "conversion": 0.01},
                "churn": {"probability": 0.1},
                "deflection": {"fraction": 0.2, "duration": "4h", "topics": 20},
                "repeat": {"probability": 0.1, "delay": {"dist": "exponential", "mean": "4h"}},
                "expectations": {"social": self.expectations},
                "disconfirmation": {"exponent": 1.0, "churn_late": 0.1},
                "silent_majority": {"ratio": 26, "ratio_other": 1, "churn_own": 0.02, "sees_public": 0.3,
                                    "churn_seen": 0.2},
            },
        }


def reply_curve(contacts: pd.DataFrame, expectations: str) -> pd.DataFrame:
    """At each time after a post (``MINUTES``): the share of posts asking for a reply (praise excluded) that had their
    first reply by then, and the share of customers who expect one by then (the survey's distribution)."""
    c = contacts[(contacts["channel"].astype(str) == "social") & (contacts["kind"].astype(str) != "praise")]
    minutes = c["first_response_s"].to_numpy(float) / 60.0
    replied = np.sort(minutes[~np.isnan(minutes)])
    n = max(len(minutes), 1)
    return pd.DataFrame({"minutes": MINUTES,
                         "replied": np.searchsorted(replied, MINUTES, side="right") / n * 100.0,
                         "expected": Expectation.preset(expectations).cdf(MINUTES * 60.0) * 100.0})


def ledger(rep: pd.DataFrame | None) -> pd.DataFrame:
    """Customers lost (contacting and silent majority) and won per half-hour of the day, mean over replications."""
    cols = ["churned", "silent_churned", "customers_won"]
    if rep is None or rep.empty:
        return pd.DataFrame(columns=["clock", *cols])
    reps = max(rep["replication"].nunique(), 1)
    by = rep.groupby("interval_start_at_s")[cols].sum() / reps
    clock = [f"{int(t // 3600) % 24:02d}:{int(t % 3600 // 60):02d}" for t in by.index]
    return by.reset_index(drop=True).assign(clock=clock)[["clock", *cols]]


def compute(inputs: DelayInputs, replications: int = 3, seed: int = 2024) -> dict:
    """Run the day: ``table`` (summary rows with 95% CI half-widths, display units), ``curve`` (first replies against
    expectations), ``ledger`` (customers lost and won per half-hour), ``replications``. Small and plain, so a
    precomputed grid (``sim.app.grid``) can hold it."""
    res = sim.run(sim.parse_scenario(inputs.scenario(replications, seed), source="lesson 4"))
    rows = []
    for ch, metric, label, scale, unit in ROWS:
        s = tables.summary(res, ch)
        mean = s.at[metric, "mean"] * scale if metric in s.index else np.nan
        hw = s.at[metric, "half_width"] * scale if metric in s.index else np.nan
        rows.append({"metric": metric, "label": label, "unit": unit, "simulated": mean, "half_width": hw})
    return {"table": pd.DataFrame(rows), "curve": reply_curve(tables.contacts(res), inputs.expectations),
            "ledger": ledger(res.reputation), "replications": replications}




# The values each control of the page offers: the grid holds every setting one control away from the defaults.
CHOICES = {"agents": list(range(1, 9)), "concurrency": list(range(1, 6)),
           "answer_complaints": [round(0.3 + 0.1 * i, 2) for i in range(8)],
           "excitation": [round(0.1 * i, 2) for i in range(7)], "expectations": list(EXPECTATIONS)}
