"""Lesson 1, why queues form: one phone queue simulated beside the exact Erlang C and Erlang A values.

``compute(inputs, replications)`` runs the scenario of ``sim.app.scenarios.queue_scenario`` with ``sim.run`` and
returns everything the page shows: simulated metrics with 95% CIs, the exact Erlang A (patience included) and Erlang C
(nobody hangs up) values from ``sim.analytic``, the Little's law check L = λ·W per replication, the agents each
formula asks for to meet 80/20, and curves over the number of agents for the figure.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import stats

import sim
from sim import analytic
from sim.app import tables
from sim.app.scenarios import queue_scenario

# What the page shows, in the planner's words: (metric of the summary, key of sim.analytic, label, scale, unit).
ROWS = (
    ("sl_offered", "sl_offered", "service level (answered within target / offered)", 100.0, "%"),
    ("asa_s", "asa_s", "average speed of answer (answered calls)", 1.0, "s"),
    ("mean_wait_s", "mean_wait_s", "mean wait of all callers", 1.0, "s"),
    ("abandon_rate", "p_abandon", "share who hang up while waiting", 100.0, "%"),
    ("occupancy", "occupancy", "agent occupancy", 100.0, "%"),
    ("mean_queue", "mean_queue", "callers waiting, time average (L)", 1.0, ""),
)
TARGET_SL = 0.80


@dataclass(frozen=True)
class QueueInputs:
    """The controls of lesson 1 (defaults: the foundation's Erlang A scenario, scenarios/erlang_a.toml)."""

    calls_per_hour: float = 100.0
    handle_min: float = 4.0
    patience_min: float = 5.0
    agents: int = 8
    answer_within_s: float = 20.0
    hours: float = 8.0

    def scenario(self, replications: int, seed: int = 1) -> dict:
        return queue_scenario(replications=replications, seed=seed, **asdict(self))


def exact(inputs: QueueInputs, agents: int | None = None) -> tuple[dict, dict]:
    """(Erlang A, Erlang C) metrics at ``agents`` (default: the inputs' agents)."""
    n = inputs.agents if agents is None else agents
    rate = inputs.calls_per_hour / 3600.0
    service = inputs.handle_min * 60.0
    a = analytic.erlang_a_metrics(n, rate, service, inputs.patience_min * 60.0, inputs.answer_within_s)
    c = analytic.erlang_c_metrics(n, rate, service, inputs.answer_within_s)
    return a, c


def required(inputs: QueueInputs) -> dict[str, int]:
    """Agents that meet 80% answered within the target, by Erlang C and by Erlang A."""
    rate, service = inputs.calls_per_hour / 3600.0, inputs.handle_min * 60.0
    return {
        "erlang_c": analytic.required_agents(rate, service, inputs.answer_within_s, TARGET_SL),
        "erlang_a": analytic.required_agents(rate, service, inputs.answer_within_s, TARGET_SL,
                                             mean_patience_s=inputs.patience_min * 60.0),
    }


def curves(inputs: QueueInputs) -> pd.DataFrame:
    """Erlang A and Erlang C service level and abandonment over a range of agents around the offered load."""
    load = inputs.calls_per_hour * inputs.handle_min / 60.0
    lo = max(1, int(load * 0.6))
    hi = max(int(load * 1.6) + 3, inputs.agents + 3)
    rows = []
    for n in range(lo, hi + 1):
        a, c = exact(inputs, n)
        rows.append({"agents": n, "sl_erlang_a": a["sl_offered"], "sl_erlang_c": c["sl_offered"],
                     "abandon_erlang_a": a["p_abandon"], "asa_erlang_a": a["asa_s"], "asa_erlang_c": c["asa_s"]})
    return pd.DataFrame(rows)


def ci(values: np.ndarray) -> tuple[float, float]:
    """Mean and 95% t half-width of per-replication values (NaN half-width with one value)."""
    x = np.asarray(values, float)
    x = x[~np.isnan(x)]
    if len(x) < 2:
        return (float(x.mean()) if len(x) else math.nan), math.nan
    return float(x.mean()), float(stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x)))


def little(per_rep: pd.DataFrame, hours: float) -> dict[str, float]:
    """Little's law per replication: L (time-average callers waiting) against λ·W (offered per second × mean wait of
    all callers), and their ratio with a 95% CI. It holds on every sample path up to the calls still waiting at the
    ends of the window."""
    p = per_rep[per_rep["channel"].astype(str) == "phone"].pivot(index="replication", columns="metric", values="value")
    lam = p["offered"] / (hours * 3600.0)
    lw = lam * p["mean_wait_s"]
    L, L_hw = ci(p["mean_queue"])
    LW, LW_hw = ci(lw)
    ratio, ratio_hw = ci(p["mean_queue"] / lw.where(lw > 0))
    return {"L": L, "L_hw": L_hw, "lambda_per_min": float(lam.mean() * 60.0), "W_s": float(p["mean_wait_s"].mean()),
            "lambda_W": LW, "lambda_W_hw": LW_hw, "ratio": ratio, "ratio_hw": ratio_hw}


def compute(inputs: QueueInputs, replications: int = 4, seed: int = 1) -> dict:
    """Run the lesson and return its numbers: ``table`` (one row per metric: simulated mean, CI half-width, Erlang A,
    Erlang C, in display units), ``little``, ``required``, ``curves``, ``waits`` (wait and outcome of every counted
    call, for the histogram), ``replications``."""
    scenario = sim.parse_scenario(inputs.scenario(replications, seed), source="lesson 1")
    res = sim.run(scenario)
    s = res.summary[res.summary["channel"].astype(str) == "phone"].set_index("metric")
    a, c = exact(inputs)
    rows = []
    for metric, key, label, scale, unit in ROWS:
        rows.append({"metric": metric, "label": label, "unit": unit,
                     "simulated": s.at[metric, "mean"] * scale, "half_width": s.at[metric, "half_width"] * scale,
                     "erlang_a": a[key] * scale, "erlang_c": c[key] * scale})
    table = pd.DataFrame(rows)
    waits = tables.contacts(res)[["wait_s", "outcome"]].assign(outcome=lambda d: d["outcome"].astype(str))
    return {"table": table, "little": little(res.replications, inputs.hours), "required": required(inputs),
            "curves": curves(inputs), "waits": waits, "replications": replications,
            "load": inputs.calls_per_hour * inputs.handle_min / 60.0}
