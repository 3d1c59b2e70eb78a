"""The reputation ledger of a replication: contact columns, the per-interval table and the per-replication metrics.

Contact columns added (every contact): ``impressions`` (expected impressions of the post's thread up to the horizon,
plus the people the customer told), ``net_sentiment`` (those impressions × their sentiment weights), ``posted_publicly``
(a post: public; a call: the caller posted a complaint about it afterwards — spillover), ``churned`` (silent churn),
``caused_by`` (pile_on, spillover, repeat, or missing for an ordinary arrival) and ``cause_contact_id`` (the contact
that caused it, −1 for none).

``Results.reputation``: one row per replication and reporting interval. Impressions by clock time:
``impressions_<state>`` for the thread states of ``sim.reputation.ledger`` and ``impressions_word_of_mouth_good/bad``
(booked when the contact ended); ``impressions_negative``/``_positive`` (by the sign of their weight),
``net_sentiment`` and its running total ``cumulative_net_sentiment``; ``visible_unanswered_complaints`` (time-average
number of public complaints not yet answered); by arrival: ``public_complaints`` (those that can start a pile-on),
``pile_on_posts``, ``spillover_posts``, ``repeat_posts``, ``deflected``; by end: ``churned``, ``revenue_at_risk``
(churned × ``value_per_customer``; missing without it); by first response: ``reply_value`` (willingness to pay the
replies added); ``money_equivalent`` = reply_value − revenue_at_risk + value_per_net_impression × net_sentiment (the
parts the scenario gives money values for). ``branching_ratio``: the pile-on's n* (the largest over its channels).

Per replication (channel ``reputation`` of ``Results.replications`` and the summary): totals of the counts and money,
``net_reputation`` (total net sentiment), ``money_equivalent_per_day``, ``revenue_at_risk_per_day``,
``pile_on_per_complaint`` (pile-on posts per public complaint) and ``branching_ratio``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from sim.metrics import overlap_by_interval
from sim.reputation.config import ReputationSpec, pile_on_channels, reputation_of
from sim.reputation.experience import BAD, GOOD, final_attempt, valence
from sim.reputation.exposure import book_segments
from sim.reputation.ledger import POST_STATES, thread_segments
from sim.reputation.live import CAUSES
from sim.streams import Streams

CHANNEL = "reputation"
SUMS = ("impressions_negative", "impressions_positive", "public_complaints", "pile_on_posts", "spillover_posts",
        "repeat_posts", "deflected", "churned", "revenue_at_risk", "reply_value", "money_equivalent")
COLUMNS = (*(f"impressions_{s}" for s in POST_STATES), "impressions_word_of_mouth_good",
           "impressions_word_of_mouth_bad", "impressions_negative", "impressions_positive", "net_sentiment",
           "cumulative_net_sentiment", "visible_unanswered_complaints", "public_complaints", "pile_on_posts",
           "spillover_posts", "repeat_posts", "deflected", "churned", "revenue_at_risk", "reply_value",
           "money_equivalent", "branching_ratio")


def _flag(df: pd.DataFrame, col: str) -> np.ndarray:
    if col not in df:
        return np.zeros(len(df), bool)
    return pd.array(df[col], dtype="boolean").fillna(False).to_numpy(bool)


def branching_ratio(scenario, spec: ReputationSpec) -> float:
    if spec.pile_on is None:
        return np.nan
    from sim.social.spec import conversation_spec

    ns = [spec.pile_on.branching_ratio(conversation_spec(scenario.channels[c]).reach)
          for c in pile_on_channels(scenario, spec) if c in scenario.channels]
    return max(ns) if ns else np.nan


def reputation_tables(scenario, replication: int, seed: int, contacts: pd.DataFrame,
                      raw: dict) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """``contacts`` (after the warm-up) with the reputation columns, and the interval ledger; (contacts, None) when the
    scenario has no reputation model."""
    from sim.results import interval_edges

    spec = reputation_of(scenario)
    if spec is None:
        return contacts, None
    run = scenario.run
    edges = interval_edges(run)
    n_int = len(edges) - 1
    horizon = run.horizon_s
    c = contacts.reset_index(drop=True)
    n = len(c)
    kinds = {ch.name: ch.kind for ch in scenario.channels.values()}
    ch_kind = c["channel"].astype(object).map(kinds).to_numpy()
    social = ch_kind == "social"
    book = {col: np.zeros(n_int) for col in COLUMNS}
    impressions, net = np.zeros(n), np.zeros(n)
    bin_of = lambda t: np.clip(np.searchsorted(edges, t, side="right") - 1, 0, n_int - 1)  # noqa: E731
    arrival = c["arrival_at_s"].to_numpy(float)
    kind = c["kind"].astype(object).to_numpy() if "kind" in c else np.full(n, None, dtype=object)
    public = _flag(c, "public") & social

    # Exposure of public threads, segment by segment.
    if "first_response_s" in c:
        reply_at = arrival + c["first_response_s"].to_numpy(float)
        res_at = np.where(_flag(c, "resolved") & ~_flag(c, "to_dm"), c["resolved_at_s"].to_numpy(float), np.nan)
        reach = c["reach"].to_numpy(float)
    else:
        reply_at = res_at = reach = np.full(n, np.nan)
    rows = np.flatnonzero(public & ~np.isnan(reach))
    seg = thread_segments(kind[rows], arrival[rows], reply_at[rows], res_at[rows], horizon, spec.sentiment)
    unanswered = seg["state"] == POST_STATES.index("unanswered_complaint")
    book["visible_unanswered_complaints"] = overlap_by_interval(
        seg["start"][unanswered], seg["end"][unanswered], np.zeros(unanswered.sum(), np.int64), 1, edges)[0] \
        / np.diff(edges)
    if spec.exposure is not None and len(seg["row"]):
        who = rows[seg["row"]]
        total, by = book_segments(spec.exposure, arrival[who], seg["start"], seg["end"], reach[who], edges)
        w = seg["weight"]
        impressions += np.bincount(who, weights=total, minlength=n)
        net += np.bincount(who, weights=total * w, minlength=n)
        for k, state in enumerate(POST_STATES):
            book[f"impressions_{state}"] = by[seg["state"] == k].sum(axis=0)
        book["impressions_negative"] += by[w < 0].sum(axis=0)
        book["impressions_positive"] += by[w > 0].sum(axis=0)
        book["net_sentiment"] += (by * w[:, None]).sum(axis=0)

    # Word of mouth and silent churn, booked when the contact ended.
    val = valence(c)
    final = final_attempt(c)
    end = c["end_at_s"].to_numpy(float)
    ended = ~np.isnan(end) & final
    endbin = bin_of(np.nan_to_num(end, nan=horizon))
    wom = spec.word_of_mouth
    if wom is not None:
        told = np.where(ended, wom.people_told(val, social), 0.0)
        weight = wom.weight(val)
        impressions += told
        net += told * weight
        for v, name in ((GOOD, "good"), (BAD, "bad")):
            m = ended & (val == v)
            book[f"impressions_word_of_mouth_{name}"] = np.bincount(endbin[m], weights=told[m], minlength=n_int)
        for sign, col in ((weight < 0, "impressions_negative"), (weight > 0, "impressions_positive")):
            m = ended & sign
            book[col] += np.bincount(endbin[m], weights=told[m], minlength=n_int)
        book["net_sentiment"] += np.bincount(endbin[ended], weights=(told * weight)[ended], minlength=n_int)

    posted = np.where(social, public, _flag(c, "posted_publicly"))
    churned = np.zeros(n, bool)
    if spec.churn is not None:
        candidate = ended & (val == BAD) & ~posted
        churned = spec.churn.churned(Streams(seed, replication), c["contact_id"].to_numpy(np.int64), candidate)
        book["churned"] = np.bincount(endbin[churned], minlength=n_int).astype(float)
    value = spec.value_per_customer
    book["revenue_at_risk"] = book["churned"] * value if value is not None else np.full(n_int, np.nan)

    # Replies' willingness to pay, booked when the first reply went out.
    replied = social & np.isin(kind, ("complaint", "question")) & ~np.isnan(reply_at)
    rv = spec.sentiment.reply_value.value(reply_at[replied] - arrival[replied])
    book["reply_value"] = np.bincount(bin_of(reply_at[replied]), weights=rv, minlength=n_int)

    # Posts by arrival: the complaints that can start a pile-on, and the posts the mechanisms caused.
    arrbin = bin_of(arrival)
    piles = np.isin(c["channel"].astype(object).to_numpy(), pile_on_channels(scenario, spec))
    book["public_complaints"] = np.bincount(arrbin[piles & public & (kind == "complaint")], minlength=n_int) \
        .astype(float)
    caused = c["caused_by"].astype(object).to_numpy() if "caused_by" in c else np.full(n, None, dtype=object)
    for cause in CAUSES:
        book[f"{cause}_posts"] = np.bincount(arrbin[caused == cause], minlength=n_int).astype(float)
    events = raw.get("reputation") or {}
    defl = np.asarray(events.get("deflected_at_s", []), float)
    defl = defl[defl >= run.warmup_s]
    book["deflected"] = np.bincount(bin_of(defl), minlength=n_int).astype(float)

    book["cumulative_net_sentiment"] = np.cumsum(book["net_sentiment"])
    book["money_equivalent"] = (book["reply_value"] - np.nan_to_num(book["revenue_at_risk"])
                                + (spec.value_per_net_impression or 0.0) * book["net_sentiment"])
    book["branching_ratio"] = np.full(n_int, branching_ratio(scenario, spec))
    starts = np.floor(edges[:-1] / run.interval_s) * run.interval_s
    table = pd.DataFrame({"replication": replication, "interval_start_at_s": starts, **book,
                          "length_s": np.diff(edges)})

    c["impressions"] = impressions
    c["net_sentiment"] = net
    c["posted_publicly"] = pd.array(posted, dtype="boolean")
    c["churned"] = pd.array(churned, dtype="boolean")
    if "caused_by" not in c:
        c["caused_by"] = pd.Categorical([None] * n, categories=list(CAUSES))
        c["cause_contact_id"] = np.full(n, -1, dtype=np.int64)
    return c, table


def reputation_metrics(table: pd.DataFrame | None) -> pd.DataFrame:
    """Tidy per-replication rows (replication, channel ``reputation``, metric, value) from the interval ledger."""
    if table is None or len(table) == 0:
        return pd.DataFrame(columns=["replication", "channel", "metric", "value"])
    g = table.groupby("replication")
    tot = g[list(SUMS) + ["net_sentiment", "length_s"]].sum(min_count=1)
    days = tot["length_s"] / 86400.0
    out = tot[list(SUMS)].copy()
    out["net_reputation"] = tot["net_sentiment"]
    out["net_reputation_per_day"] = tot["net_sentiment"] / days
    out["money_equivalent_per_day"] = tot["money_equivalent"] / days
    out["revenue_at_risk_per_day"] = tot["revenue_at_risk"] / days
    out["pile_on_per_complaint"] = tot["pile_on_posts"] / tot["public_complaints"].where(tot["public_complaints"] > 0)
    out["branching_ratio"] = g["branching_ratio"].first()
    out = out.reset_index().melt(id_vars="replication", var_name="metric", value_name="value")
    out.insert(1, "channel", CHANNEL)
    return out
