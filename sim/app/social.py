"""Lesson 3, funnel or direct social on the same customers: the headline study (experiments/funnel_vs_social.py) in
small, two designs paired on one population.

The social team works as asynchronous messaging (``sim.social.messaging``, the default): an agent's time goes only to
replies, a thread waits for the customer between replies, and a customer whose message waits longer than their reply
patience leaves without saying so. Resolution is counted over the nights that follow (``sim.horizons``): the share of
the morning's customers resolved by the end of their day, within 24 h and within 72 h, the same definitions for calls
and posts. Two self-help assumptions are controls, written into the scenario by ``sim.app.tries``: the next try (one
probability and one mean delay of trying again after a failed or unresolved contact, the same rule on the phone and
on social) and deflection (a public answer keeps a share of later questions on its topic from being posted; the
deflected count as resolved at once, ``sim.horizons``).

One population of customers with an issue arrives over a morning (``[choice]``, ``sim.choice``); in the phone design
all call the funnel of lesson 2, in the other design a share of them
post to a social team instead. Both designs get the same budget: the same agents on the same daily shift at the same
price, the phone teams keeping (1 − share) of the agents and the social team the rest. Same seed, same replication
indices: each customer arrives at the same moment with the same phone and social persona in both designs (common
random numbers), so the differences are paired, replication by replication.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import stats

import sim
from sim.app import tables, tries
from sim.app.scenarios import DEPARTMENTS, funnel_scenario, menu_tree, split_agents
from sim.horizons import HORIZONS

CAUSED = 500_000_000  # contact ids past this offset (per channel) are later attempts or posts the model caused
COST_PER_HOUR = 30.0  # every agent, phone or social [assumed]
OPENS_H, SHIFT_H = 9, 8  # customers arrive from 09:00; agents are seated 09:00–17:00 every day [assumed]
DAYS = 4  # the morning's day and three more, so every customer is followed for 72 h (sim.horizons)
PATIENCE = {"none": None, "1 h": "1h", "4 h": "4h", "8 h": "8h", "24 h": "24h"}  # reply patience, mean
TRY_DELAY = {"15 min": 15.0, "1 h": 60.0, "4 h": 240.0}  # mean delay before the next try (minutes) [assumed]
# (metric, label, scale, unit, better when higher)
ROWS = (
    ("resolved_by_end_of_day_share", "customers resolved by the end of their day", 100.0, "%", True),
    ("resolved_within_24h_share", "customers resolved within 24 h", 100.0, "%", True),
    ("resolved_within_72h_share", "customers resolved within 72 h", 100.0, "%", True),
    ("reached_human_share", "customers who reached a person", 100.0, "%", True),
    ("time_to_human_median_min", "time to a human, median (never = ∞)", 1.0, "min", False),
    ("transfers_per_customer", "phone transfers per customer", 1.0, "", False),
    ("deflected", "questions deflected by a public answer (customers)", 1.0, "", True),
    ("cost_per_resolved", "cost per customer resolved within 72 h (a day's shift)", 1.0, "$", False),
)


@dataclass(frozen=True)
class SocialInputs:
    """The controls of lesson 3; defaults follow scenarios/study_funnel_vs_social.toml where it has them."""

    share_social: float = 1.0     # the design compared with the phone funnel (0: the funnel itself)
    agents: int = 14              # the budget: agents on the shift, phone and social together
    concurrency: int = 5          # cap on threads a messaging agent holds (default 5, LivePerson practice [assumed])
    patience: str = "8 h"         # mean reply patience before a silent abandonment (retail_social.toml; assumed)
    misroute: float = 0.07        # per menu level (domain notes §2)
    deflection: float = 0.2       # share of later questions a public answer deflects (the headline study's; assumed)
    next_try: float = 0.5         # P(try again) after a failed or unresolved contact, phone and social (assumed)
    next_try_delay: str = "1 h"   # its mean delay, exponential (assumed)
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
        # customers arrive over ``hours`` from 09:00 on the first day; three more days follow each of them for 72 h
        first, slots = OPENS_H * 2, int(round(self.hours * 2))
        volumes = [0.0] * (DAYS * 48)
        volumes[first:first + slots] = [self.customers_per_hour / 2] * slots
        raw["run"].update({"start": "2024-01-01 00:00", "horizon": f"{DAYS}d"})
        phone = raw["channels"]["phone"]
        phone["arrivals"] = {"interval": "30min", "volumes": volumes}
        phone["resolution"] = {"first_contact": 0.78, "transfer_penalty": 0.14}
        phone_agents = int(round(self.agents * (1.0 - s)))
        shares = menu_tree(3, 4, self.misroute)[2]
        counts = split_agents(phone_agents, shares) if phone_agents >= len(DEPARTMENTS) else [0] * len(DEPARTMENTS)
        for d, n in zip(DEPARTMENTS, counts):  # (almost) nobody left on the phones: the departments keep no agent
            raw["agents"][f"{d}_team"].update(shift(n))
        social = {
            "arrivals": phone["arrivals"],
            "message_time": {"dist": "lognormal", "mean": "67s", "cv": 0.8},  # equal work content: 5 min / 4.5 replies
            "kinds": {"complaint": 0.5, "question": 0.5},
            "public": 0.6,
            "reach": {"dist": "pareto", "exponent": 2.2, "min": 50, "cap": 10_000_000},
            "replies_needed": {"dist": "uniform", "low": 3, "high": 6},
            "think_time": {"dist": "lognormal", "mu": 5.193, "sigma": 1.0},
            "to_dm": 0.3,
            "affinity_window": "15min",
            "resolve": 0.78,  # the phone's first-contact resolution (study choice, assumed)
            "triage": {"answer": "all", "order": "fifo"},
            "targets": {"answer_within": "60min", "service_level": 0.90},
        }
        if PATIENCE[self.patience]:
            social["reply_patience"] = {"dist": "exponential", "mean": PATIENCE[self.patience]}
        raw["channels"]["social"] = social
        raw["choice"] = {"channels": {"phone": round(1.0 - s, 12), "social": round(s, 12)}}
        raw["agents"]["social_team"] = {"serves": ["social"], **shift(int(self.agents - phone_agents)),
                                        "concurrency": int(self.concurrency), "concurrency_slowdown": 0.18,
                                        "cost_per_hour": COST_PER_HOUR}
        tries.next_try(raw, self.next_try, TRY_DELAY[self.next_try_delay])
        tries.deflection(raw, self.deflection)
        return raw


def shift(n: int) -> dict:
    """``n`` agents seated 09:00–17:00 every day (a list of 48 half-hours, repeated daily)."""
    count = [0] * 48
    count[OPENS_H * 2:(OPENS_H + SHIFT_H) * 2] = [int(n)] * (SHIFT_H * 2)
    return {"interval": "30min", "count": count}


def customer_numbers(c: pd.DataFrame) -> dict[str, float]:
    """One replication's population numbers, per customer (``customer_id``: a redial, a second call or a next try on
    social is the same customer; contacts of people the model made up, ids past ``CAUSED``, are load, not customers):
    time to a human is from their first contact to the first human on any of their contacts, never reached counts as
    infinitely long."""
    mine = c[(c["customer_id"] % 10**9) < CAUSED]
    channel = mine["channel"].astype(str)
    ph, so = mine[channel == "phone"], mine[channel == "social"]
    g = ph.groupby("customer_id", sort=False)
    human = (g["first_answer_at_s"].min() - g["arrival_at_s"].min()).fillna(np.inf)
    if "first_response_s" in so:
        reply = so["arrival_at_s"] + so["first_response_s"].astype(float)
        gs = so.assign(reply_at=reply).groupby("customer_id", sort=False)
        s_human = (gs["reply_at"].min() - gs["arrival_at_s"].min()).fillna(np.inf)
    else:
        s_human = pd.Series(np.inf, index=so["customer_id"].unique())
    times = np.concatenate([human.to_numpy(float), s_human.to_numpy(float)])
    n = len(human) + len(s_human)
    return {"customers": float(n),
            "reached_human_share": float(np.isfinite(times).mean()) if len(times) else math.nan,
            "time_to_human_median_min": float(np.median(times)) / 60.0 if len(times) else math.nan,
            "transfers_per_customer": float(ph["transfers"].fillna(0).sum()) / n if n else math.nan}


def resolved_shares(res, contacts: pd.DataFrame) -> pd.DataFrame:
    """Per replication, the population's resolution shares by each horizon (``sim.horizons``, deflected questions
    resolved at once): the channels' shares weighted by the customers each counted; ``resolved`` within 72 h and
    ``deflected``, in customers."""
    h = tables.horizons(res, contacts).pivot_table(index=["replication", "channel"], columns="metric",
                                                   values="value", observed=True)
    n = h["customers_counted"]
    out = {metric: (h[metric] * n).groupby(level=0).sum() / n.groupby(level=0).sum() for metric in HORIZONS}
    out["resolved"] = (h["resolved_within_72h_share"] * n).groupby(level=0).sum()
    out["deflected"] = h["deflected_counted"].groupby(level=0).sum()
    return pd.DataFrame(out)


def design_rows(raw: dict) -> pd.DataFrame:
    """Per replication of one design: the population numbers, resolution by horizon and the cost per resolved
    customer (one day's shift of every agent, the same for both designs)."""
    res = sim.run(sim.parse_scenario(raw, source="lesson 3"))
    day_cost = sum(sum(a["count"]) * 0.5 * a["cost_per_hour"] for a in raw["agents"].values())
    contacts = tables.contacts(res)
    rows = [{"replication": rep, **customer_numbers(c)} for rep, c in contacts.groupby("replication", sort=True)]
    out = pd.DataFrame(rows).set_index("replication").join(resolved_shares(res, contacts))
    out["customers"] += out["deflected"]  # customers with an issue who read an answer instead of posting
    out["cost_per_resolved"] = day_cost / out["resolved"].where(out["resolved"] > 0)
    return out


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


def phone_rows(inputs: SocialInputs, replications: int) -> pd.DataFrame:
    """The phone funnel (share 0): it depends only on the budget and the menu, so a page caches it on those."""
    return design_rows(phone_inputs(inputs).scenario(0.0, replications))


def phone_inputs(inputs: SocialInputs) -> SocialInputs:
    """The inputs of the phone design: the social controls at their defaults (they change nothing on the phone)."""
    d = SocialInputs()
    return replace(inputs, share_social=0.0, concurrency=d.concurrency, patience=d.patience, deflection=d.deflection)


def compute(inputs: SocialInputs, replications: int = 3) -> dict:
    """Both designs, per replication: ``phone`` and ``design`` (small frames a precomputed grid can hold)."""
    return {"phone": phone_rows(inputs, replications), "design": design_rows(inputs.scenario(None, replications)),
            "replications": replications}


# The values each control of the page offers: the grid holds every setting one control away from the defaults, and
# every combination of the pairs in PLANES (the page's question moves deflection and the next try together).
CHOICES = {"share_social": [0.25, 0.5, 0.75, 1.0], "agents": list(range(6, 31, 4)), "concurrency": list(range(1, 7)),
           "patience": list(PATIENCE), "misroute": [0.0, 0.03, 0.07, 0.1, 0.15, 0.2, 0.3],
           "deflection": [0.0, 0.1, 0.2, 0.3, 0.4], "next_try": [0.0, 0.25, 0.5, 0.8], "next_try_delay": list(TRY_DELAY)}
PLANES = (("deflection", "next_try"),)
