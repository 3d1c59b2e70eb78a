"""Resolution over the nights that follow: for the customers whose first contact arrives in the measurement window,
the share resolved by the end of that day, within 24 h and within 72 h — the same definitions on every channel.

Asynchronous work carries over nights (a thread left open at 20:00 may be answered the next morning), so a share
"resolved by midnight" alone would cut off the backlog the next day's desk clears. The measurement window is the
arrivals from the end of the warm-up to 72 h before the horizon, so the run goes on at least 72 h past the last
counted arrival and no counted customer is cut off; a run shorter than warm-up + 72 h reports none of these.

A customer is a ``customer_id``; their first contact is their earliest arrival (redials and repeat calls are later
attempts of the same customer). A contact is resolved at ``resolved_at_s`` for social and email (the reply the issue
needed, confirmed or not), and for calls at the end of a served call that resolved the issue (the funnel's
``resolved``; a plain queue: every served call). End of day: midnight after the first contact, in the scenario's
calendar (``[run] start``). Metrics (per replication, channel of the first contact): ``customers_counted``,
``resolved_by_end_of_day_share``, ``resolved_within_24h_share``, ``resolved_within_72h_share``.

Self-service counts as resolution wherever it happens, over one denominator (customers with an issue): a caller who
self-serves in the IVR is resolved at the end of that call, and a customer whose question is *deflected* — they read
a public answer to the same question and never post (``[reputation.deflection]``, docs/reputation.md) — is resolved
at that instant. Deflections come from the ``deflections`` table (``sim.reputation.deflection``: each deflected
question's ``customer_id`` and time) and count as one more try of their customer: a customer is counted once, whatever
their tries — a deflected follow-up post (``[[next_try]]``) resolves the customer its first contact already counts; a
customer whose first try was deflected is a customer of that channel, resolved at once (``deflected_counted``: how
many of the counted customers they are, on both designs of a comparison the same population).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from sim.grouping import pairs, runs, sort_order, sorted_codes, tidy_frame
from sim.metrics import label_test

DAY = 86400.0
HORIZONS = {"resolved_by_end_of_day_share": None, "resolved_within_24h_share": DAY,
            "resolved_within_72h_share": 3 * DAY}


def clock_of(scenario) -> dict:
    """What the horizon metrics need to know of a scenario's clock."""
    return {"warmup_s": scenario.run.warmup_s, "horizon_s": scenario.run.horizon_s,
            "start_clock_s": scenario.calendar.start_clock_s}


def resolved_at(contacts: pd.DataFrame) -> np.ndarray:
    """When each contact resolved its customer's issue (NaN: not resolved)."""
    end = contacts["end_at_s"].to_numpy(float)
    at = np.where(label_test(contacts["outcome"])("served", "self_served"), end, np.nan)
    if "resolved" in contacts:  # known and false: not resolved
        unresolved = pd.array(contacts["resolved"], dtype="boolean").to_numpy(dtype=float, na_value=np.nan) == 0.0
        at = np.where(unresolved, np.nan, at)
    if "resolved_at_s" in contacts:
        conv = contacts["first_response_s"].notna().to_numpy() | contacts["kind"].notna().to_numpy() \
            if "kind" in contacts else np.zeros(len(contacts), bool)
        at = np.where(conv, contacts["resolved_at_s"].to_numpy(float), at)
    return at


def tries(contacts: pd.DataFrame, deflections: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every try of every customer, in (replication, customer, arrival) order: the contacts (resolved at
    ``resolved_at``) and the deflected questions (resolved the instant they were deflected; ``deflected`` true)."""
    c = pd.DataFrame({"replication": contacts["replication"].to_numpy(),
                      "customer": contacts["customer_id"].to_numpy(np.int64),
                      "channel": contacts["channel"].astype(object).to_numpy(),
                      "arrival": contacts["arrival_at_s"].to_numpy(float),
                      "resolved_at": resolved_at(contacts), "deflected": False})
    if deflections is not None and len(deflections):
        at = deflections["deflected_at_s"].to_numpy(float)
        d = pd.DataFrame({"replication": deflections["replication"].to_numpy(),
                          "customer": deflections["customer_id"].to_numpy(np.int64),
                          "channel": deflections["channel"].astype(object).to_numpy(),
                          "arrival": at, "resolved_at": at, "deflected": True})
        c = pd.concat([c, d], ignore_index=True)
    return c.sort_values(["replication", "customer", "arrival"], kind="stable")


def _try_arrays(contacts: pd.DataFrame, deflections: pd.DataFrame | None = None) -> dict[str, np.ndarray]:
    """``tries`` as arrays: the same rows in the same order, ``channel`` as codes into ``labels`` (the channels'
    names, sorted)."""
    codes, labels = sorted_codes(contacts["channel"])
    cols = {"replication": contacts["replication"].to_numpy(), "customer": contacts["customer_id"].to_numpy(np.int64),
            "channel": codes, "arrival": contacts["arrival_at_s"].to_numpy(float), "resolved_at": resolved_at(contacts),
            "deflected": np.zeros(len(contacts), bool)}
    if deflections is not None and len(deflections):
        d_codes, d_labels = sorted_codes(deflections["channel"])
        both = np.union1d(labels.astype(str), d_labels.astype(str)).astype(object)
        recode = lambda c, own: np.where(c >= 0, np.searchsorted(both, own.astype(str))[np.maximum(c, 0)], -1) \
            if len(own) else c
        at = deflections["deflected_at_s"].to_numpy(float)
        more = {"replication": deflections["replication"].to_numpy(),
                "customer": deflections["customer_id"].to_numpy(np.int64), "channel": recode(d_codes, d_labels),
                "arrival": at, "resolved_at": at, "deflected": np.ones(len(deflections), bool)}
        cols = {k: np.concatenate([recode(codes, labels) if k == "channel" else v, more[k]]) for k, v in cols.items()}
        labels = both
    order = sort_order(cols["replication"], cols["customer"], cols["arrival"])  # stable: ties in row order
    out = cols if order is None else {k: v[order] for k, v in cols.items()}
    out["labels"] = labels
    return out


def horizon_metrics(contacts: pd.DataFrame, clock: dict, deflections: pd.DataFrame | None = None) -> pd.DataFrame:
    """Tidy rows (replication, channel, metric, value); empty when the run is shorter than warm-up + 72 h.
    ``deflections``: the deflected questions (``Results.deflections``), each resolving its customer at once. Rows per
    replication, then channel in the channels' sorted order (what grouping the customers by both gives)."""
    cols = ["replication", "channel", "metric", "value"]
    last = clock["horizon_s"] - 3 * DAY
    if last <= clock["warmup_s"] or contacts.empty:
        return pd.DataFrame(columns=cols)
    t = _try_arrays(contacts, deflections)
    starts = runs(t["replication"], t["customer"])  # each customer's tries together, the first try first
    first = t["arrival"][starts]
    resolved = np.fmin.reduceat(t["resolved_at"], starts) if len(starts) else np.zeros(0)  # (missing left out)
    counted = (first >= clock["warmup_s"]) & (first < last)
    first, resolved, starts = first[counted], resolved[counted], starts[counted]
    if not len(starts):
        return pd.DataFrame(columns=cols)
    shift = clock["start_clock_s"]
    eod = (np.floor((first + shift) / DAY) + 1) * DAY - shift
    took = resolved - first
    flags = {}
    for name, h in HORIZONS.items():
        flags[name] = np.nan_to_num(resolved, nan=np.inf) <= eod if h is None else np.nan_to_num(took, nan=np.inf) <= h
    reps, chans, group = pairs(t["replication"][starts], t["channel"][starts], len(t["labels"]))
    ok = slice(None) if (group >= 0).all() else group >= 0  # (a contact without a channel: none)
    total = lambda w=None: np.bincount(group[ok], weights=None if w is None else w[ok].astype(float),
                                       minlength=len(reps))
    counted_n = total().astype(float)
    values = {"customers_counted": counted_n, **{k: total(v) / counted_n for k, v in flags.items()},
              "deflected_counted": total(t["deflected"][starts])}
    return tidy_frame({"replication": reps, "channel": t["labels"][chans]}, values)[cols]
