"""Agents seen working per interval, measured from the services in the log.

Two measures per day and interval:

- ``agents_seen``: distinct named agents with a service overlapping the interval — what is written as the scenario's
  agent ``count``. It overstates capacity: an agent who took one call in the interval counts fully, although breaks,
  wrap-up and other work are not in the records (hence the fitted ``availability``).
- ``busy_agents``: busy agent-seconds in the interval / interval length (services of unnamed agents included) — the
  average number of agents talking, a lower bound on the agents present.
"""
from __future__ import annotations

import numpy as np
import pandas as pd


def agents_by_interval(calls: pd.DataFrame, interval_s: float = 1800.0) -> pd.DataFrame:
    """Per date and interval: agents_seen, busy_agents, answered (services starting in the interval)."""
    served = calls[(calls["outcome"] == "served") & calls["answer_at"].notna() & calls["end_at"].notna()]
    dates = sorted(set(calls["arrival_at"].dt.date))
    slots = np.arange(0, 86400, interval_s)
    index = pd.MultiIndex.from_product([dates, slots], names=["date", "interval_start_s"])
    out = pd.DataFrame(index=index, data={"agents_seen": 0, "busy_agents": 0.0, "answered": 0})
    if served.empty:
        return out.reset_index()
    origin = pd.Timestamp(dates[0])
    a = (served["answer_at"] - origin).dt.total_seconds().to_numpy()
    e = np.maximum((served["end_at"] - origin).dt.total_seconds().to_numpy(), a)
    first = np.floor(a / interval_s).astype(int)
    last = np.maximum(np.ceil(e / interval_s).astype(int) - 1, first)
    reps = last - first + 1
    call = np.repeat(np.arange(len(a)), reps)
    slot = np.repeat(first, reps) + (np.arange(reps.sum()) - np.repeat(np.cumsum(reps) - reps, reps))
    start = slot * interval_s
    overlap = np.clip(np.minimum(e[call], start + interval_s) - np.maximum(a[call], start), 0, None)
    piece = pd.DataFrame({"slot": slot, "agent": served["agent"].to_numpy()[call], "overlap": overlap})
    per_day = int(round(86400 / interval_s))
    busy = piece.groupby("slot")["overlap"].sum() / interval_s
    named = piece[(piece["agent"] != "") & ((piece["overlap"] > 0) | (reps[call] == 1))]
    seen = named.groupby("slot")["agent"].nunique()
    answered = pd.Series(first).value_counts()

    def to_index(s: pd.Series) -> pd.MultiIndex:
        day = [(origin + pd.Timedelta(days=int(k // per_day))).date() for k in s.index]
        return pd.MultiIndex.from_arrays([day, (s.index % per_day) * interval_s], names=["date", "interval_start_s"])

    for col, s in (("agents_seen", seen), ("busy_agents", busy), ("answered", answered)):
        s = s.copy()
        s.index = to_index(s)
        s = s[s.index.isin(out.index)]
        out.loc[s.index, col] = s.to_numpy()
    out["agents_seen"] = out["agents_seen"].astype(int)
    out["answered"] = out["answered"].astype(int)
    return out.reset_index()


def agents_profile(by_interval: pd.DataFrame, chosen) -> pd.DataFrame:
    """Mean (and sd) over the chosen days of agents seen and busy agents per interval of day."""
    sel = by_interval[by_interval["date"].isin(chosen)]
    g = sel.groupby("interval_start_s")
    return pd.DataFrame({"agents_seen_mean": g["agents_seen"].mean(), "agents_seen_sd": g["agents_seen"].std(ddof=1),
                         "busy_agents_mean": g["busy_agents"].mean(), "n_days": g.size()}).reset_index()
