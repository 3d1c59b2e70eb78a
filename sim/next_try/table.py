"""The next try: what a customer whose contact failed or did not resolve their issue does next, on every channel.

One table, by from-channel, outcome and to-channel, each row a probability and a delay distribution
(``next_try_table(scenario)``): the ``[[next_try]]`` rows and the phone shorthands (``sim.next_try.rows``), run by
``sim.funnel.flow`` (phone → the same phone channel) or ``sim.next_try.follow_up`` (the rest), and two rows of the
reputation model, which sets or keeps their probability:

- phone → social, *spillover* after any end of a call: probability logistic in the call's experience (≈ 0.25% for a
  caller served at once, ≈ 2.9% after 10 min and giving up; *assumed*, docs/reputation.md), exponential mean 10 min;
  a row the reputation model offers (``sim.next_try.provided``), run by ``sim.next_try.follow_up``;
- social → social, *repeat complaint* after the first reply to a complaint: ``reputation.repeat.probability`` (0.1,
  exponential mean 4 h; Ma, Sun & Kekre 2015 for the mechanism, the values *assumed*), ``sim.reputation.live``.

Every try of a customer keeps their ``customer_id`` (a redial, a repeat call, a spillover post or a repeat complaint
is a later attempt of the same customer), so unique customers and attempts are reported apart:
``next_try_metrics`` gives, per replication and channel of the customer's first contact, ``customers_unique``,
``attempts_all_channels`` (every attempt of those customers, on any channel; pile-on posts are other people and do
not count), ``attempts_per_customer_all_channels`` and ``switched_channel_share`` (customers with an attempt on
another channel than their first).

docs/next_try.md.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from sim.grouping import pairs, run_numbers, runs, sort_order, sorted_codes, tidy_frame
from sim.metrics import label_test

COLUMNS = ("from_channel", "after", "to_channel", "probability", "delay", "max_attempts", "key", "source",
           "executed_by")
METRICS = ("customers_unique", "attempts_all_channels", "attempts_per_customer_all_channels",
           "switched_channel_share")


def _dist(d) -> str:
    mean = getattr(d, "mean", None)
    name = type(d).__name__.lower()
    if isinstance(mean, (int, float)):
        from sim.units import format_duration

        return f"{name}, mean {format_duration(float(mean))}"
    return name


def next_try_table(scenario) -> pd.DataFrame:
    """Every next-try row of ``scenario`` in one form (``COLUMNS``), whichever mechanism executes it."""
    from sim.next_try.follow_up import run_here
    from sim.next_try.rows import rows_of
    from sim.reputation.config import reputation_of
    from sim.reputation.spillover import spillover_rows

    spec = reputation_of(scenario)
    live = spec is not None and spec.live
    rows = []
    for r in [*rows_of(scenario), *(spillover_rows(scenario, spec) if live else ())]:
        after = "any end of a call" if r.every_end else ", ".join(r.after)
        rows.append((r.from_channel, after, r.to_channel, r.probability, _dist(r.delay),
                     r.max_attempts if r.max_attempts < float("inf") else None, r.key, r.source,
                     "sim.next_try.follow_up" if run_here(r, scenario) else "sim.funnel.flow"))
    if live and spec.repeat is not None:
        for name, ch in scenario.channels.items():
            if ch.kind == "social":
                rows.append((name, "first reply to a complaint", name, spec.repeat.probability,
                             _dist(spec.repeat.delay), None, "reputation.repeat",
                             "Ma, Sun & Kekre 2015; values assumed", "sim.reputation.live"))
    return pd.DataFrame(rows, columns=list(COLUMNS))


def next_try_metrics(contacts: pd.DataFrame) -> pd.DataFrame | None:
    """Unique customers and their attempts on every channel (tidy rows ``replication, channel, metric, value``), by
    the channel of each customer's first contact; None when no next-try mechanism is in the run.

    A customer's tries are their contacts in arrival order (pile-on posts are other people's); rows per replication,
    then channel in the channels' sorted order (what grouping the customers by both gives)."""
    if contacts.empty or not ({"origin", "caused_by", "next_try_of"} & set(contacts.columns)):
        return None
    c = contacts
    rep, cust = c["replication"].to_numpy(), c["customer_id"].to_numpy()
    arrival = c["arrival_at_s"].to_numpy(float)
    codes, labels = sorted_codes(c["channel"])
    if "caused_by" in c:
        keep = ~label_test(c["caused_by"])("pile_on")
        rep, cust, arrival, codes = rep[keep], cust[keep], arrival[keep], codes[keep]
    order = sort_order(rep, cust, arrival)  # stable: a customer's tries in arrival order, ties in row order
    if order is not None:
        rep, cust, codes = rep[order], cust[order], codes[order]
    first = runs(rep, cust)
    customer = run_numbers(first, len(rep))
    channel = codes[first]  # the channel of each customer's first contact
    attempts = np.diff(np.append(first, len(rep)))
    switched = np.bincount(customer, weights=codes != channel[customer], minlength=len(first)) > 0
    reps, chans, group = pairs(rep[first], channel, len(labels))
    ok = group >= 0  # (a contact without a channel: none)
    total = lambda w=None: np.bincount(group[ok], weights=None if w is None else w[ok], minlength=len(reps))
    customers, tries = total().astype(float), total(attempts)
    return tidy_frame({"replication": reps, "channel": labels[chans]},
                      {"customers_unique": customers, "attempts_all_channels": tries,
                       "attempts_per_customer_all_channels": tries / customers,
                       "switched_channel_share": total(switched) / customers})
