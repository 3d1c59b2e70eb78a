"""Results of a run as flat tables: contacts and the tables of each kind of contact, legs, messages, intervals,
agents, the reputation ledger, per-replication metrics and the summary (docs/architecture.md, "Tables")."""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from sim.funnel.records import plain_call_values
from sim.funnel.tables import funnel_columns, queue_view
from sim.metrics import COUNT_COLUMNS, add_ratios, interval_edges, overlap_by_interval, replication_metrics, summarize
from sim.social.tables import (
    agent_columns,
    backlog_by_interval,
    conversation_mask,
    interval_counts,
    work_by_interval,
)

CONTACT_COLUMNS = ("replication", "contact_id", "customer_id", "attempt", "channel", "queue", "priority",
                   "arrival_at_s", "answer_at_s", "end_at_s", "wait_s", "handle_s", "outcome", "agent_group",
                   "agent_id", "ivr_s", "wrap_up_s")
# Tables of one kind of contact (one row per contact of that kind, key replication, contact_id), joined to contacts by
# contact_view: the phone funnel's calls and the social and email conversations.
KIND_TABLES = ("funnel_calls", "social_threads")
# Every table a run may make, in the order Results holds them.
TABLES = ("contacts", "funnel_calls", "social_threads", "legs", "messages", "intervals", "agents", "reputation")


def contact_view(contacts: pd.DataFrame, kinds: dict[str, pd.DataFrame | None]) -> pd.DataFrame:
    """``contacts`` with the columns of the kind tables (``funnel_calls``, ``social_threads``) joined by
    (replication, contact_id): NA on rows of another kind (integers and flags as pandas' nullable types), except the
    funnel's plain values on contacts that are neither a funnel call nor a conversation
    (``sim.funnel.records.plain_call_values``). What the feature metrics and figures read."""
    view = contacts.copy()
    key = pd.MultiIndex.from_arrays([contacts["replication"].to_numpy(), contacts["contact_id"].to_numpy()])
    found = {}
    for name in KIND_TABLES:
        t = kinds.get(name)
        if t is None:
            continue
        pos = pd.MultiIndex.from_arrays([t["replication"].to_numpy(), t["contact_id"].to_numpy()]).get_indexer(key)
        found[name] = pos >= 0
        take = np.where(pos >= 0, pos, 0)
        for col in t.columns:
            if col in ("replication", "contact_id"):
                continue
            s_ = t[col]
            dt = s_.dtype
            if isinstance(dt, pd.CategoricalDtype):
                codes = np.where(pos >= 0, s_.cat.codes.to_numpy()[take] if len(t) else -1, -1)
                view[col] = pd.Categorical.from_codes(codes, dtype=dt)
                continue
            if dt == np.dtype(bool):
                arr = pd.array(s_.to_numpy()[take] if len(t) else np.zeros(len(pos), bool), dtype="boolean")
            elif dt == np.dtype(np.int64):
                arr = pd.array(s_.to_numpy()[take] if len(t) else np.zeros(len(pos), np.int64), dtype="Int64")
            elif isinstance(dt, pd.api.extensions.ExtensionDtype):
                arr = s_.array.take(np.where(pos >= 0, pos, -1), allow_fill=True)
            else:
                arr = s_.to_numpy(dtype=float)[take] if len(t) else np.full(len(pos), np.nan)
            if not isinstance(arr, np.ndarray) or arr.dtype != float:
                arr[pos < 0] = pd.NA
            else:
                arr[pos < 0] = np.nan
            view[col] = arr
    if "funnel_calls" in found:
        view["department"] = view["department"].astype(object)
        other = found.get("social_threads", np.zeros(len(view), bool))
        view = plain_call_values(view, found["funnel_calls"] | other)
    return view


def contact_table(scenario, replication: int, c: pd.DataFrame) -> pd.DataFrame:
    """All contacts of one replication (warm-up included: the caller filters), with waits and handle times derived."""
    horizon = scenario.run.horizon_s
    answered = ~np.isnan(c["answer_at_s"])
    entry = c["queue_entry_at_s"]
    left = np.where(answered, c["answer_at_s"], np.where(np.isnan(c["end_at_s"]), horizon, c["end_at_s"]))
    wait = np.where(np.isnan(entry), 0.0, left - np.nan_to_num(entry))
    served = (c["outcome"] == "served").to_numpy()
    df = c.drop(columns=["handle_draw_s"]).assign(
        wait_s=np.maximum(wait, 0.0), handle_s=np.where(served, c["end_at_s"] - c["answer_at_s"], np.nan))
    df.insert(0, "replication", np.full(len(df), replication, dtype=np.int64))
    extra = [k for k in df.columns if k not in CONTACT_COLUMNS and k != "queue_entry_at_s"]
    return df[[*CONTACT_COLUMNS, *extra, "queue_entry_at_s"]]


def interval_tables(scenario, replication: int, allc: pd.DataFrame, staff_logs: dict,
                    work: dict | None = None, waits: dict | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per (channel, queue, interval): counts by arrival interval and agent/queue time booked by clock time.
    ``work``: agent work spans not on the contact rows (social/email messages, sim.social.records; diagnoses before a
    transfer, sim.funnel.records); ``waits``: queue waits not on the contact rows (earlier visits of transferred calls)."""
    run = scenario.run
    edges = interval_edges(run)
    n_int = len(edges) - 1
    starts = np.floor(edges[:-1] / run.interval_s) * run.interval_s
    queues = list(scenario.queue_channel().items())
    qindex = {q: i for i, (q, _) in enumerate(queues)}
    nq = len(queues)
    qcode = allc["queue"].astype(object).map(qindex).to_numpy(dtype=np.int64)
    horizon = run.horizon_s

    # Clock-time bookings (all contacts, warm-up included, clipped to the reporting window).
    ans = allc["answer_at_s"].to_numpy()
    end = allc["end_at_s"].to_numpy()
    busy_end = np.where(np.isnan(end), horizon, end + allc["wrap_up_s"].to_numpy())
    has = ~np.isnan(ans)
    conv = conversation_mask(scenario, allc)  # social/email: agents are busy while writing, not for the whole span
    if conv is not None:
        has &= ~conv
    busy_q = overlap_by_interval(ans[has], np.minimum(busy_end[has], horizon), qcode[has], nq, edges)
    if work:
        busy_q += work_by_interval(work, qindex, nq, edges, horizon)
    entry = allc["queue_entry_at_s"].to_numpy()
    inq = ~np.isnan(entry)
    queue_t = overlap_by_interval(entry[inq], entry[inq] + allc["wait_s"].to_numpy()[inq], qcode[inq], nq, edges)
    if waits:
        queue_t += work_by_interval(waits, qindex, nq, edges, horizon)

    # Staffed agent time per group, attributed to the group's queues in proportion to the busy time it gave them.
    gnames = list(scenario.agents)
    agent_rows, staffed_q, cost_q = [], np.zeros((nq, n_int)), np.zeros((nq, n_int))
    gcode = allc["agent_group"].astype(object).map({g: i for i, g in enumerate(gnames)})
    gcode = gcode.fillna(-1).astype(np.int64).to_numpy()
    for gi, g in enumerate(gnames):
        log = staff_logs[g]
        t = np.array([x[0] for x in log] + [horizon])
        n = np.array([x[1] for x in log], float)
        staffed = overlap_by_interval(t[:-1], t[1:], np.zeros(len(n), np.int64), 1, edges, weights=n)[0]
        # Paid time is the rostered (seated) count over time, breaks modelled by `availability` included.
        ps, pv = scenario.agents[g].count.steps(horizon, scenario.calendar)
        seated = overlap_by_interval(ps, np.append(ps[1:], horizon), np.zeros(len(pv), np.int64), 1, edges,
                                     weights=pv)[0]
        cost = seated / 3600.0 * scenario.agents[g].cost_per_hour
        sel = has & (gcode == gi)
        busy_gq = overlap_by_interval(ans[sel], np.minimum(busy_end[sel], horizon), qcode[sel], nq, edges)
        if work:
            busy_gq += work_by_interval(work, qindex, nq, edges, horizon, g)
        busy_g = busy_gq.sum(axis=0)
        serves = [qindex[q] for q in scenario.agents[g].serves]
        share = np.where(busy_g > 0, busy_gq / np.where(busy_g > 0, busy_g, 1), 0.0)
        even = np.zeros((nq, 1))
        even[serves] = 1.0 / len(serves)
        share = np.where(busy_g > 0, share, even)
        staffed_q += share * staffed
        cost_q += share * cost
        agent_rows.append(pd.DataFrame({"replication": replication, "agent_group": g, "interval_start_at_s": starts,
                                        "staffed_agent_s": staffed, "busy_agent_s": busy_g,
                                        "seated_agent_s": seated, "cost": cost}))
    agents = pd.concat(agent_rows, ignore_index=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        agents["occupancy"] = np.where(agents["staffed_agent_s"] > 0,
                                       agents["busy_agent_s"] / agents["staffed_agent_s"].where(agents["staffed_agent_s"] > 0, 1), np.nan)

    # Arrival-interval counts (contacts arriving after the warm-up).
    c_all = allc[allc["arrival_at_s"] >= run.warmup_s]
    c = queue_view(c_all)  # the phone funnel's busy signals, IVR-only calls and return calls are not offered to a queue
    k = np.searchsorted(edges, c["arrival_at_s"].to_numpy(), side="right") - 1
    key = c["queue"].astype(object).map(qindex).to_numpy(dtype=np.int64) * n_int + k
    size = nq * n_int
    within = c["channel"].astype(object).map({ch.name: ch.targets.answer_within_s for ch in scenario.channels.values()}).to_numpy(float)
    wait = c["wait_s"].to_numpy()
    out = c["outcome"].to_numpy(dtype=object)
    answered = ~np.isnan(c["answer_at_s"].to_numpy())
    abandoned = out == "abandoned"
    count = lambda m: np.bincount(key[m], minlength=size)
    total = lambda m, v: np.bincount(key[m], weights=v[m], minlength=size)
    allm = np.ones(len(key), bool)
    cols = {
        "offered": count(allm), "answered": count(answered), "served": count(out == "served"),
        "abandoned": count(abandoned), "open": count(out == "open"),
        "answered_within_target": count(answered & (wait <= within)),
        "abandoned_within_target": count(abandoned & (wait <= within)),
        "wait_sum_s": total(answered | abandoned, wait), "answered_wait_sum_s": total(answered, wait),
        "handle_sum_s": total(out == "served", np.nan_to_num(c["handle_s"].to_numpy())),
    }
    if conv is not None:  # first-response targets and conversation counts (sim.social.tables)
        cols.update(interval_counts(c, conversation_mask(scenario, c), key, size, within, answered & (wait <= within)))
    if c is not c_all:  # the phone funnel's counts (sim.funnel.tables)
        cols.update(funnel_columns(scenario, c_all, edges, qindex, n_int))
    df = pd.DataFrame({name: v for name, v in cols.items()})
    df.insert(0, "interval_start_at_s", np.tile(starts, nq))
    df.insert(0, "queue", np.repeat([q for q, _ in queues], n_int))
    df.insert(0, "channel", np.repeat([ch for _, ch in queues], n_int))
    df.insert(0, "replication", replication)
    df["busy_agent_s"] = busy_q.ravel()
    df["staffed_agent_s"] = staffed_q.ravel()
    df["queue_time_s"] = queue_t.ravel()
    if conv is not None:
        df["backlog_s"] = backlog_by_interval(allc, conv, qcode, nq, edges, horizon).ravel()
        agents = agent_columns(agents, allc, conv, edges, horizon, gnames)
    df["cost"] = cost_q.ravel()
    df["length_s"] = np.tile(np.diff(edges), nq)
    for col in COUNT_COLUMNS:
        df[col] = df[col].astype(np.int64)
    return add_ratios(df), agents


@dataclass
class Results:
    """Everything a run produced, as flat tables (docs/architecture.md lists every column with its unit), plus where
    it came from. Clock times (``*_at_s``) are seconds since t = 0 (``provenance["start"]``); durations (``*_s``)
    seconds.

    - ``contacts`` (key replication, contact_id): one row per contact after the warm-up, every channel — arrival,
      queue, answer, end, wait, handle, outcome (``sim.outcomes``), agent, ``resolved``, and the reputation model's
      causes, impressions, sentiment and churn when it runs.
    - ``funnel_calls`` (key replication, contact_id; None without a phone funnel): the funnel's columns of each call.
    - ``social_threads`` (key replication, contact_id; None without social or email): each conversation's kind, reach,
      visibility, exchanges, first response, resolution and work.
    - ``legs`` (key replication, contact_id, leg; None without a funnel): one row per stage of a call.
    - ``messages`` (key replication, contact_id, leg; None without social or email): one row per message of a
      conversation.
    - ``intervals`` (key replication, channel, queue, interval_start_at_s) and ``agents`` (key replication,
      agent_group, interval_start_at_s): per reporting interval.
    - ``reputation`` (key replication, channel, interval_start_at_s): the reputation ledger.
    - ``replications`` and ``summary``: per-replication metrics and their mean with a confidence interval.

    ``contact_view()`` joins the kind tables to the contacts (the wide table feature metrics read). ``replications``
    (per-replication metrics: ratios of totals per channel) and ``summary`` (their means with t-based CIs) are computed
    when first asked for, once: a sweep worker that stores only the per-replication rows never pays for the summary,
    and a caller that wants neither pays for neither.
    """

    contacts: pd.DataFrame
    intervals: pd.DataFrame
    agents: pd.DataFrame
    provenance: dict = field(default_factory=dict)
    legs: pd.DataFrame | None = None
    reputation: pd.DataFrame | None = None  # the reputation ledger per interval (sim.reputation.accounts)
    funnel_calls: pd.DataFrame | None = None
    social_threads: pd.DataFrame | None = None
    messages: pd.DataFrame | None = None
    _replications: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    _summary: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    def contact_view(self) -> pd.DataFrame:
        """The contacts with the columns of ``funnel_calls`` and ``social_threads`` joined (``contact_view``)."""
        return contact_view(self.contacts, {"funnel_calls": self.funnel_calls, "social_threads": self.social_threads})

    def tables(self):
        """What the feature metrics and figures read (``sim.extensions.Tables``), contacts as ``contact_view()``."""
        from sim.extensions import Tables

        return Tables(self.contact_view(), self.intervals, self.agents, self.legs, self.reputation, self.provenance,
                      self.provenance.get("clock"))

    @classmethod
    def from_tables(cls, contacts, intervals, agents, provenance, legs=None, reputation=None, *,
                    funnel_calls=None, social_threads=None, messages=None) -> Results:
        return cls(contacts, intervals, agents, provenance, legs, reputation, funnel_calls, social_threads, messages)

    @property
    def replications(self) -> pd.DataFrame:
        """Per replication and channel, tidy (replication, channel, metric, value): the interval totals' ratios and
        each feature's metrics (read from ``contact_view()``)."""
        if self._replications is None:
            from sim.extensions import Tables, metrics

            per_rep = replication_metrics(self.intervals)
            # each feature's metrics: response-time quantiles and agent-group load (social), impressions, net
            # reputation, churn and money on channel "reputation" (reputation), resolved by end of day, within 24 h and
            # 72 h (horizons)
            tables = Tables(self.contact_view(), self.intervals, self.agents, self.legs, self.reputation,
                            clock=self.provenance.get("clock"))
            for extra in metrics(tables):
                per_rep = pd.concat([per_rep.astype({"channel": object}), extra], ignore_index=True)
            self._replications = per_rep
        return self._replications

    @property
    def summary(self) -> pd.DataFrame:
        """Mean, sd and 95% t-based CI across replications of each (channel, metric) (``sim.metrics.summarize``)."""
        if self._summary is None:
            summary = summarize(self.replications)
            summary.attrs["provenance"] = self.provenance
            self._summary = summary
        return self._summary

    def write(self, out_dir: str | Path, figures: bool = True) -> list[Path]:
        """Write every table (Parquet), intervals.csv, summary.json/csv and the figures; return paths."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = []
        for name in TABLES:
            df = getattr(self, name)
            if df is not None:
                paths.append(out / f"{name}.parquet")
                df.to_parquet(paths[-1], index=False)
        from sim.dated import write_interval_csvs  # dated intervals.csv and intervals_mean.csv
        paths += write_interval_csvs(self.intervals, self.provenance, out)
        paths.append(out / "summary.csv")
        self.summary.to_csv(paths[-1], index=False)
        paths.append(out / "summary.json")
        paths[-1].write_text(json.dumps({"provenance": self.provenance,
                                         "summary": json.loads(self.summary.to_json(orient="records"))}, indent=2))
        if figures:
            from sim.extensions import figures as feature_figures
            from sim.plots import write_run_figures
            paths += write_run_figures(self.intervals, self.summary, out)
            paths += feature_figures(replace(self.tables(), clock=None), out)
        return paths
