"""The enriched model of a training month: skill pools, availability and handle time by hour, patience shape.

``fit_month`` fits on the regular weekdays of a training period; ``day_scenario`` turns one day to predict into a
scenario the kernel runs. Every enrichment has a switch (``Switches``) so the ablation can turn it off:

- ``pools``: one queue and one agent group per skill pool (``sim.calibrate.pools``), each group with its own agents
  seen per interval and its own availability; off: one queue, every agent in one group.
- ``hourly_availability``: availability by hour of day (``sim.calibrate.hourly``); off: one value for the day.
- ``hourly_handle``: handle time by hour of day, written as the channel's ``aht`` per hour (a value per interval,
  ``sim.calendar``): each caller's handle time is the month's law scaled to the mean of the hour they arrive in (the
  law's shape is the month's). Off: the month's mean for every hour.
- ``patience_shape``: patience drawn from the censored Kaplan–Meier estimate (``sim.calibrate.patience``)
  with an exponential tail; off: exponential patience (the hazard MLE).
- ``day_variation``: availability also varies from day to day (absences, meetings, campaigns the records do not
  show): each replication multiplies every pool's availability by a lognormal day factor of mean 1 and log-sd the
  spread of the training days' own whole-day implied availabilities (an upper bound: that spread includes the
  estimation noise of each day's figure). Off: every replication has the same availability.
- ``priority_credit``: callers carry their class (class 0 counted as 1; shares of the training month's offered
  calls) and the queue serves them in one line by queue entry minus class 2's waiting-time credit, fitted from the
  training records' answer order (``sim.calibrate.credit``; the data's documentation says 1.5 minutes). Off: one
  class, first come first served.
- ``patience_class``: each class draws patience from its own law (the class's Kaplan–Meier sample when
  ``patience_shape`` is on, its exponential hazard MLE otherwise). Off: one patience law for every caller.

The availability is a share of the agents seen serving (the records show talk time only). A day's effective agents
per interval (seen × availability, fractional) are written as whole agents on a 1-minute schedule: ⌈x⌉ agents for
the first round(30·frac(x)) minutes of a 30-minute interval, ⌊x⌋ for the rest, so the interval's mean capacity is x.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from sim.calibrate.agents import agents_by_interval
from sim.calibrate.day_model import ANSWER_WITHIN_S, observed_intervals
from sim.calibrate.durations import HandleFit, LognormalFit, fit_handle, fit_lognormal
from sim.calibrate.hourly import availability_by_hour, fill_hours, handle_by_hour, hour_of
from sim.calibrate.patience import ExponentialPatience, exponential_patience, km_sample
from sim.calibrate.pools import GENERAL, Pools, find_pools, single_pool
from sim.calibrate.scenario_writer import duration, lognormal

SCHEDULE_STEP_S = 60.0
EXTRA_S = 3600.0


@dataclass(frozen=True)
class Switches:
    hourly_availability: bool = True
    hourly_handle: bool = True
    pools: bool = True
    patience_shape: bool = True
    priority_credit: bool = False
    day_variation: bool = False
    patience_class: bool = False

    def label(self) -> str:
        on = [k for k, v in self.__dict__.items() if v]
        return ", ".join(on) or "none"


FULL = Switches()


@dataclass
class MonthFit:
    interval_s: float
    days: list
    switches: Switches
    pools: Pools
    handle: dict                 # pool -> HandleFit of its calls
    handle_hour: dict            # pool -> {hour: mean handle s}
    availability_hour: dict      # pool -> {hour: availability}
    tables: dict                 # name -> DataFrame (hourly fits with intervals, patience by class, pools)
    patience: ExponentialPatience
    patience_values: np.ndarray  # a quantile sample of the KM patience law (empty when exponential)
    ivr: LognormalFit | None
    profile: dict                # pool -> offered per interval of day (mean over the training days)
    day_sd: float = 0.0          # log-sd of the day-to-day availability factor (day_variation)
    notes: list = field(default_factory=list)
    classes: list = field(default_factory=list)  # [{priority, share, credit_s, patience}] (priority_credit / class)
    credit: object = None        # sim.calibrate.credit.CreditFit when fitted

    def handle_mean(self, pool: str) -> float:
        return float(self.handle[pool].mean_s)


def pool_intervals(calls: pd.DataFrame, pools: Pools, days, interval_s: float) -> dict:
    """Per pool: observed offered/abandoned/waiting per date × interval, with that pool's agents seen."""
    queue = pools.label_calls(calls)
    team = pools.label_agents(calls["agent"])
    out = {}
    for p in pools.names:
        obs = observed_intervals(calls[queue == p], days, interval_s)
        seen = agents_by_interval(calls[(team == p) | (calls["outcome"] != "served")], interval_s)
        seen = seen[seen["date"].isin(set(days))][["date", "interval_start_s", "agents_seen"]]
        out[p] = obs.merge(seen, on=["date", "interval_start_s"], how="left").fillna({"agents_seen": 0})
    return out


def fit_month(calls: pd.DataFrame, days, interval_s: float = 1800.0, switches: Switches = FULL,
              seed: int = 1, bootstrap: int = 100) -> MonthFit:
    """Fit the enriched model on ``days`` (the regular weekdays of the training period)."""
    days = sorted(set(days))
    sel = calls[calls["arrival_at"].dt.date.isin(set(days))]
    pools = find_pools(sel, days) if switches.pools else single_pool()
    queue = pools.label_calls(sel)
    off = sel[sel["outcome"].isin(["served", "abandoned"])]
    patience = exponential_patience(off["wait_s"], off["outcome"] == "abandoned")
    values = km_sample(off["wait_s"], off["outcome"] == "abandoned") if switches.patience_shape else np.array([])
    ivr_x = off["ivr_s"].to_numpy(float)
    ivr_x = ivr_x[np.isfinite(ivr_x) & (ivr_x > 0)]
    ivr = fit_lognormal(ivr_x) if len(ivr_x) > 1 else None
    per_pool = pool_intervals(sel, pools, days, interval_s)
    handle, handle_hour, avail_hour, hour_tables, profile = {}, {}, {}, [], {}
    for p in pools.names:
        served = sel[(queue == p) & (sel["outcome"] == "served")]
        handle[p] = fit_handle(served["handle_s"])
        hh = handle_by_hour(sel[queue == p], days, draws=bootstrap, seed=seed)
        hh_map = fill_hours(hh.set_index("hour")["handle_mean_s"].where(hh.set_index("hour")["served"] >= 20),
                            handle[p].mean_s)
        handle_hour[p] = hh_map if switches.hourly_handle else {h: handle[p].mean_s for h in range(24)}
        iv = per_pool[p].copy()
        hours_p = handle_hour[p]
        iv["handle_s"] = [hours_p[h] for h in hour_of(iv["interval_start_s"])]
        iv["group"] = hour_of(iv["interval_start_s"]) if switches.hourly_availability else 0
        av = availability_by_hour(iv, patience.mean_s, interval_s, draws=bootstrap, seed=seed)
        default = float(np.nanmedian(av["availability"])) if av["availability"].notna().any() else 1.0
        amap = fill_hours(av.set_index("group")["availability"], default)
        avail_hour[p] = amap if switches.hourly_availability else {h: amap[0] for h in range(24)}
        hour_tables.append(hh.merge(av.rename(columns={"group": "hour"}), on="hour", how="outer").assign(pool=p))
        prof = iv.groupby("interval_start_s")["offered"].mean()
        profile[p] = prof.reindex(np.arange(0, 86400, interval_s), fill_value=0.0).to_numpy(float)
    tables = {"hourly": pd.concat(hour_tables, ignore_index=True), "pools": pools.table,
              "patience_by_class": patience_by_class(off)}
    by_day = per_pool[GENERAL].copy()
    by_day["handle_s"] = [handle_hour[GENERAL][h] for h in hour_of(by_day["interval_start_s"])]
    by_day["group"] = by_day["date"]
    daily = availability_by_hour(by_day, patience.mean_s, interval_s, draws=0)
    tables["availability_by_day"] = daily
    a = daily["availability"].dropna().to_numpy(float)
    day_sd = float(np.std(np.log(a), ddof=1)) if len(a) > 2 else 0.0
    fit = MonthFit(interval_s, days, switches, pools, handle, handle_hour, avail_hour, tables, patience, values,
                   ivr, profile, day_sd)
    if switches.priority_credit or switches.patience_class:
        fit_classes(fit, sel[queue == GENERAL], off)
    return fit


def fit_classes(fit: MonthFit, general: pd.DataFrame, offered: pd.DataFrame) -> None:
    """The callers' classes (class 0 counted as 1): shares of offered calls; class 2's credit from the general
    queue's answer order (``priority_credit``); each class's patience law (``patience_class``)."""
    from sim.calibrate.credit import credit_from_calls

    cls = offered["priority"].where(offered["priority"] != 0, 1)
    credit = credit_from_calls(general) if fit.switches.priority_credit else None
    fit.credit = credit
    for c in sorted(cls.unique()):
        g = offered[cls == c]
        entry = {"priority": int(c), "share": len(g) / len(offered),
                 "credit_s": credit.credit_s if credit is not None and c == 2 else 0.0, "patience": None}
        if fit.switches.patience_class:
            ab = g["outcome"] == "abandoned"
            if fit.switches.patience_shape:
                entry["patience"] = {"dist": "empirical",
                                     "values": [round(float(v), 2) for v in km_sample(g["wait_s"], ab)]}
            else:
                entry["patience"] = {"dist": "exponential", "mean": duration(exponential_patience(g["wait_s"],
                                                                                                 ab).mean_s)}
        fit.classes.append(entry)


def patience_by_class(offered: pd.DataFrame) -> pd.DataFrame:
    """Exponential patience and abandonment per priority class (class 0 counted as class 1: see the module notes of
    ``sim.calibrate.rolling``)."""
    cls = offered["priority"].where(offered["priority"] != 0, 1)
    rows = []
    for c, g in offered.groupby(cls):
        ab = g["outcome"] == "abandoned"
        try:
            p = exponential_patience(g["wait_s"], ab)
            mean, lo, hi = p.mean_s, *p.ci_mean_s()
        except ValueError:
            mean = lo = hi = np.nan
        rows.append({"class": int(c), "offered": len(g), "abandon_rate": float(ab.mean()),
                     "mean_wait_s": float(g["wait_s"].mean()), "patience_mean_s": mean, "ci_low_s": lo,
                     "ci_high_s": hi})
    return pd.DataFrame(rows)


def effective_agents(fit: MonthFit, pool: str, seen: np.ndarray) -> np.ndarray:
    """Available agents per interval of a day (fractional): seen × availability of the hour."""
    slots = np.arange(len(seen)) * fit.interval_s
    a = np.array([fit.availability_hour[pool][h] for h in hour_of(slots)])
    return seen * a


def dither(x: np.ndarray, interval_s: float, step_s: float = SCHEDULE_STEP_S) -> np.ndarray:
    """Whole agents per ``step_s`` whose mean over each interval is ``x`` (to the nearest step)."""
    k = int(round(interval_s / step_s))
    base = np.floor(x)
    high = np.rint((x - base) * k).astype(int)
    steps = np.arange(k)[None, :] < high[:, None]
    return (base[:, None] + steps).astype(int).ravel()


def handle_law(h: HandleFit) -> dict:
    if h.short is None or h.short_share <= 0:
        return lognormal(h.long.mean, h.long.cv)
    w = round(h.short_share, 6)
    return {"dist": "mixture", "weights": [w, round(1 - w, 6)],
            "components": [lognormal(h.short.mean, h.short.cv), lognormal(h.long.mean, h.long.cv)]}


def day_scenario(fit: MonthFit, day, volumes: dict, seen: dict, folder, replications: int, seed: int,
                 factor: float = 1.0) -> dict:
    """The scenario of one day: ``volumes[pool]`` offered per interval, ``seen[pool]`` agents seen per interval
    (their availability × ``factor``); the forecast and schedule CSVs are written into ``folder``."""
    from pathlib import Path

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    midnight = pd.Timestamp(day)
    iv = fit.interval_s
    slots = np.arange(0, 86400, iv)
    interval = f"{iv / 60:g}min"
    channels, agents = {}, {}
    if fit.patience_values.size:
        patience = {"dist": "empirical", "values": [round(float(v), 2) for v in fit.patience_values]}
    else:
        patience = {"dist": "exponential", "mean": duration(fit.patience.mean_s)}
    for p in fit.pools.names:
        f = pd.DataFrame({"interval_start": [(midnight + pd.Timedelta(seconds=float(s))).strftime("%Y-%m-%d %H:%M")
                                             for s in slots], "volume": np.asarray(volumes[p], float)})
        f.to_csv(folder / f"forecast_{p}.csv", index=False)
        ch = {"kind": "phone", "arrivals": {"forecast": f"forecast_{p}.csv", "interval": interval},
              "handle_time": handle_law(fit.handle[p]), "patience": patience,
              "targets": {"answer_within": duration(ANSWER_WITHIN_S), "service_level": 0.8}}
        if fit.ivr is not None:
            ch["ivr_time"] = lognormal(fit.ivr.mean, fit.ivr.cv)
        if fit.classes:
            ch["classes"] = {str(k["priority"]): {"share": round(k["share"], 6), "credit": duration(k["credit_s"]),
                                                  **({"patience": k["patience"]} if k["patience"] else {})}
                             for k in fit.classes}
            total = sum(v["share"] for v in ch["classes"].values())
            first = next(iter(ch["classes"].values()))
            first["share"] = round(first["share"] + 1.0 - total, 6)  # rounded shares still sum to 1
        if fit.switches.hourly_handle:
            ch["aht"] = {"values": [round(float(fit.handle_hour[p][h]), 3) for h in range(24)], "interval": "1h"}
        channels[p] = ch
        counts = dither(effective_agents(fit, p, np.asarray(seen[p], float)) * factor, iv)
        extra = np.full(int(EXTRA_S / SCHEDULE_STEP_S), counts[-1] if len(counts) else 0)
        counts = np.concatenate([counts, extra])
        stamps = [(midnight + pd.Timedelta(seconds=k * SCHEDULE_STEP_S)).strftime("%Y-%m-%d %H:%M")
                  for k in range(len(counts))]
        pd.DataFrame({"interval_start": stamps, "count": counts}).to_csv(folder / f"schedule_{p}.csv", index=False)
        serves = [p] if p != GENERAL else [GENERAL, *fit.pools.types]
        agents[p] = {"serves": serves, "schedule": f"schedule_{p}.csv", "interval": "1min"}
    return {"schema": 1, "name": f"day-{day}",
            "description": f"Day {day} predicted from {len(fit.days)} training day(s); enrichments: "
                           f"{fit.switches.label()}.",
            "run": {"start": f"{day} 00:00", "horizon": f"{(86400 + EXTRA_S) / 3600:g}h", "warmup": "0s",
                    "replications": int(replications), "seed": int(seed), "interval": interval, "busyness_cv": 0.0},
            "channels": channels, "agents": agents}


def simulate_day(fit: MonthFit, day, volumes: dict, seen: dict, folder, replications: int, seed: int) -> pd.DataFrame:
    """Per replication × interval of the day (all pools together): offered, abandoned, wait_sum_s,
    answered_within_target and the three ratios."""
    import sim
    from sim.streams import Streams

    if fit.switches.day_variation and fit.day_sd > 0:
        runs = []
        for r in range(replications):  # replication r: its own day factor (stream "calibrate.day_availability")
            z = Streams(seed, r).generator("calibrate.day_availability").standard_normal()
            factor = math.exp(fit.day_sd * z - fit.day_sd ** 2 / 2)
            runs.append((factor, [r]))
    else:
        runs = [(1.0, replications)]
    parts = []
    for factor, reps in runs:
        raw = day_scenario(fit, day, volumes, seen, folder, replications, seed, factor)
        scenario = sim.parse_scenario(raw, source=f"{folder}/scenario.toml", base_dir=str(folder))
        parts.append(sim.run(scenario, replications=reps, seed=seed).intervals)
    iv = pd.concat(parts, ignore_index=True)
    iv = iv[iv["interval_start_at_s"] < 86400]
    cols = ["offered", "abandoned", "wait_sum_s", "answered_within_target"]
    g = iv.groupby(["replication", "interval_start_at_s"])[cols].sum().reset_index()
    g = g.rename(columns={"interval_start_at_s": "interval_start_s"})
    with np.errstate(invalid="ignore", divide="ignore"):
        g["abandon_rate"] = g["abandoned"] / g["offered"]
        g["mean_wait_s"] = g["wait_sum_s"] / g["offered"]
        g["sl_offered"] = g["answered_within_target"] / g["offered"]
    g["date"] = day
    return g


def without(switches: Switches, name: str) -> Switches:
    return replace(switches, **{name: False})
