"""Lesson 3, funnel or direct social on the same customers: the headline study (experiments/funnel_vs_social.py) in
small, two designs paired on one population.

Built on the social model on main today (``sim.social``: conversations of agent messages and customer replies,
concurrency, silent abandonment). The asynchronous-messaging, next-try and expectation models of the issues in
progress will change what a social customer does; this lesson must be brought onto them when they land (docs/app.md).

One population of customers with an issue arrives over a morning (``[choice]``, ``sim.choice``); in the phone design
all call the funnel of lesson 2 (with redials and a second call when unresolved), in the other design a share of them
post to a social team instead. Both designs get the same budget: the same agent-hours at the same price, the phone
teams keeping (1 − share) of the agents and the social team the rest. Same seed, same replication indices: each
customer arrives at the same moment with the same phone and social persona in both designs (common random numbers),
so the differences are paired, replication by replication.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

import sim
from sim.app.scenarios import DEPARTMENTS, funnel_scenario, menu_tree, split_agents

CAUSED = 500_000_000  # contact ids past this offset (per channel) are later attempts or posts the model caused
COST_PER_HOUR = 30.0  # every agent, phone or social [assumed]
# (metric, label, scale, unit, better when higher)
ROWS = (
    ("resolved_share", "customers whose issue was resolved", 100.0, "%", True),
    ("reached_human_share", "customers who reached a person", 100.0, "%", True),
    ("time_to_human_median_min", "time to a human, median (never = ∞)", 1.0, "min", False),
    ("transfers_per_customer", "phone transfers per customer", 1.0, "", False),
    ("cost_per_resolved", "cost per resolved customer", 1.0, "$", False),
)


@dataclass(frozen=True)
class SocialInputs:
    """The controls of lesson 3; defaults follow scenarios/study_funnel_vs_social.toml where it has them."""

    share_social: float = 1.0     # the design compared with the phone funnel (0: the funnel itself)
    agents: int = 14              # the budget: agents seated over the morning, phone and social together
    concurrency: int = 3          # conversations an agent holds at once (practice 2–4, domain notes §3)
    silence: float = 0.1          # P(the customer goes quiet after an agent message) (Castellanos et al.; size assumed)
    misroute: float = 0.07        # per menu level (domain notes §2)
    customers_per_hour: float = 120.0
    hours: float = 3.0

    def scenario(self, share_social: float | None = None, replications: int = 3, seed: int = 1) -> dict:
        """The scenario of one design (``share_social`` of the population on social; default: this design)."""
        s = self.share_social if share_social is None else share_social
        raw = funnel_scenario(misroute=self.misroute, calls_per_hour=self.customers_per_hour, agents=self.agents,
                              hours=self.hours, replications=replications, seed=seed, warmup_min=0.0)
        raw["name"], raw["description"] = "lesson_social", (
            "Lesson 3 (funnel or direct social): one population of customers by phone or by a social team on one "
            f"budget; this file is the design with {s:.0%} on social.")
        # customers arrive over ``hours``; two quiet hours follow to finish what was started (same for both designs)
        slots = int(round(self.hours * 2))
        raw["run"]["horizon"] = f"{slots * 30 + 120}min"
        phone = raw["channels"]["phone"]
        phone["arrivals"] = {"interval": "30min", "volumes": [self.customers_per_hour / 2] * slots + [0] * 4}
        phone["redials"] = {"probability": 0.5, "delay": {"dist": "exponential", "mean": "15min"}}  # domain notes §1
        phone["resolution"] = {"first_contact": 0.78, "transfer_penalty": 0.14, "call_again": 0.8,
                               "delay": {"dist": "exponential", "mean": "30min"}}  # a morning: shortened [assumed]
        phone_agents = int(round(self.agents * (1.0 - s)))
        shares = menu_tree(3, 4, self.misroute)[2]
        if phone_agents >= len(DEPARTMENTS):
            for d, n in zip(DEPARTMENTS, split_agents(phone_agents, shares)):
                raw["agents"][f"{d}_team"]["count"] = n
        else:  # (almost) nobody left on the phones: the departments keep no agent
            for d in DEPARTMENTS:
                raw["agents"][f"{d}_team"]["count"] = 0
        raw["channels"]["social"] = {
            "mode": "session",  # the slot-holding model this lesson still teaches (docs/app.md: to move to messaging)
            "arrivals": phone["arrivals"],
            "message_time": {"dist": "lognormal", "mean": "67s", "cv": 0.8},  # equal work content: 5 min / 4.5 msgs
            "kinds": {"complaint": 0.5, "question": 0.5},
            "public": 0.6,
            "reach": {"dist": "pareto", "exponent": 2.2, "min": 50, "cap": 10_000_000},
            "exchanges": {"dist": "uniform", "low": 3, "high": 6},
            "think_time": {"dist": "lognormal", "mu": 5.193, "sigma": 1.0},
            "silence": float(self.silence),
            "to_dm": 0.3,
            "inactivity_timeout": "1h",
            "resolve": 0.78,  # the phone's first-contact resolution (study choice, assumed)
            "triage": {"answer": "all", "order": "fifo"},
            "targets": {"answer_within": "60min", "service_level": 0.90},
        }
        raw["choice"] = {"channels": {"phone": round(1.0 - s, 12), "social": round(s, 12)}}
        raw["agents"]["social_team"] = {"serves": ["social"], "count": int(self.agents - phone_agents),
                                        "concurrency": int(self.concurrency), "concurrency_slowdown": 0.18,
                                        "cost_per_hour": COST_PER_HOUR}
        return raw


def customer_numbers(c: pd.DataFrame) -> dict[str, float]:
    """One replication's population numbers: first contacts of the day only (posts and calls the model caused are
    load, not customers); never reached or never resolved counts as infinitely long."""
    local = c["contact_id"] % 10**9
    ph = c[(c["channel"].astype(str) == "phone") & ((c["customer_id"] % 10**9) < CAUSED)]
    so = c[(c["channel"].astype(str) == "social") & (local < CAUSED)]
    g = ph.groupby("customer_id", sort=False)
    first = g["arrival_at_s"].min()
    human = (g["first_answer_at_s"].min() - first).fillna(np.inf)
    served_self = ph[ph["outcome"].astype(str) == "self_served"]["customer_id"].unique()
    human = human[~human.index.isin(served_self) | np.isfinite(human)]
    resolved = ph[ph["resolved"].astype("boolean").fillna(False).to_numpy(bool)]["customer_id"].nunique()
    s_human = so["first_response_s"].to_numpy(float) if "first_response_s" in so else np.full(len(so), np.nan)
    s_res = int(so["resolved"].astype("boolean").fillna(False).sum()) if "resolved" in so else 0
    times = np.concatenate([human.to_numpy(float), np.nan_to_num(s_human, nan=np.inf)])
    n = len(first) + len(so)
    return {"customers": float(n), "resolved": float(resolved + s_res),
            "resolved_share": (resolved + s_res) / n if n else math.nan,
            "reached_human_share": float(np.isfinite(times).mean()) if len(times) else math.nan,
            "time_to_human_median_min": float(np.median(times)) / 60.0 if len(times) else math.nan,
            "transfers_per_customer": float(ph["transfers"].fillna(0).sum()) / n if n else math.nan}


def design_rows(raw: dict) -> pd.DataFrame:
    """Per replication of one design: the population numbers and the cost per resolved customer."""
    res = sim.run(sim.parse_scenario(raw, source="lesson 3"))
    per = res.replications
    cost = per[(per["channel"].astype(str) == "all") & (per["metric"] == "cost")].set_index("replication")["value"]
    rows = []
    for rep, c in res.contact_view().groupby("replication", sort=True):
        m = customer_numbers(c)
        m["cost_per_resolved"] = float(cost.get(rep, np.nan)) / m["resolved"] if m["resolved"] else math.nan
        rows.append({"replication": rep, **m})
    return pd.DataFrame(rows).set_index("replication")


def paired(a: pd.Series, b: pd.Series) -> tuple[float, float]:
    """Mean of b − a over the replications both have, and its 95% t half-width."""
    d = (b - a).replace([np.inf, -np.inf], np.nan).dropna()
    if len(d) < 2:
        return (float(d.mean()) if len(d) else math.nan), math.nan
    return float(d.mean()), float(stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d)))


def compare(phone: pd.DataFrame, other: pd.DataFrame) -> pd.DataFrame:
    """The lesson's table: each design's mean and the paired difference (other − phone) with its 95% CI."""
    out = []
    for metric, label, scale, unit, higher in ROWS:
        d, hw = paired(phone[metric], other[metric])
        out.append({"metric": metric, "label": label, "unit": unit, "higher_is_better": higher,
                    "phone": phone[metric].replace(np.inf, np.nan).mean() * scale,
                    "design": other[metric].replace(np.inf, np.nan).mean() * scale,
                    "difference": d * scale, "half_width": hw * scale})
    return pd.DataFrame(out)
