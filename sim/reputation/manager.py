"""The manager's ledger: customers retained, lost and won, money in one currency, complaints seen and by how many.

Columns of ``Results.reputation`` this module books (per replication, channel and interval):

- ``customers_contacting``: contacting customers whose contact ended in the interval (``sim.reputation.customers``);
  ``customers_retained``: of them, those who stay; ``churned``: those who leave (own experience and lateness);
- ``silent_affected``: the silent majority behind them (``sim.reputation.silent_majority``); ``silent_churned``: the
  expected number of those who leave;
- ``customers_lost`` = churned + silent_churned; ``customers_won``: people told a good story × conversion;
  ``prospects_lost``: people told a bad story × conversion (customers the brand would have won);
- ``late_responses``: contacting customers whose response came after their expectation (or never); ``satisfaction``:
  the sum of 1 − d (divide by customers_contacting for the mean);
- ``complaints_seen``: public complaints posted (by arrival); ``complaint_views``: views of public complaint threads
  (impressions, by clock time; one person may see several); ``complaint_views_unanswered``: those made while the
  complaint had no reply; their ratio is ``unanswered_view_share``;
- money, all in the currency of ``value_per_customer`` (missing without it): ``customer_value_lost`` = value ×
  (customers_lost + prospects_lost), ``customer_value_won`` = value × customers_won, ``reply_value`` (the replies'
  willingness to pay, kept separate) and ``revenue_net`` = customer_value_won − customer_value_lost + reply_value.
"""
from __future__ import annotations

import numpy as np

COLUMNS = ("customers_contacting", "customers_retained", "silent_affected", "silent_churned", "customers_lost",
           "customers_won", "prospects_lost", "late_responses", "satisfaction", "complaints_seen", "complaint_views",
           "complaint_views_unanswered", "unanswered_view_share", "customer_value_lost", "customer_value_won",
           "revenue_net")
SUMS = tuple(c for c in COLUMNS if c != "unanswered_view_share")


def unanswered_share(cols: dict, social_rows: np.ndarray) -> float:
    """Share of the complaint views of the social channels made while the complaint was unanswered (NaN: none)."""
    views = cols["complaint_views"][social_rows].sum()
    return float(cols["complaint_views_unanswered"][social_rows].sum() / views) if views > 0 else float("nan")


def book_customers(book, spec, out, chan: np.ndarray, endbin: np.ndarray, social_rows: np.ndarray,
                   complaint: np.ndarray) -> None:
    """Book the customer and money columns from ``out`` (a ``CustomerOutcomes``); exposure must be booked first."""
    cols = book.cols
    m = out.contacting
    book.add("customers_contacting", chan[m], endbin[m])
    book.add("customers_retained", chan[m & ~out.churned], endbin[m & ~out.churned])
    late = m & (out.disappointment > 0)
    book.add("late_responses", chan[late], endbin[late])
    book.add("satisfaction", chan[m], endbin[m], 1.0 - out.disappointment[m])
    sm = spec.silent_majority
    if sm is not None:
        affected = sm.affected(m, complaint)
        p = sm.churn_probability(unanswered_share(cols, social_rows))
        book.add("silent_affected", chan[m], endbin[m], affected[m])
        book.add("silent_churned", chan[m], endbin[m], p * affected[m])
    cols["customers_lost"] = cols["churned"] + cols["silent_churned"]
    wom = spec.word_of_mouth
    if wom is not None:
        book.add("customers_won", chan, endbin, wom.conversion * out.told_good)
        book.add("prospects_lost", chan, endbin, wom.conversion * out.told_bad)
    with np.errstate(invalid="ignore", divide="ignore"):
        cols["unanswered_view_share"] = np.where(cols["complaint_views"] > 0,
                                                 cols["complaint_views_unanswered"] / cols["complaint_views"], np.nan)
    value = spec.value_per_customer
    if value is None:
        for k in ("customer_value_lost", "customer_value_won", "revenue_net"):
            cols[k] = np.full_like(cols["churned"], np.nan)
        return
    cols["customer_value_lost"] = value * (cols["customers_lost"] + cols["prospects_lost"])
    cols["customer_value_won"] = value * cols["customers_won"]
    cols["revenue_net"] = cols["customer_value_won"] - cols["customer_value_lost"] + cols["reply_value"]


def per_replication(tot, days):
    """Derived per-replication metrics of the manager's ledger from summed columns ``tot`` (a DataFrame)."""
    views = tot["complaint_views"]
    return {
        "unanswered_view_share": tot["complaint_views_unanswered"] / views.where(views > 0),
        "mean_satisfaction": tot["satisfaction"] / tot["customers_contacting"].where(tot["customers_contacting"] > 0),
        "customers_lost_per_day": tot["customers_lost"] / days,
        "customers_won_per_day": tot["customers_won"] / days,
        "revenue_net_per_day": tot["revenue_net"] / days,
    }
