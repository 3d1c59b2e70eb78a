"""The next try: what a customer whose contact failed or did not resolve their issue does next, on every channel.

One table, by from-channel, outcome and to-channel, each row a probability and a delay distribution
(``next_try_table(scenario)``). Today's rows and who executes them:

- phone → phone, *redial* after blocked, abandoned or abandoned_ivr: ``channels.<phone>.redials.probability``
  (0.5, exponential delay mean 15 min; Aguir et al. 2004 for the mechanism, the values *assumed*, domain notes §1),
  executed by ``sim.funnel.flow``;
- phone → phone, *call again* after a served call that did not resolve the issue: ``resolution.call_again`` (1.0,
  exponential mean 4 h, *assumed*), ``sim.funnel.flow``;
- phone → social, *spillover* after any end of a call: probability logistic in the call's experience (≈ 0.25% for a
  caller served at once, ≈ 2.9% after 10 min and giving up; *assumed*, docs/reputation.md), exponential mean 10 min,
  ``sim.reputation.live`` (the reputation model sets the probability);
- social → social, *repeat complaint* after the first reply to a complaint: ``reputation.repeat.probability`` (0.1,
  exponential mean 4 h; Ma, Sun & Kekre 2015 for the mechanism, the values *assumed*), ``sim.reputation.live``.

Every try of a customer keeps their ``customer_id`` (a redial, a repeat call, a spillover post or a repeat complaint
is a later attempt of the same customer), so unique customers and attempts are reported apart:
``next_try_metrics`` gives, per replication and channel of the customer's first contact, ``customers_unique``,
``attempts_all_channels`` (every attempt of those customers, on any channel; pile-on posts are other people and do
not count), ``attempts_per_customer_all_channels`` and ``switched_channel_share`` (customers with an attempt on
another channel than their first).

Not yet rows: social or email → the same channel after a silent, ignored or unresolved thread, and social or email
→ phone; the messaging model does not announce a thread's end to observers yet (docs/next_try.md).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

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
    from sim.funnel.spec import funnel_spec
    from sim.reputation.config import reputation_of, spillover_route

    rows = []
    for name, ch in scenario.channels.items():
        f = funnel_spec(ch) if ch.kind == "phone" else None
        if f is None:
            continue
        if f.redials is not None:
            rows.append((name, ", ".join(f.redials.after), name, f.redials.probability, _dist(f.redials.delay),
                         f.redials.max_attempts, f"channels.{name}.redials", "Aguir et al. 2004; values assumed",
                         "sim.funnel.flow"))
        if f.resolution is not None:
            cap = f.redials.max_attempts if f.redials is not None else None
            rows.append((name, "served, unresolved", name, f.resolution.call_again, _dist(f.resolution.delay), cap,
                         f"channels.{name}.resolution.call_again", "assumed", "sim.funnel.flow"))
    spec = reputation_of(scenario)
    if spec is not None and spec.live:
        if spec.spillover is not None:
            src, to = spillover_route(scenario, spec)
            for name in src:
                rows.append((name, "any end of a call", to, np.nan, _dist(spec.spillover.delay), None,
                             "reputation.spillover", "assumed; probability from the call's experience",
                             "sim.reputation.live"))
        if spec.repeat is not None:
            for name, ch in scenario.channels.items():
                if ch.kind == "social":
                    rows.append((name, "first reply to a complaint", name, spec.repeat.probability,
                                 _dist(spec.repeat.delay), None, "reputation.repeat",
                                 "Ma, Sun & Kekre 2015; values assumed", "sim.reputation.live"))
    return pd.DataFrame(rows, columns=list(COLUMNS))


def next_try_metrics(contacts: pd.DataFrame) -> pd.DataFrame | None:
    """Unique customers and their attempts on every channel (tidy rows ``replication, channel, metric, value``), by
    the channel of each customer's first contact; None when no next-try mechanism is in the run."""
    if contacts.empty or not ({"origin", "caused_by"} & set(contacts.columns)):
        return None
    c = contacts
    if "caused_by" in c:
        c = c[c["caused_by"].astype(object).to_numpy() != "pile_on"]
    frame = pd.DataFrame({"replication": c["replication"].to_numpy(), "customer": c["customer_id"].to_numpy(),
                          "channel": c["channel"].astype(object).to_numpy(),
                          "arrival": c["arrival_at_s"].to_numpy(float)})
    frame = frame.sort_values(["replication", "customer", "arrival"], kind="stable")
    g = frame.groupby(["replication", "customer"], sort=False)
    cust = g.agg(channel=("channel", "first"), attempts=("arrival", "size"), channels=("channel", "nunique"))
    cust["switched"] = (cust["channels"] > 1).astype(float)
    per = cust.groupby([cust.index.get_level_values(0), "channel"]).agg(
        customers_unique=("attempts", "size"), attempts_all_channels=("attempts", "sum"),
        switched_channel_share=("switched", "mean"))
    per["attempts_per_customer_all_channels"] = per["attempts_all_channels"] / per["customers_unique"]
    per = per.reset_index().rename(columns={"level_0": "replication"})
    per = per[["replication", "channel", *METRICS]].astype({"customers_unique": float, "attempts_all_channels": float})
    return per.melt(id_vars=["replication", "channel"], var_name="metric", value_name="value")
