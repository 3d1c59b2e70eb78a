"""Readable names, units and one number format for the tables and figures of experiments.

A metric key such as ``sl_offered`` is shown as "Service level (of offered)" in %, ``asa_s`` as "Average speed of
answer" in s; a parameter key such as ``agents.phone.count`` as "phone agents". Every cell of one column uses one
number of decimals, chosen from the column's typical CI half-width (two significant digits), so "2191 ± 120" and
"12.4 ± 6.3" never sit in one column as "2191 ± 1.2e+02".
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable

import numpy as np

SHARE = ("%", 100.0)
SECONDS = ("s", 1.0)
COUNT = ("", 1.0)
# metric -> (label, (unit, scale))
METRICS = {
    "offered": ("Contacts offered", COUNT), "answered": ("Contacts answered", COUNT),
    "abandoned": ("Contacts abandoned", COUNT), "served": ("Contacts served", COUNT),
    "sl_offered": ("Service level (of offered)", SHARE), "sl_answered": ("Service level (of answered)", SHARE),
    "sl_excl_short_abandons": ("Service level (short abandons excluded)", SHARE),
    "sl_responded": ("Service level (of responded)", SHARE),
    "asa_s": ("Average speed of answer", SECONDS), "mean_wait_s": ("Mean wait", SECONDS),
    "abandon_rate": ("Abandonment", SHARE), "aht_s": ("Average handle time", SECONDS),
    "occupancy": ("Agent occupancy", SHARE), "mean_queue": ("Mean queue length", ("contacts", 1.0)),
    "cost": ("Staff cost", ("money", 1.0)), "cost_per_resolved": ("Cost per resolved contact", ("money", 1.0)),
    "response_rate": ("Response rate", SHARE), "first_response_mean_s": ("Mean time to first response", SECONDS),
    "ignored_share": ("Ignored", SHARE), "silent_share": ("Went silent", SHARE), "resolved_share": ("Resolved", SHARE),
    "resolution_mean_s": ("Mean time to resolution", SECONDS), "mean_backlog": ("Mean backlog", ("contacts", 1.0)),
    "blocked_rate": ("Busy signal", SHARE), "mean_ivr_s": ("Mean time in IVR", SECONDS),
    "ivr_containment": ("IVR containment", SHARE), "ivr_abandon_rate": ("Hung up in IVR", SHARE),
    "time_to_first_human_s": ("Time to first person", SECONDS),
    "time_to_right_human_s": ("Time to the right person", SECONDS),
    "transfers_per_call": ("Transfers per call", COUNT), "transferred_share": ("Transferred", SHARE),
    "wait_p50_s": ("Median wait (answered)", SECONDS), "wait_p90_s": ("90th percentile wait (answered)", SECONDS),
    "wait_p95_s": ("95th percentile wait (answered)", SECONDS),
    "wait_p99_s": ("99th percentile wait (answered)", SECONDS), "wait_max_s": ("Longest wait (answered)", SECONDS),
}
CHANNELS = {"all": "Whole centre"}
PARAMETER_WORDS = {"agents": "agents", "channels": "", "count": "", "mean": "mean", "cv": "CV", "run": "run",
                   "arrivals": "arrivals", "rate": "rate", "handle_time": "handle time", "patience": "patience",
                   "cost_per_hour": "cost per hour", "wrap_up": "wrap-up", "answer_within": "answer within",
                   "service_level": "service level target"}


def metric_label(metric: str, unit: bool = True) -> str:
    label, (u, _) = METRICS.get(metric, (metric.replace("_", " "), COUNT))
    if metric not in METRICS and metric.endswith("_s"):
        label, u = metric[:-2].replace("_", " "), "s"
    label = label[:1].upper() + label[1:]
    return f"{label} ({u})" if unit and u else label


def metric_scale(metric: str) -> float:
    return METRICS.get(metric, ("", COUNT))[1][1]


def channel_label(channel: str) -> str:
    return CHANNELS.get(channel, f"Channel {channel}")


def parameter_label(key: str, numeric_twin: str | None = None) -> str:
    """``agents.phone.count`` → "phone agents"; ``channels.phone.patience.mean`` (+ twin ``…_s``) → "phone
    patience mean (s)"."""
    parts = key.split(".")
    if parts[0] == "agents" and len(parts) == 3 and parts[2] == "count":
        text = f"{parts[1]} agents"
    else:
        words = [PARAMETER_WORDS.get(p, p.replace("_", " ")) for p in parts]
        text = " ".join(w for w in words if w)
    if numeric_twin is not None:
        text += " (s)" if numeric_twin.endswith("_s") else " (per hour)"
    return text


def decimals_for(half_widths: Iterable[float], values: Iterable[float] = ()) -> int:
    """Decimals that show a typical half-width to two significant digits (0 … 6); without half-widths, enough
    for four significant digits of a typical value."""
    hw = np.asarray([h for h in half_widths if h is not None and np.isfinite(h) and h > 0], dtype=float)
    if hw.size:
        return int(min(6, max(0, 1 - math.floor(math.log10(float(np.median(hw)))))))
    vals = np.asarray([abs(v) for v in values if v is not None and np.isfinite(v) and v != 0], dtype=float)
    if vals.size:
        return int(min(6, max(0, 3 - math.floor(math.log10(float(np.median(vals)))))))
    return 0


def fmt(value: float, decimals: int) -> str:
    """One number with thousands separators and a true minus sign; missing is an en dash."""
    if value is None or not np.isfinite(value):
        return "–"
    text = f"{value:,.{decimals}f}"
    return text.replace("-", "\u2212") if re.match(r"^-", text) else text


def fmt_ci(mean: float, half: float, decimals: int) -> str:
    if mean is None or not np.isfinite(mean):
        return "–"
    if half is None or not np.isfinite(half):
        return fmt(mean, decimals)
    return f"{fmt(mean, decimals)} ± {fmt(half, decimals)}"
