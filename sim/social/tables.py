"""Interval, agent and per-replication numbers of the asynchronous channels (added when a scenario has one).

Definitions (``docs/social.md``):

- The target of a social or email channel reads as *first response* within ``answer_within``: for those channels
  ``answered_within_target`` counts posts whose first agent message was posted within the target, so ``sl_offered`` is
  the share of all posts (ignored ones included) answered in time and ``sl_responded`` the share of responded ones.
- ``responded``: posts with a first response (calls: answered); ``first_response_sum_s`` their arrival-to-first-
  response times (calls: arrival to answer). ``ignored``, ``silent``: outcome counts. ``resolved``: conversations that
  ended resolved (contacts without a resolution model: served); ``resolution_sum_s``: arrival to resolution.
- ``backlog_s`` (clock time): ∫ number of contacts awaiting their first response dt — posts from arrival until the first
  response, calls from queue entry until answered; ``mean_backlog`` = backlog_s / length.
- Agent busy time on conversations is the time spent working messages (never the customers' think time).
- Agents table: ``open_conversation_s`` = ∫ open conversations dt, ``open_conversations`` = that / staffed time.
- Per replication: medians and 90th percentiles of first response and resolution times over the posts that got one
  (``first_response_median_s``, ``first_response_p90_s``, ``resolution_median_s``), and per agent group
  (channel ``agents.<group>``) ``occupancy`` and ``open_conversations``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from sim.intervals import IntervalContext, IntervalPart
from sim.metrics import CONVERSATION_RATIOS, by_label, label_test, overlap_by_interval
from sim.social.kinds import conversation_channel


def conversation_mask(scenario, df: pd.DataFrame) -> np.ndarray | None:
    """Rows of ``df`` on a social or email channel, or None when the scenario has no such channel."""
    kinds = {ch.name: conversation_channel(ch) for ch in scenario.channels.values()}
    if not any(kinds.values()):
        return None
    return by_label(df["channel"], kinds, False, bool)


def _respond_at(allc: pd.DataFrame, conv: np.ndarray) -> np.ndarray:
    return np.where(conv, allc["arrival_at_s"].to_numpy() + allc["first_response_s"].to_numpy(float),
                    allc["answer_at_s"].to_numpy())


def backlog_by_interval(allc: pd.DataFrame, conv: np.ndarray, qcode: np.ndarray, nq: int, edges: np.ndarray,
                        horizon: float) -> np.ndarray:
    """∫ contacts awaiting a first response dt per (queue, interval), clock time."""
    start = allc["queue_entry_at_s"].to_numpy()  # posts: arrival; posts the brand chose not to answer: none
    resp = _respond_at(allc, conv)
    end = np.where(np.isnan(resp), allc["end_at_s"].to_numpy(), resp)
    end = np.where(np.isnan(end), horizon, end)
    waiting = ~np.isnan(start)
    return overlap_by_interval(start[waiting], np.minimum(end[waiting], horizon), qcode[waiting], nq, edges)


def interval_counts(c: pd.DataFrame, conv: np.ndarray, key: np.ndarray, size: int, within: np.ndarray,
                    answered_within: np.ndarray) -> dict[str, np.ndarray]:
    """Arrival-interval counts and sums of the conversation metrics (see the module notes)."""
    count = lambda m: np.bincount(key[m], minlength=size)
    total = lambda m, v: np.bincount(key[m], weights=v[m], minlength=size)
    out = label_test(c["outcome"])
    arrival = c["arrival_at_s"].to_numpy()
    fr = _respond_at(c, conv) - arrival
    responded = ~np.isnan(fr)
    hit = np.where(conv, responded & (np.nan_to_num(fr, nan=np.inf) <= within), answered_within)
    res = c["resolved"].astype("boolean") if "resolved" in c else pd.array([pd.NA] * len(c), dtype="boolean")
    resolved = np.where(pd.isna(res), out("served"), res.fillna(False).to_numpy(bool))
    res_at = np.where(conv, c["resolved_at_s"].to_numpy(float), np.where(resolved, c["end_at_s"].to_numpy(), np.nan))
    has_res = resolved & ~np.isnan(res_at)
    return {
        "answered_within_target": count(hit),
        "ignored": count(out("ignored")), "silent": count(out("silent")), "responded": count(responded),
        "resolved": count(resolved), "first_response_sum_s": total(responded, np.nan_to_num(fr)),
        "resolution_sum_s": total(has_res, np.nan_to_num(res_at - arrival)),
    }


def agent_columns(agents: pd.DataFrame, allc: pd.DataFrame, conv: np.ndarray, edges: np.ndarray,
                  horizon: float, groups: list[str]) -> pd.DataFrame:
    """``open_conversation_s`` and ``open_conversations`` (mean open conversations per staffed agent) per group."""
    ans = allc["answer_at_s"].to_numpy()
    sel = conv & ~np.isnan(ans)
    end = allc["end_at_s"].to_numpy()[sel]
    end = np.minimum(np.where(np.isnan(end), horizon, end), horizon)
    gcode = by_label(allc["agent_group"], {g: i for i, g in enumerate(groups)}, -1, np.int64)[sel]
    held = overlap_by_interval(ans[sel], end, gcode, len(groups), edges)
    agents = agents.copy()
    agents["open_conversation_s"] = held.ravel()  # rows are group-major, intervals in order (sim.results)
    staffed = agents["staffed_agent_s"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        agents["open_conversations"] = np.where(staffed > 0, agents["open_conversation_s"] / np.where(staffed > 0,
                                                                                                     staffed, 1), np.nan)
    return agents


def _arrivals(ctx: IntervalContext) -> dict[str, np.ndarray]:
    return interval_counts(ctx.offered, conversation_mask(ctx.scenario, ctx.offered), ctx.key, ctx.size, ctx.within,
                           ctx.answered_within)


def _clock(ctx: IntervalContext) -> dict[str, np.ndarray]:
    conv = conversation_mask(ctx.scenario, ctx.allc)
    return {"backlog_s": backlog_by_interval(ctx.allc, conv, ctx.qcode, len(ctx.qindex), ctx.edges,
                                             ctx.horizon).ravel()}


def _agents(ctx: IntervalContext, agents: pd.DataFrame) -> pd.DataFrame:
    return agent_columns(agents, ctx.allc, conversation_mask(ctx.scenario, ctx.allc), ctx.edges, ctx.horizon,
                         list(ctx.groups))


# ``social_intervals`` (the social feature's part of the interval tables, sim.intervals): a row for every channel's
# queue, since first response, resolution and backlog are defined for calls too (a call's first response is its
# answer); ``answered_within_target`` of ``intervals`` counts a post's first response within the target.
INTERVALS = IntervalPart(
    "social_intervals",
    applies=lambda allc, scenario: any(conversation_channel(ch) for ch in scenario.channels.values()),
    arrivals=_arrivals,
    clock=_clock,
    ratios=lambda cols: {k: v for k, v in CONVERSATION_RATIOS.items() if v[0] in cols and v[1] in cols},
    busy_elsewhere=conversation_mask,
    agents=_agents,
)


QUANTILES = {"first_response_median_s": ("first_response_s", 0.5), "first_response_p90_s": ("first_response_s", 0.9),
             "resolution_median_s": ("resolution_s", 0.5), "resolution_p90_s": ("resolution_s", 0.9)}


def replication_extras(contacts: pd.DataFrame, agents: pd.DataFrame) -> pd.DataFrame:
    """Tidy per-replication rows (replication, channel, metric, value): response/resolution quantiles per
    conversation channel, and occupancy and mean open conversations per agent group (channel ``agents.<group>``)."""
    rows = []
    is_conv = contacts["first_response_s"].notna().to_numpy() | contacts["kind"].notna().to_numpy()
    rep = contacts["replication"].to_numpy()[is_conv]
    ch = contacts["channel"]
    codes, labels = (ch.cat.codes.to_numpy(), ch.cat.categories) if isinstance(ch.dtype, pd.CategoricalDtype) \
        else pd.factorize(ch, sort=True)
    codes = codes[is_conv]
    values = {"first_response_s": contacts["first_response_s"].to_numpy(float)[is_conv],
              "resolution_s": (contacts["resolved_at_s"].to_numpy(float)
                               - contacts["arrival_at_s"].to_numpy(float))[is_conv]}
    # groups by replication, then channel (as grouping by both gives them); missing channels left out
    keep = codes >= 0
    order = np.lexsort((codes[keep], rep[keep]))
    at = np.flatnonzero(keep)[order]
    if len(at):
        gr, gc = rep[at], codes[at]
        starts = np.flatnonzero(np.concatenate([[True], (gr[1:] != gr[:-1]) | (gc[1:] != gc[:-1])]))
        for lo, hi in zip(starts, [*starts[1:], len(at)]):
            rows_g = at[lo:hi]
            for metric, (col, q) in QUANTILES.items():
                x = values[col][rows_g]
                x = x[~np.isnan(x)]
                rows.append((gr[lo], labels[gc[lo]], metric, float(np.quantile(x, q)) if len(x) else np.nan))
    if "resolution" in contacts:  # messaging threads (sim.social.messaging, sim.social.thread_records)
        rows += messaging_rows(contacts[is_conv])
    if "open_conversation_s" in agents:
        tot = agents.groupby(["replication", "agent_group"], observed=True)[
            ["busy_agent_s", "staffed_agent_s", "open_conversation_s"]].sum()
        busy, staffed, held = (tot[k].to_numpy() for k in ("busy_agent_s", "staffed_agent_s", "open_conversation_s"))
        for (rep_, grp), b, st, h in zip(tot.index, busy, staffed, held):
            rows.append((rep_, f"agents.{grp}", "occupancy", b / st if st > 0 else np.nan))
            rows.append((rep_, f"agents.{grp}", "open_conversations", h / st if st > 0 else np.nan))
    return pd.DataFrame(rows, columns=["replication", "channel", "metric", "value"])


def messaging_rows(conv: pd.DataFrame) -> list[tuple]:
    """Per replication and messaging channel, over its posts: ``resolved_confirmed_share`` and
    ``resolved_unconfirmed_share`` (the customer confirmed, or went quiet after the resolving reply),
    ``unresolved_share`` (everyone else: silent, ignored, unresolved, open), ``wasted_reply_share`` (replies written
    after the customer had left silently / replies) and ``wasted_work_share`` (their work / all reply work)."""
    rows = []
    for (rep, ch), g in conv[conv["resolution"].notna() | conv["wasted_replies"].notna()].groupby(
            ["replication", "channel"], observed=True):
        res = g["resolution"].astype(object)
        n = len(g)
        conf, unconf = float((res == "confirmed").sum()), float((res == "unconfirmed").sum())
        replies = float(g["exchanges"].astype(float).sum())
        work = float(g["work_s"].sum())
        rows += [(rep, ch, "resolved_confirmed_share", conf / n), (rep, ch, "resolved_unconfirmed_share", unconf / n),
                 (rep, ch, "unresolved_share", 1 - (conf + unconf) / n),
                 (rep, ch, "wasted_reply_share", float(g["wasted_replies"].astype(float).sum()) / replies
                  if replies else np.nan),
                 (rep, ch, "wasted_work_share", float(g["wasted_work_s"].sum()) / work if work else np.nan)]
    return rows
