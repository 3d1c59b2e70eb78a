"""Results of a run as flat tables: contacts and the tables of each kind of contact, legs, messages, intervals,
agents, the reputation ledger, per-replication metrics and the summary (docs/architecture.md, "Tables")."""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.funnel.records import plain_call_columns
from sim.intervals import interval_tables as build_intervals
from sim.intervals import interval_view
from sim.metrics import label_test, replication_metrics, summarize

CONTACT_COLUMNS = ("replication", "contact_id", "customer_id", "attempt", "channel", "queue", "priority",
                   "arrival_at_s", "answer_at_s", "end_at_s", "wait_s", "handle_s", "outcome", "agent_group",
                   "agent_id", "ivr_s", "wrap_up_s")
# Tables of one kind of contact (one row per contact of that kind, key replication, contact_id), joined to contacts by
# contact_view: the phone funnel's calls and the social and email conversations.
KIND_TABLES = ("funnel_calls", "social_threads")
# The features' own tables per reporting interval (key replication, channel, queue, interval_start_at_s; sim.intervals),
# joined to intervals by interval_view.
INTERVAL_TABLES = ("funnel_intervals", "social_intervals")
# Every table a run may make, in the order Results holds them.
TABLES = ("contacts", "funnel_calls", "social_threads", "legs", "messages", "intervals", *INTERVAL_TABLES, "agents",
          "reputation", "deflections")


def contact_view(contacts: pd.DataFrame, kinds: dict[str, pd.DataFrame | None]) -> pd.DataFrame:
    """``contacts`` with the columns of the kind tables (``funnel_calls``, ``social_threads``) joined by
    (replication, contact_id): NA on rows of another kind (integers and flags as pandas' nullable types), except the
    funnel's plain values on contacts that are neither a funnel call nor a conversation
    (``sim.funnel.records.plain_call_columns``). What the feature metrics and figures read."""
    if not any(kinds.get(name) is not None for name in KIND_TABLES):
        return contacts.copy(deep=False)  # (copied on write)
    cols: dict[str, Any] = {c: contacts[c] for c in contacts.columns}
    key = (contacts["replication"].to_numpy(), contacts["contact_id"].to_numpy())
    found = {}
    for name in KIND_TABLES:
        t = kinds.get(name)
        if t is None:
            continue
        pos = _positions((t["replication"].to_numpy(), t["contact_id"].to_numpy()), key)
        hit = found[name] = pos >= 0
        miss = ~hit
        take = np.where(hit, pos, 0)
        for col in t.columns:
            if col in ("replication", "contact_id"):
                continue
            s_ = t[col]
            dt = s_.dtype
            arr: Any
            if isinstance(dt, pd.CategoricalDtype):
                codes = np.where(hit, s_.array.codes[take] if len(t) else -1, -1)
                arr = pd.Categorical.from_codes(codes, dtype=dt, validate=False)
            elif dt == np.dtype(bool):  # NA where the contact is of another kind
                arr = pd.arrays.BooleanArray(s_.to_numpy()[take] if len(t) else np.zeros(len(pos), bool), miss)
            elif dt == np.dtype(np.int64):
                arr = pd.arrays.IntegerArray(s_.to_numpy()[take] if len(t) else np.zeros(len(pos), np.int64), miss)
            elif isinstance(dt, pd.api.extensions.ExtensionDtype):
                arr = s_.array.take(np.where(hit, pos, -1), allow_fill=True)
            else:
                arr = s_.to_numpy(dtype=float)[take] if len(t) else np.full(len(pos), np.nan)
                arr[miss] = np.nan
            cols[col] = arr
    if "funnel_calls" in found:
        other = found.get("social_threads", np.zeros(len(contacts), bool))
        plain_call_columns(cols, found["funnel_calls"] | other)
    return pd.DataFrame(cols, index=contacts.index, copy=False)  # new arrays, and contacts' columns copied on write


def _positions(rows: tuple[np.ndarray, np.ndarray], at: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """The row of ``rows`` (replication, contact_id arrays, unique pairs) holding each pair of ``at`` (−1: none): the
    pairs as one integer when they fit (one hash look-up per row), else as a two-level index."""
    (rr, ri), (ar, ai) = rows, at
    if len(rr) and len(ar) and all(a.dtype.kind in "iu" for a in (rr, ri, ar, ai)):
        lo_r, lo_i = min(int(rr.min()), int(ar.min())), min(int(ri.min()), int(ai.min()))
        span_r = max(int(rr.max()), int(ar.max())) - lo_r + 1
        span_i = max(int(ri.max()), int(ai.max())) - lo_i + 1
        if span_r * span_i < 2 ** 62:
            one = lambda r, i: (r.astype(np.int64) - lo_r) * span_i + (i.astype(np.int64) - lo_i)
            return pd.Index(one(rr, ri)).get_indexer(one(ar, ai))
    return pd.MultiIndex.from_arrays([rr, ri]).get_indexer(pd.MultiIndex.from_arrays([ar, ai]))


def contact_table(scenario, replication: int, c: pd.DataFrame) -> pd.DataFrame:
    """All contacts of one replication (warm-up included: the caller filters), with waits and handle times derived."""
    cols = contact_columns(scenario, replication, {k: c[k] for k in c.columns})
    return pd.DataFrame(cols, index=c.index, copy=False)  # one table, made once (the frame's columns copied on write)


def contact_columns(scenario, replication: int, c: dict[str, Any]) -> dict[str, Any]:
    """The columns of ``contact_table`` (name -> array, in its order) from the contacts' columns ``c`` (arrays or
    Series of the book's ``contacts`` table)."""
    horizon = scenario.run.horizon_s
    ans, end, entry = (np.asarray(c[k], dtype=float) for k in ("answer_at_s", "end_at_s", "queue_entry_at_s"))
    left = np.where(~np.isnan(ans), ans, np.where(np.isnan(end), horizon, end))
    wait = np.where(np.isnan(entry), 0.0, left - np.nan_to_num(entry))
    outcome = c["outcome"]
    cats = outcome.dtype.categories if isinstance(outcome.dtype, pd.CategoricalDtype) else None
    if cats is None:
        served = label_test(pd.Series(outcome, copy=False))("served")
    else:  # on the category codes
        codes = np.asarray(outcome.cat.codes if isinstance(outcome, pd.Series) else outcome.codes)
        served = codes == cats.get_loc("served") if "served" in cats else np.zeros(len(codes), bool)
    cols: dict[str, Any] = {"replication": np.full(len(ans), replication, dtype=np.int64)}
    cols.update((k, v) for k, v in c.items() if k != "handle_draw_s")
    cols.update(wait_s=np.maximum(wait, 0.0), handle_s=np.where(served, end - ans, np.nan))
    extra = [k for k in cols if k not in CONTACT_COLUMNS and k != "queue_entry_at_s"]
    return {k: cols[k] for k in (*CONTACT_COLUMNS, *extra, "queue_entry_at_s")}


def interval_tables(scenario, replication: int, allc: pd.DataFrame, staff_logs: dict,
                    work: dict | None = None, waits: dict | None = None,
                    columns: dict[str, Any] | None = None) -> dict[str, pd.DataFrame]:
    """``intervals``, ``agents`` and each feature's own interval table (``funnel_intervals``, ``social_intervals``) of
    one replication (``sim.intervals.interval_tables``, with the parts the feature list declares; ``columns``:
    ``allc``'s contact columns as arrays, when the caller has them)."""
    from sim.extensions import FEATURES

    return build_intervals(scenario, replication, allc, staff_logs, work, waits,
                           [f.intervals for f in FEATURES if f.intervals is not None], columns)


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
    - ``intervals`` (key replication, channel, queue, interval_start_at_s): per queue and reporting interval, what
      every channel has — counts by arrival interval, agent and queue time by clock time, cost, the planners' ratios.
    - ``funnel_intervals`` (same key; None without a phone funnel): the funnel's interval counts, sums and ratios, rows
      of the funnel's channels only. ``social_intervals`` (same key; None without social, email or chat): first
      response, resolution and backlog, a row for every channel's queue (a call's first response is its answer).
    - ``agents`` (key replication, agent_group, interval_start_at_s): staffed, busy and paid agent time per interval.
    - ``reputation`` (key replication, channel, interval_start_at_s): the reputation ledger.
    - ``deflections`` (key replication, contact_id; None without the reputation model): one row per question a public
      answer deflected after the warm-up — its customer, channel and time (``sim.reputation.deflection``).
    - ``replications`` and ``summary``: per-replication metrics and their mean with a confidence interval.

    ``contact_view()`` joins the kind tables to the contacts and ``interval_view()`` the feature interval tables to
    ``intervals`` (the wide tables feature metrics and figures read). ``replications`` (per-replication metrics:
    ratios of totals per channel) and ``summary`` (their means with t-based CIs) are computed when first asked for,
    once: a sweep worker that stores only the per-replication rows never pays for the summary, and a caller that wants
    neither pays for neither.
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
    funnel_intervals: pd.DataFrame | None = None
    social_intervals: pd.DataFrame | None = None
    deflections: pd.DataFrame | None = None  # the deflected questions (sim.reputation.deflection)
    _replications: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    _summary: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    _contact_view: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    _interval_view: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    def contact_view(self) -> pd.DataFrame:
        """The contacts with the columns of ``funnel_calls`` and ``social_threads`` joined (``contact_view``); made
        once (treat it as read-only)."""
        if self._contact_view is None:
            self._contact_view = contact_view(self.contacts, {"funnel_calls": self.funnel_calls,
                                                              "social_threads": self.social_threads})
        return self._contact_view

    def interval_view(self) -> pd.DataFrame:
        """``intervals`` with the columns of ``funnel_intervals`` and ``social_intervals`` joined by (replication,
        channel, queue, interval_start_at_s) (``sim.intervals.interval_view``: a funnel count is 0 and a funnel ratio
        NaN on another channel's rows); made once (treat it as read-only)."""
        if self._interval_view is None:
            self._interval_view = interval_view(self.intervals, {n: getattr(self, n) for n in INTERVAL_TABLES})
        return self._interval_view

    def tables(self):
        """What the feature metrics and figures read (``sim.extensions.Tables``): contacts as ``contact_view()``,
        intervals as ``interval_view()``."""
        from sim.extensions import Tables

        return Tables(self.contact_view(), self.interval_view(), self.agents, self.legs, self.reputation,
                      self.provenance, self.provenance.get("clock"), self.deflections)

    @classmethod
    def from_tables(cls, contacts, intervals, agents, provenance, legs=None, reputation=None, *,
                    funnel_calls=None, social_threads=None, messages=None, funnel_intervals=None,
                    social_intervals=None, deflections=None) -> Results:
        return cls(contacts, intervals, agents, provenance, legs, reputation, funnel_calls, social_threads, messages,
                   funnel_intervals, social_intervals, deflections)

    @property
    def replications(self) -> pd.DataFrame:
        """Per replication and channel, tidy (replication, channel, metric, value): the interval totals' ratios
        (``sim.metrics.replication_metrics`` of ``interval_view()``) and each feature's metrics (read from
        ``contact_view()``)."""
        if self._replications is None:
            from sim.extensions import metrics
            from sim.grouping import concat_tidy

            # each feature's metrics: response-time quantiles and agent-group load (social), impressions, net
            # reputation, churn and money on channel "reputation" (reputation), resolved by end of day, within 24 h and
            # 72 h (horizons)
            tables = replace(self.tables(), provenance=None)
            parts = [replication_metrics(tables.intervals), *metrics(tables)]
            self._replications = concat_tidy(parts) if len(parts) > 1 else parts[0]
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
        """Write every table (Parquet); the dated interval CSVs (``sim.dated.write_interval_csvs``: intervals.csv and
        intervals_mean.csv, and funnel_intervals / social_intervals .csv and _mean.csv when the run has them);
        summary.json/csv and the figures; return paths."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = []
        for name in TABLES:
            df = getattr(self, name)
            if df is not None:
                paths.append(out / f"{name}.parquet")
                df.to_parquet(paths[-1], index=False)
        from sim.dated import write_interval_csvs  # dated, one CSV per interval table
        paths += write_interval_csvs({n: getattr(self, n) for n in ("intervals", *INTERVAL_TABLES)}, self.provenance,
                                     out)
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
