"""The reputation ledger of a replication: contact columns, the per-interval table and the per-replication metrics.

Contact columns added (every contact): ``impressions`` (expected impressions of the post's thread up to the horizon,
plus the people the customer told), ``net_sentiment`` (those impressions × their sentiment weights), ``posted_publicly``
(a post: public; a call: the caller posted a complaint about it afterwards — spillover), ``churned`` (the
contacting customer left: ``sim.reputation.churn``),
``caused_by`` (pile_on, spillover, repeat, or missing for an ordinary arrival) and ``cause_contact_id`` (the contact
that caused it, −1 for none).

``Results.reputation``: one row per replication, channel and reporting interval; a contact's numbers go to its own
channel (a caller's complaint in public is a row of the social channel). Impressions by clock time:
``impressions_<state>`` for the thread states of ``sim.reputation.ledger`` and ``impressions_word_of_mouth_good/bad``
(booked when the contact ended); ``impressions_negative``/``_positive`` (by the sign of their weight),
``net_sentiment`` and its running total ``cumulative_net_reputation``; ``visible_unanswered_complaints`` (time-average
number of public complaints not yet answered); by arrival: ``public_complaints`` (those that can start a pile-on),
``pile_on_posts``, ``spillover_posts``, ``repeat_posts``, ``deflected``; by end: ``churned``, ``revenue_at_risk``
(churned × ``value_per_customer``; missing without it), the manager's customer and money columns
(``sim.reputation.manager``); by first response: ``reply_value`` (willingness to pay the
replies added); ``money_equivalent`` = reply_value − revenue_at_risk + value_per_net_impression × net_sentiment (the
parts the scenario gives money values for). ``branching_ratio``: the pile-on's n* on that channel.

Per replication (``Results.replications`` and the summary): channel ``reputation`` for the whole centre and
``reputation.<channel>`` for each channel — totals of the counts and money, ``net_reputation`` (total net sentiment),
``net_reputation_per_day``, ``money_equivalent_per_day``, ``revenue_at_risk_per_day``, ``pile_on_per_complaint``
(pile-on posts per public complaint) and ``branching_ratio`` (the largest over channels for the centre).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from sim.grouping import first_valid, group_sums, pairs_in_order
from sim.metrics import by_label, interval_edges, label_in, label_test, overlap_by_interval
from sim.reputation import manager
from sim.reputation.config import ReputationSpec, pile_on_channels, reputation_of
from sim.reputation.customers import customer_outcomes
from sim.reputation.experience import final_attempt
from sim.reputation.exposure import book_segments
from sim.reputation.ledger import POST_STATES, thread_segments
from sim.reputation.live import CAUSES
from sim.streams import Streams

CHANNEL = "reputation"
SUMS = ("impressions_negative", "impressions_positive", "public_complaints", "pile_on_posts", "spillover_posts",
        "repeat_posts", "deflected", "churned", "revenue_at_risk", "reply_value", "money_equivalent", *manager.SUMS)
COLUMNS = (*(f"impressions_{s}" for s in POST_STATES), "impressions_word_of_mouth_good",
           "impressions_word_of_mouth_bad", "impressions_negative", "impressions_positive", "net_sentiment",
           "cumulative_net_reputation", "visible_unanswered_complaints", "public_complaints", "pile_on_posts",
           "spillover_posts", "repeat_posts", "deflected", "churned", "revenue_at_risk", "reply_value",
           "money_equivalent", "branching_ratio", *manager.COLUMNS)


def _flag(df: pd.DataFrame, col: str) -> np.ndarray:
    if col not in df:
        return np.zeros(len(df), bool)
    return pd.array(df[col], dtype="boolean").fillna(False).to_numpy(bool)


def branching_ratios(scenario, spec: ReputationSpec) -> dict[str, float]:
    """n* of the pile-on on each channel it acts on."""
    if spec.pile_on is None:
        return {}
    from sim.social.spec import conversation_spec

    return {c: spec.pile_on.branching_ratio(conversation_spec(scenario.channels[c]).reach)
            for c in pile_on_channels(scenario, spec) if c in scenario.channels}


class _Book:
    """Per (channel, interval) accumulators of the ledger's columns."""

    def __init__(self, n_ch: int, n_int: int):
        self.n_ch, self.n_int = n_ch, n_int
        self.cols = {col: np.zeros((n_ch, n_int)) for col in COLUMNS}

    def add(self, col: str, channel: np.ndarray, interval: np.ndarray, weights=None) -> None:
        """Add ``weights`` (default 1 each) at (channel, interval) pairs."""
        key = channel * self.n_int + interval
        self.cols[col] += np.bincount(key, weights=weights, minlength=self.n_ch * self.n_int).reshape(self.n_ch,
                                                                                                     self.n_int)

    def add_rows(self, col: str, channel: np.ndarray, by_interval: np.ndarray, weights=None) -> None:
        """Add rows of a (items, intervals) matrix to their channels (each row × its weight)."""
        m = by_interval if weights is None else by_interval * weights[:, None]
        for k in np.unique(channel):
            self.cols[col][k] += m[channel == k].sum(axis=0)


def reputation_tables(scenario, replication: int, seed: int, contacts: pd.DataFrame,
                      raw: dict) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """``contacts`` (after the warm-up) with the reputation columns, and the interval ledger; (contacts, None) when the
    scenario has no reputation model."""
    spec = reputation_of(scenario)
    if spec is None:
        return contacts, None
    run = scenario.run
    edges = interval_edges(run)
    n_int = len(edges) - 1
    horizon = run.horizon_s
    c = contacts.reset_index(drop=True)
    n = len(c)
    channels = list(scenario.channels)
    chan = by_label(c["channel"], {name: i for i, name in enumerate(channels)}, -1, np.int64)
    kinds = np.array([scenario.channels[name].kind for name in channels], dtype=object)
    social = kinds[chan] == "social" if n else np.zeros(0, bool)
    book = _Book(len(channels), n_int)
    impressions, net = np.zeros(n), np.zeros(n)
    bin_of = lambda t: np.clip(np.searchsorted(edges, t, side="right") - 1, 0, n_int - 1)
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
    who = rows[seg["row"]]
    unanswered = seg["state"] == POST_STATES.index("unanswered_complaint")
    for k in np.unique(chan[who[unanswered]]):
        m = unanswered & (chan[who] == k)
        book.cols["visible_unanswered_complaints"][k] = overlap_by_interval(
            seg["start"][m], seg["end"][m], np.zeros(m.sum(), np.int64), 1, edges)[0] / np.diff(edges)
    if spec.exposure is not None and len(who):
        total, by = book_segments(spec.exposure, arrival[who], seg["start"], seg["end"], reach[who], edges)
        w = seg["weight"]
        impressions += np.bincount(who, weights=total, minlength=n)
        net += np.bincount(who, weights=total * w, minlength=n)
        for k, state in enumerate(POST_STATES):
            m = seg["state"] == k
            book.add_rows(f"impressions_{state}", chan[who[m]], by[m])
        book.add_rows("impressions_negative", chan[who[w < 0]], by[w < 0])
        book.add_rows("impressions_positive", chan[who[w > 0]], by[w > 0])
        book.add_rows("net_sentiment", chan[who], by, w)
        complaint = kind[who] == "complaint"
        book.add_rows("complaint_views", chan[who[complaint]], by[complaint])
        book.add_rows("complaint_views_unanswered", chan[who[unanswered]], by[unanswered])

    # Expectations, word of mouth and churn of contacting customers, booked when the contact ended.
    end = c["end_at_s"].to_numpy(float)
    ended = ~np.isnan(end) & final_attempt(c)
    endbin = bin_of(np.nan_to_num(end, nan=horizon))
    streams = Streams(seed, replication)
    who_out = customer_outcomes(scenario, spec, streams, c, channels)
    wom = spec.word_of_mouth
    if wom is not None:
        told = who_out.told_good + who_out.told_bad
        story = who_out.told_good * wom.good + who_out.told_bad * wom.bad
        impressions += told
        net += story
        for name, people in (("good", who_out.told_good), ("bad", who_out.told_bad)):
            book.add(f"impressions_word_of_mouth_{name}", chan[ended], endbin[ended], people[ended])
        for people, weight in ((who_out.told_good, wom.good), (who_out.told_bad, wom.bad)):
            if weight != 0:
                col = "impressions_positive" if weight > 0 else "impressions_negative"
                book.add(col, chan[ended], endbin[ended], people[ended])
        book.add("net_sentiment", chan[ended], endbin[ended], story[ended])

    posted = np.where(social, public, _flag(c, "posted_publicly"))
    churned = who_out.churned
    book.add("churned", chan[churned], endbin[churned])
    value = spec.value_per_customer
    book.cols["revenue_at_risk"] = book.cols["churned"] * value if value is not None \
        else np.full((len(channels), n_int), np.nan)

    # Replies' willingness to pay, booked when the first reply went out.
    replied = social & np.isin(kind, ("complaint", "question")) & ~np.isnan(reply_at)
    rv = spec.sentiment.reply_value.value(reply_at[replied] - arrival[replied])
    book.add("reply_value", chan[replied], bin_of(reply_at[replied]), rv)

    # Posts by arrival: the complaints that can start a pile-on, and the posts the mechanisms caused.
    arrbin = bin_of(arrival)
    ratios = branching_ratios(scenario, spec)
    piles = label_in(c["channel"], ratios) & public & (kind == "complaint")
    book.add("public_complaints", chan[piles], arrbin[piles])
    seen = public & (kind == "complaint")
    book.add("complaints_seen", chan[seen], arrbin[seen])
    caused = label_test(c["caused_by"]) if "caused_by" in c else (lambda *labels: np.zeros(n, bool))
    for cause in CAUSES:
        m = caused(cause)
        book.add(f"{cause}_posts", chan[m], arrbin[m])
    events = raw.get("reputation") or {}
    defl = np.asarray(events.get("deflected_at_s", []), float)
    dchan = np.array([channels.index(x) for x in events.get("deflected_channel", [])], dtype=np.int64)
    keep = defl >= run.warmup_s
    book.add("deflected", dchan[keep], bin_of(defl[keep]))

    manager.book_customers(book, spec, who_out, chan, endbin, kinds == "social", kind == "complaint")
    cols = book.cols
    cols["cumulative_net_reputation"] = np.cumsum(cols["net_sentiment"], axis=1)
    cols["money_equivalent"] = (cols["reply_value"] - np.nan_to_num(cols["revenue_at_risk"])
                                + (spec.value_per_net_impression or 0.0) * cols["net_sentiment"])
    cols["branching_ratio"] = np.repeat([[ratios.get(name, np.nan)] for name in channels], n_int, axis=1)
    starts = np.floor(edges[:-1] / run.interval_s) * run.interval_s
    table = pd.DataFrame({"replication": replication, "channel": np.repeat(channels, n_int),
                          "interval_start_at_s": np.tile(starts, len(channels)),
                          **{k: v.ravel() for k, v in cols.items()},
                          "length_s": np.tile(np.diff(edges), len(channels))})

    c["impressions"] = impressions
    c["net_sentiment"] = net
    c["posted_publicly"] = np.asarray(posted, dtype=bool)  # a post: public; a call: its caller posted about it
    c["churned"] = pd.array(churned, dtype="boolean")
    if "caused_by" not in c:
        c["caused_by"] = pd.Categorical([None] * n, categories=list(CAUSES))
        c["cause_contact_id"] = np.full(n, -1, dtype=np.int64)
    return c, table


def _metrics(tot: dict[str, np.ndarray], ratio: np.ndarray) -> dict[str, np.ndarray]:
    """The per-replication metrics of summed ledger columns ``tot`` (one value per group), as arrays in their
    order."""
    d = tot["length_s"] / 86400.0
    net, public = tot["net_sentiment"], tot["public_complaints"]
    out = {k: tot[k] for k in SUMS}
    out["net_reputation"] = net
    out["net_reputation_per_day"] = net / d
    out["money_equivalent_per_day"] = tot["money_equivalent"] / d
    out["revenue_at_risk_per_day"] = tot["revenue_at_risk"] / d
    out["pile_on_per_complaint"] = tot["pile_on_posts"] / np.where(public > 0, public, np.nan)
    out["branching_ratio"] = ratio
    frame = pd.DataFrame({k: tot[k] for k in manager.SUMS}, copy=False)
    for k, v in manager.per_replication(frame, d).items():
        out[k] = np.asarray(v, dtype=float)
    return out


def _tidy_rows(replication: np.ndarray, channel: np.ndarray, metrics: dict[str, np.ndarray]) -> list[np.ndarray]:
    """Tidy rows (replication, channel, metric, value) of metric arrays: metric by metric, every group in order."""
    n, names = len(replication), list(metrics)
    at = np.tile(np.arange(n), len(names))
    return [replication[at], channel[at], np.repeat(np.array(names, dtype=object), n),
            np.concatenate([metrics[m] for m in names]) if names else np.zeros(0)]


def reputation_metrics(table: pd.DataFrame | None) -> pd.DataFrame:
    """Tidy per-replication rows (replication, channel, metric, value) from the interval ledger: channel
    ``reputation`` (all channels, replications in order) and ``reputation.<channel>`` (replication and channel in
    the ledger's order). Totals of sums with at least one value (else missing): ``groupby(...).sum(min_count=1)``,
    grouped by integer keys (``sim.grouping``)."""
    if table is None or len(table) == 0:
        return pd.DataFrame(columns=["replication", "channel", "metric", "value"])
    cols = list(SUMS) + ["net_sentiment"]
    rep = table["replication"].to_numpy()
    group, first = pairs_in_order(rep, table["channel"])
    per_sums = group_sums(table[[*cols, "length_s"]], group, len(first), min_count=1)
    per = {k: per_sums[:, i] for i, k in enumerate([*cols, "length_s"])}
    reps, by_rep = np.unique(rep, return_inverse=True)
    centre_sums = group_sums(table[cols], by_rep, len(reps), min_count=1)
    centre = {k: centre_sums[:, i] for i, k in enumerate(cols)}
    # every channel covers the run: the centre's length is its first channel's
    centre["length_s"] = first_valid(per["length_s"], np.searchsorted(reps, rep[first]), len(reps))
    ratio = table["branching_ratio"].to_numpy(float)
    top = np.full(len(reps), np.nan)
    np.fmax.at(top, by_rep, ratio)  # the largest over channels (missing: left out)
    # the centre's rows and the channels' in one pass (each metric is row by row), then told apart
    both = _metrics({k: np.concatenate([centre[k], per[k]]) for k in per},
                    np.concatenate([top, first_valid(ratio, group, len(first))]))
    nc = len(reps)
    rows = [_tidy_rows(reps.astype(np.int64), np.full(nc, CHANNEL, dtype=object), {k: v[:nc] for k, v in both.items()}),
            _tidy_rows(rep[first].astype(np.int64),
                       np.array([f"{CHANNEL}.{c}" for c in table["channel"].to_numpy(dtype=object)[first]],
                                dtype=object), {k: v[nc:] for k, v in both.items()})]
    return pd.DataFrame({name: np.concatenate([r[i] for r in rows])
                         for i, name in enumerate(("replication", "channel", "metric", "value"))})
