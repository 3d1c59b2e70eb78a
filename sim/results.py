"""Results of a run as flat tables: contacts, intervals, agents, per-replication metrics and the summary."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.funnel.tables import funnel_columns, queue_view
from sim.metrics import COUNT_COLUMNS, add_ratios, interval_edges, overlap_by_interval, replication_metrics, summarize
from sim.outcomes import as_outcomes
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


def contact_table(scenario, replication: int, raw: dict) -> pd.DataFrame:
    """All contacts of one replication (warm-up included: the caller filters), with waits and handle times derived."""
    c = raw["contacts"]
    horizon = scenario.run.horizon_s
    answered = ~np.isnan(c["answer_at_s"])
    entry = c["queue_entry_at_s"]
    left = np.where(answered, c["answer_at_s"], np.where(np.isnan(c["end_at_s"]), horizon, c["end_at_s"]))
    wait = np.where(np.isnan(entry), 0.0, left - np.nan_to_num(entry))
    served = np.asarray(c["outcome"], dtype=object) == "served"
    df = pd.DataFrame({
        "replication": np.full(len(wait), replication, dtype=np.int64),
        **{k: v for k, v in c.items() if k not in ("handle_draw_s",)},
        "wait_s": np.maximum(wait, 0.0),
        "handle_s": np.where(served, c["end_at_s"] - c["answer_at_s"], np.nan),
    })
    df["outcome"] = as_outcomes(df["outcome"])
    for col in ("channel", "queue", "agent_group"):
        df[col] = df[col].astype("category")
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
    """Everything a run produced, as flat tables, plus where it came from.

    ``replications`` (per-replication metrics: ratios of totals per channel) and ``summary`` (their means with
    t-based CIs) are computed when first asked for, once: a sweep worker that stores only the per-replication rows
    never pays for the summary, and a caller that wants neither pays for neither."""

    contacts: pd.DataFrame
    intervals: pd.DataFrame
    agents: pd.DataFrame
    provenance: dict = field(default_factory=dict)
    legs: pd.DataFrame | None = None
    reputation: pd.DataFrame | None = None  # the reputation ledger per interval (sim.reputation.accounts)
    _replications: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    _summary: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_tables(cls, contacts, intervals, agents, provenance, legs=None, reputation=None) -> Results:
        return cls(contacts, intervals, agents, provenance, legs, reputation)

    @property
    def replications(self) -> pd.DataFrame:
        """Per replication and channel, tidy (replication, channel, metric, value): the interval totals' ratios and
        each feature's metrics."""
        if self._replications is None:
            from sim.extensions import Tables, metrics

            per_rep = replication_metrics(self.intervals)
            # each feature's metrics: response-time quantiles and agent-group load (social), impressions, net
            # reputation, churn and money on channel "reputation" (reputation), resolved by end of day, within 24 h and
            # 72 h (horizons)
            tables = Tables(self.contacts, self.intervals, self.agents, self.legs, self.reputation,
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
        """Write contacts/intervals/agents (Parquet), intervals.csv, summary.json/csv and the figures; return paths."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = []
        for name in ("contacts", "intervals", "agents", "legs", "reputation"):
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
            from sim.extensions import Tables
            from sim.extensions import figures as feature_figures
            from sim.plots import write_run_figures
            paths += write_run_figures(self.intervals, self.summary, out)
            paths += feature_figures(Tables(self.contacts, self.intervals, self.agents, self.legs, self.reputation,
                                            self.provenance), out)
        return paths
