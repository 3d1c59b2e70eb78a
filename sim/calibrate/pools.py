"""Skill pools from the records: call types and the agents who serve them.

An agent is *dedicated* to a call type when at least ``share`` (95%) of their services over the chosen days are of
that type and they served at least ``min_services`` (30) calls. A type other than the most served one gets a pool of
its own when its dedicated agents answered at least ``coverage`` (50%) of its served calls; every other agent is in the general pool, which
serves every type (general queue first, then the pools' queues: the records show general agents taking the rest of
the pool's calls). Example: from September 1999 the Anonymous Bank has an internet team — eight agents named ``Z2…``
answer only ``IN`` calls (10% of arrivals, 87% of them answered by the team); in March there is none.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

GENERAL = "general"


@dataclass(frozen=True)
class Pools:
    """``types``: pool name → call types it owns; ``agents``: agent name → pool (absent: general)."""

    types: dict
    agents: dict
    table: pd.DataFrame      # per type: served, by_dedicated, dedicated_agents, pool

    @property
    def names(self) -> list[str]:
        return [GENERAL, *self.types]

    def pool_of_type(self, call_type: str) -> str:
        for name, owned in self.types.items():
            if call_type in owned:
                return name
        return GENERAL

    def label_calls(self, calls: pd.DataFrame) -> pd.Series:
        """The pool (queue) of each call, by its type."""
        lookup = {t: name for name, owned in self.types.items() for t in owned}
        return calls["type"].map(lookup).fillna(GENERAL)

    def label_agents(self, agents: pd.Series) -> pd.Series:
        return agents.map(self.agents).fillna(GENERAL)


def single_pool() -> Pools:
    return Pools({}, {}, pd.DataFrame(columns=["type", "served", "by_dedicated", "dedicated_agents", "pool"]))


def find_pools(calls: pd.DataFrame, days, share: float = 0.95, min_services: int = 30,
               coverage: float = 0.5) -> Pools:
    """Skill pools of the chosen days (see the module notes)."""
    s = calls[(calls["outcome"] == "served") & (calls["agent"] != "") & calls["arrival_at"].dt.date.isin(set(days))]
    if s.empty:
        return single_pool()
    by = s.groupby(["agent", "type"], observed=True).size().unstack(fill_value=0)
    total = by.sum(axis=1)
    top = by.idxmax(axis=1)
    top_share = by.max(axis=1) / total
    dedicated = top[(top_share >= share) & (total >= min_services)]
    served_by_type = s.groupby("type", observed=True).size()
    rows, types, agents = [], {}, {}
    for t, n in served_by_type.items():
        members = sorted(dedicated[dedicated == t].index)
        by_ded = int(by.loc[members, t].sum()) if members else 0
        own = members and by_ded >= coverage * n and t != served_by_type.idxmax()  # the main type is the general pool's
        pool = f"pool_{str(t).lower()}" if own else GENERAL
        if pool != GENERAL:
            types[pool] = (t,)
            agents.update({a: pool for a in members})
        rows.append({"type": t, "served": int(n), "by_dedicated": by_ded, "dedicated_agents": len(members),
                     "pool": pool})
    return Pools(types, agents, pd.DataFrame(rows))
