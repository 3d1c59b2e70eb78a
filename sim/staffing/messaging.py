"""Staffing hooks for asynchronous messaging (``sim.social.messaging``): what a thread asks of agents.

In messaging mode an agent's time goes only to reply work, so a thread's load is its replies needed × the work per
reply (not the time it stays open), and what needs an agent at time t is a message waiting for its reply or being
replied to — not an open thread (threads held count against a cap, not against the agent's time). The formulas
(``sim.staffing.heuristics``) use the first for the offered load; the ISA (``sim.staffing.isa``) counts the second.
The search by simulation (``sim.staffing.requirements``) then judges the targets on the simulated desk itself.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from sim.social.kinds import conversation_channel


def messaging_channel(channel) -> bool:
    if not conversation_channel(channel):
        return False
    from sim.social.spec import conversation_spec
    return conversation_spec(channel).messaging


def replies_per_contact(channel) -> float:
    """Agent replies per contact: the mean replies needed of a messaging channel, 1 otherwise."""
    if not messaging_channel(channel):
        return 1.0
    from sim.social.spec import conversation_spec
    return float(conversation_spec(channel).exchanges.mean)


def messaging_group(scenario, group: str, channels) -> bool:
    """Does ``group`` answer for messaging channels only (among ``channels``, those it is primary for)?"""
    chans = [scenario.channels[c] for c in channels]
    return bool(chans) and all(messaging_channel(c) for c in chans)


def messages_in_system(legs: pd.DataFrame | None, channels, contacts: pd.DataFrame, horizon_s: float,
                       times: np.ndarray) -> np.ndarray:
    """N(t) at ``times`` for each replication: customer messages of ``channels`` waiting for a reply or being replied
    to (the ``message`` rows of ``Results.messages``, from ``ready_at_s`` to ``end_at_s``). Shape (replications,
    times)."""
    reps = np.sort(contacts["replication"].unique())
    out = np.zeros((len(reps), len(times)), dtype=np.int64)
    if legs is None or len(legs) == 0:
        return out
    ids = contacts.loc[contacts["channel"].astype(str).isin(list(channels)), "contact_id"]
    m = legs[(legs["stage"] == "message") & legs["contact_id"].isin(ids)]
    start = m["ready_at_s"].to_numpy(float)
    end = np.where(np.isnan(m["end_at_s"].to_numpy(float)), horizon_s, m["end_at_s"].to_numpy(float))
    rep = m["replication"].to_numpy()
    for i, r in enumerate(reps):
        sel = rep == r
        s, e = np.sort(start[sel]), np.sort(end[sel])
        out[i] = np.searchsorted(s, times, side="right") - np.searchsorted(e, times, side="right")
    return out
