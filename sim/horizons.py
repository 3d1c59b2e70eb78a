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
a public answer to the same question and never post (``[reputation.deflection]``, docs/reputation.md) — is a customer
of that channel resolved at that instant (``deflected_counted``: how many of the counted customers they are). The
deflected come from the reputation ledger's ``deflected`` counts of the intervals starting in the measurement window
(exact when the window's ends fall on interval boundaries, as whole-hour warm-ups and whole-day horizons do).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

DAY = 86400.0
HORIZONS = {"resolved_by_end_of_day_share": None, "resolved_within_24h_share": DAY,
            "resolved_within_72h_share": 3 * DAY}


def clock_of(scenario) -> dict:
    """What the horizon metrics need to know of a scenario's clock."""
    return {"warmup_s": scenario.run.warmup_s, "horizon_s": scenario.run.horizon_s,
            "start_clock_s": scenario.calendar.start_clock_s}


def resolved_at(contacts: pd.DataFrame) -> np.ndarray:
    """When each contact resolved its customer's issue (NaN: not resolved)."""
    out = contacts["outcome"].astype(object).to_numpy()
    end = contacts["end_at_s"].to_numpy(float)
    at = np.where((out == "served") | (out == "self_served"), end, np.nan)
    if "resolved" in contacts:
        res = contacts["resolved"].astype("boolean")
        known = res.notna().to_numpy()
        at = np.where(known & ~res.fillna(False).to_numpy(bool), np.nan, at)
    if "resolved_at_s" in contacts:
        conv = contacts["first_response_s"].notna().to_numpy() | contacts["kind"].notna().to_numpy() \
            if "kind" in contacts else np.zeros(len(contacts), bool)
        at = np.where(conv, contacts["resolved_at_s"].to_numpy(float), at)
    return at


def deflected_in_window(reputation: pd.DataFrame | None, clock: dict) -> pd.DataFrame:
    """Deflected customers per (replication, channel) whose question arrived in the measurement window."""
    if reputation is None or "deflected" not in reputation or reputation.empty:
        return pd.DataFrame(columns=["replication", "channel", "deflected"])
    last = clock["horizon_s"] - 3 * DAY
    start = reputation["interval_start_at_s"].to_numpy(float)
    r = reputation[(start >= clock["warmup_s"]) & (start < last)]
    d = r.groupby(["replication", "channel"], sort=True)["deflected"].sum().reset_index()
    return d[d["deflected"] > 0]


def horizon_metrics(contacts: pd.DataFrame, clock: dict, reputation: pd.DataFrame | None = None) -> pd.DataFrame:
    """Tidy rows (replication, channel, metric, value); empty when the run is shorter than warm-up + 72 h.
    ``reputation``: the reputation ledger, whose deflected customers count as resolved at once."""
    cols = ["replication", "channel", "metric", "value"]
    last = clock["horizon_s"] - 3 * DAY
    if last <= clock["warmup_s"] or contacts.empty:
        return pd.DataFrame(columns=cols)
    c = pd.DataFrame({"replication": contacts["replication"].to_numpy(),
                      "customer": contacts["customer_id"].to_numpy(),
                      "channel": contacts["channel"].astype(object).to_numpy(),
                      "arrival": contacts["arrival_at_s"].to_numpy(float),
                      "resolved_at": resolved_at(contacts)}).sort_values(["replication", "customer", "arrival"])
    g = c.groupby(["replication", "customer"], sort=False)
    cust = g.agg(channel=("channel", "first"), first=("arrival", "first"), resolved=("resolved_at", "min"))
    cust = cust[(cust["first"] >= clock["warmup_s"]) & (cust["first"] < last)]
    shift = clock["start_clock_s"]
    eod = (np.floor((cust["first"].to_numpy() + shift) / DAY) + 1) * DAY - shift
    took = cust["resolved"].to_numpy() - cust["first"].to_numpy()
    flags = {"customers_counted": np.ones(len(cust))}
    for name, h in HORIZONS.items():
        flags[name] = np.nan_to_num(cust["resolved"].to_numpy(), nan=np.inf) <= eod if h is None \
            else np.nan_to_num(took, nan=np.inf) <= h
    frame = pd.DataFrame({"replication": cust.index.get_level_values(0), "channel": cust["channel"].to_numpy(),
                          **{k: v.astype(float) for k, v in flags.items()}})
    frame["deflected_counted"] = 0.0
    defl = deflected_in_window(reputation, clock)
    if len(defl):  # deflected customers: resolved at once, one row of weight n each (replication, channel)
        extra = pd.DataFrame({"replication": defl["replication"].to_numpy(), "channel": defl["channel"].to_numpy(),
                              **{k: 1.0 for k in flags}, "deflected_counted": 1.0})
        weight = np.concatenate([np.ones(len(frame)), defl["deflected"].to_numpy(float)])
        frame = pd.concat([frame, extra], ignore_index=True)
    else:
        weight = np.ones(len(frame))
    rates = [k for k in flags if k != "customers_counted"]
    w = pd.DataFrame({k: frame[k].to_numpy(float) * weight for k in [*flags, "deflected_counted"]})
    w["replication"], w["channel"], w["n"] = frame["replication"].to_numpy(), frame["channel"].to_numpy(), weight
    per = w.groupby(["replication", "channel"]).sum().reset_index()
    for k in rates:
        per[k] = per[k] / per["n"]
    per = per[["replication", "channel", "customers_counted", *rates, "deflected_counted"]]
    return per.melt(id_vars=["replication", "channel"], var_name="metric", value_name="value")[cols]
