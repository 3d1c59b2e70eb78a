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

from sim.grouping import group_sums, pairs, runs, sorted_codes
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
    resolved = out("served")  # where the contact has no resolution flag
    if "resolved" in c:
        res = c["resolved"]
        resolved = np.where(res.isna().to_numpy(), resolved, res.to_numpy(dtype=bool, na_value=False))
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
    conversation channel, and occupancy and mean open conversations per agent group (channel ``agents.<group>``).

    Groups by replication, then channel (a category column: its categories' order) or agent group, as grouping by
    both gives them; each group's rows together."""
    parts: list[tuple[np.ndarray, np.ndarray, tuple[str, ...], np.ndarray]] = []  # (replication, channel, metrics,
    is_conv = contacts["first_response_s"].notna().to_numpy() | _present(contacts["kind"])  # values group × metric)
    rep = contacts["replication"].to_numpy()[is_conv]
    codes, labels = _codes(contacts["channel"])
    codes = codes[is_conv]
    values = {"first_response_s": contacts["first_response_s"].to_numpy(float)[is_conv],
              "resolution_s": (contacts["resolved_at_s"].to_numpy(float)
                               - contacts["arrival_at_s"].to_numpy(float))[is_conv]}
    # missing channels left out
    at, starts = _grouped(rep, codes)
    if len(at):
        quantiles = np.full((len(starts), len(QUANTILES)), np.nan)
        for g, (lo, hi) in enumerate(zip(starts, [*starts[1:], len(at)])):
            for j, (col, q) in enumerate(QUANTILES.values()):
                x = values[col][at[lo:hi]]
                x = x[~np.isnan(x)]
                if len(x):
                    quantiles[g, j] = float(np.quantile(x, q))
        parts.append((rep[at[starts]], labels[codes[at[starts]]], tuple(QUANTILES), quantiles))
    if "resolution" in contacts:  # messaging threads (sim.social.messaging, sim.social.thread_records)
        parts += messaging_rows(contacts[is_conv])
    if "open_conversation_s" in agents:
        a_rep = agents["replication"].to_numpy()
        a_codes, groups = _codes(agents["agent_group"])
        reps, grp, number = pairs(a_rep, a_codes, len(groups))
        busy, staffed, held = group_sums(agents[["busy_agent_s", "staffed_agent_s", "open_conversation_s"]], number,
                                         len(reps)).T
        with np.errstate(invalid="ignore", divide="ignore"):
            shares = np.column_stack([np.where(staffed > 0, busy / staffed, np.nan),
                                      np.where(staffed > 0, held / staffed, np.nan)])
        parts.append((reps, np.array([f"agents.{g}" for g in groups[grp]], dtype=object),
                      ("occupancy", "open_conversations"), shares))
    if not any(len(p[0]) for p in parts):
        return pd.DataFrame([], columns=["replication", "channel", "metric", "value"])
    return pd.DataFrame({"replication": np.concatenate([np.repeat(r, len(m)) for r, _, m, _ in parts]),
                         "channel": np.concatenate([np.repeat(np.asarray(c, dtype=object), len(m))
                                                    for _, c, m, _ in parts]),
                         "metric": np.concatenate([np.tile(np.array(m, dtype=object), len(r)) for r, _, m, _ in parts]),
                         "value": np.concatenate([v.ravel() for *_, v in parts])})


def _present(s: pd.Series) -> np.ndarray:
    """Whether each row of a label column has a label."""
    return s.cat.codes.to_numpy() >= 0 if isinstance(s.dtype, pd.CategoricalDtype) else s.notna().to_numpy()


def _codes(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A label column's codes (−1: missing) and labels: a category column's own, or the labels sorted."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return s.cat.codes.to_numpy().astype(np.int64), s.cat.categories.to_numpy(dtype=object)
    return sorted_codes(s)


def _grouped(rep: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows with a code, grouped by (replication, code) in that order (rows of a group in row order), and where
    each group starts among them."""
    keep = np.flatnonzero(codes >= 0)
    at = keep[np.lexsort((codes[keep], rep[keep]))]
    return at, (runs(rep[at], codes[at]) if len(at) else np.zeros(0, np.int64))


def messaging_rows(conv: pd.DataFrame) -> list[tuple[np.ndarray, np.ndarray, tuple[str, ...], np.ndarray]]:
    """Per replication and messaging channel, over its posts: ``resolved_confirmed_share`` and
    ``resolved_unconfirmed_share`` (the customer confirmed, or went quiet after the resolving reply),
    ``unresolved_share`` (everyone else: silent, ignored, unresolved, open), ``wasted_reply_share`` (replies written
    after the customer had left silently / replies) and ``wasted_work_share`` (their work / all reply work): the
    groups' (replication, channel, metric names, values group × metric)."""
    res = conv["resolution"]
    posts = _present(res) | conv["wasted_replies"].notna().to_numpy()
    codes, labels = _codes(conv["channel"])
    codes = np.where(posts, codes, -1)
    rep = conv["replication"].to_numpy()
    at, starts = _grouped(rep, codes)
    if not len(at):
        return []
    test = label_test(res)
    confirmed, unconfirmed = test("confirmed"), test("unconfirmed")
    exchanges = conv["exchanges"].to_numpy(dtype=float, na_value=np.nan)
    wasted = conv["wasted_replies"].to_numpy(dtype=float, na_value=np.nan)
    work, wasted_work = (np.nan_to_num(conv[k].to_numpy(dtype=float, na_value=np.nan), nan=0.0)
                         for k in ("work_s", "wasted_work_s"))
    out = np.full((len(starts), 5), np.nan)
    for g, (lo, hi) in enumerate(zip(starts, [*starts[1:], len(at)])):
        rows = at[lo:hi]
        n = len(rows)
        conf, unconf = float(confirmed[rows].sum()), float(unconfirmed[rows].sum())
        replies = float(np.nansum(exchanges[rows]))
        w = float(work[rows].sum())
        out[g, :3] = conf / n, unconf / n, 1 - (conf + unconf) / n
        out[g, 3] = float(np.nansum(wasted[rows])) / replies if replies else np.nan
        out[g, 4] = float(wasted_work[rows].sum()) / w if w else np.nan
    return [(rep[at[starts]], labels[codes[at[starts]]], ("resolved_confirmed_share", "resolved_unconfirmed_share",
                                                          "unresolved_share", "wasted_reply_share",
                                                          "wasted_work_share"), out)]
