"""What a planner reads first after a run: per channel, the numbers with their targets met (✔) or missed (✗).

The headline (``headline_table``) shows per channel: contacts offered and answered per run, the service level against
its target, ASA, abandonment (channels whose customers can hang up), occupancy, first response (social and email) and
cost per resolved contact. ``metric_table`` is the full list (``contactsim run --all``) or a chosen few (``--metrics``).

Confidence intervals (95%, across replications) stay in range: shares use the delta method on the logit scale,
logit(p̄) ± t·se/(p̄(1 − p̄)), non-negative quantities on the log scale, log(x̄) ± t·se/x̄, both turned back;
quantities that can be negative use the plain t interval. Each is centred on the mean across replications on its
scale and has the same width as the t interval for small se. A target is met (✔) when the point estimate meets it;
the interval shows how sure that is.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

#: Metrics that are shares in [0, 1] (CI on the logit scale).
SHARE_WORDS = ("sl_", "rate", "share", "occupancy", "fcr", "containment", "on_time", "response_rate")


def is_share(metric: str) -> bool:
    return any(w in metric for w in SHARE_WORDS) and not metric.endswith("_s")


def interval(values: np.ndarray, share: bool, level: float = 0.95) -> tuple[float, float, float, int]:
    """Mean and a CI that stays in range (see the module docstring); NaN bounds with fewer than 2 values."""
    x = np.asarray(values, float)
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return math.nan, math.nan, math.nan, 0
    m = float(x.mean())
    if n < 2:
        return m, math.nan, math.nan, n
    se = float(x.std(ddof=1) / math.sqrt(n))
    t = float(stats.t.ppf(0.5 + level / 2, n - 1))
    if se == 0.0:
        return m, m, m, n
    if share and 0.0 <= x.min() and x.max() <= 1.0:
        if m <= 0.0 or m >= 1.0:
            return m, m, m, n
        h = t * se / (m * (1.0 - m))
        lo, hi = (1.0 / (1.0 + math.exp(-(math.log(m / (1 - m)) + s * h))) for s in (-1, 1))
        return m, lo, hi, n
    if x.min() >= 0.0:
        if m == 0.0:
            return m, 0.0, 0.0, n
        h = t * se / m
        return m, m * math.exp(-h), m * math.exp(h), n
    return m, m - t * se, m + t * se, n


def fmt(value: float, metric: str) -> str:
    """A number as a planner reads it: shares in %, durations in s (or min), money and counts with separators."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if is_share(metric):
        return f"{100 * value:.1f}%"
    if metric.startswith("cost"):
        return f"{value:,.2f}"
    if metric.endswith("_s"):
        return f"{value / 60:.1f} min" if abs(value) >= 600 else f"{value:.1f} s"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}" if abs(value) < 10 else f"{value:,.1f}"


def _cell(per_rep: pd.DataFrame, channel: str, metric: str) -> tuple[float, float, float, int] | None:
    v = per_rep[(per_rep["channel"] == channel) & (per_rep["metric"] == metric)]["value"].to_numpy(float)
    if len(v) == 0 or np.isnan(v).all():
        return None
    return interval(v, is_share(metric))


def headline_rows(per_rep: pd.DataFrame, scenario) -> list[dict]:
    """One dict per (channel, headline line): label, metric, mean, ci_low, ci_high, target text and met (or None)."""
    from sim.units import format_duration

    rows = []
    for name, ch in scenario.channels.items():
        tg = ch.targets
        conversation = _cell(per_rep, name, "first_response_median_s") is not None
        within = format_duration(tg.answer_within_s)
        lines = [("offered", "offered", None, None), ("answered", "answered", None, None),
                 (f"service level ({'reply' if conversation else 'answer'} within {within})", "sl_offered",
                  f"≥ {100 * tg.service_level:g}%", lambda v, t=tg.service_level: v >= t - 1e-12)]
        if not conversation:  # conversations have first response instead
            lines.append(("ASA", "asa_s", None, None))
        if ch.patience is not None:
            lines.append(("abandonment", "abandon_rate",
                          None if tg.max_abandon is None else f"≤ {100 * tg.max_abandon:g}%",
                          None if tg.max_abandon is None else (lambda v, t=tg.max_abandon: v <= t + 1e-12)))
        lines.append(("occupancy", "occupancy", None if tg.max_occupancy is None else f"≤ {100 * tg.max_occupancy:g}%",
                      None if tg.max_occupancy is None else (lambda v, t=tg.max_occupancy: v <= t + 1e-12)))
        if conversation:
            lines += [("first response, median", "first_response_median_s", None, None),
                      ("first response, 90th pct", "first_response_p90_s", None, None)]
        lines.append(("cost per resolved contact", "cost_per_resolved", None, None))
        for label, metric, target, test in lines:
            cell = _cell(per_rep, name, metric)
            if cell is None:
                continue
            m, lo, hi, _ = cell
            rows.append({"channel": name, "label": label, "metric": metric, "mean": m, "ci_low": lo, "ci_high": hi,
                         "target": target, "met": None if test is None else bool(test(m))})
    cell = _cell(per_rep, "all", "cost_per_resolved")
    if cell is not None and len(scenario.channels) > 1:
        m, lo, hi, _ = cell
        rows.append({"channel": "all channels", "label": "cost per resolved contact", "metric": "cost_per_resolved",
                     "mean": m, "ci_low": lo, "ci_high": hi, "target": None, "met": None})
    return rows


def _ci(lo: float, hi: float, metric: str) -> str:
    if lo != lo or hi != hi:
        return ""
    return f"[{fmt(lo, metric)}, {fmt(hi, metric)}]"


def headline_table(per_rep: pd.DataFrame, scenario, title: str) -> str:
    """The default summary of ``contactsim run``: a short block per channel, targets marked ✔ or ✗."""
    rows = headline_rows(per_rep, scenario)
    label_w = max([len(r["label"]) for r in rows] + [10]) + 2
    out = [title, f"{'':<{label_w}}{'mean':>11}  {'95% CI':<24}target"]
    channel = None
    for r in rows:
        if r["channel"] != channel:
            channel = r["channel"]
            out.append(channel)
        flag = "" if r["met"] is None else (" ✔" if r["met"] else " ✗")
        target = f"{r['target']}{flag}" if r["target"] else ""
        out.append(f"  {r['label']:<{label_w - 2}}{fmt(r['mean'], r['metric']):>11}  "
                   f"{_ci(r['ci_low'], r['ci_high'], r['metric']):<24}{target}".rstrip())
    missed = [f"{r['channel']} {r['label']}" for r in rows if r["met"] is False]
    out.append("targets missed: " + ", ".join(missed) if missed else "all targets met")
    out.append("(per run: mean across replications; CI on the logit scale for shares, log scale otherwise; "
               "--all lists every metric)")
    return "\n".join(out)


def metric_table(per_rep: pd.DataFrame, title: str, metrics: list[str] | None = None) -> str:
    """Every metric (or those named in ``metrics``) per channel: mean and an in-range 95% CI, aligned."""
    rows = []
    for (ch, metric), g in per_rep.groupby(["channel", "metric"], observed=True, sort=False):
        if metrics is not None and metric not in metrics:
            continue
        m, lo, hi, n = interval(g["value"].to_numpy(float), is_share(metric))
        if n == 0:
            continue
        rows.append((str(ch), str(metric), fmt(m, metric), _ci(lo, hi, metric)))
    if not rows:
        return title + "\n(no such metric)"
    w = [max(len(r[i]) for r in rows + [("channel", "metric", "mean", "95% CI")]) for i in range(4)]
    out = [title, f"{'channel':<{w[0]}}  {'metric':<{w[1]}}  {'mean':>{w[2]}}  95% CI"]
    out += [f"{a:<{w[0]}}  {b:<{w[1]}}  {c:>{w[2]}}  {d}".rstrip() for a, b, c, d in rows]
    return "\n".join(out)
