"""One observed day as a scenario: that day's offered volumes and agents seen per interval, the fitted distributions.

Used to search the agents' availability on training days and to simulate test days in a back-test. Each day is a
scenario of its own (start at the day's midnight, horizon 25 h) with a forecast CSV (the day's offered contacts per
interval) and a schedule CSV (agents seen serving per interval; the last level is kept for one more hour so that
calls still in the system at midnight are finished, as in the records). Busyness is off: the day's volumes are known.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibrate.fit import Fit
from sim.calibrate.scenario_writer import duration, handle_spec, interval_text, lognormal, write_scenario

ANSWER_WITHIN_S = 20.0
METRICS = ("abandon_rate", "mean_wait_s", "sl_offered")
EXTRA_S = 3600.0


def observed_intervals(calls: pd.DataFrame, days, interval_s: float, answer_within_s: float = ANSWER_WITHIN_S):
    """Per date and interval (by arrival): offered, abandoned, left_queue, wait_sum_s, answered_within_target and the
    ratios abandon_rate, mean_wait_s (over contacts that left the queue) and sl_offered — the simulator's definitions."""
    off = calls[calls["outcome"].isin(["served", "abandoned"]) & calls["arrival_at"].dt.date.isin(set(days))].copy()
    off["date"] = off["arrival_at"].dt.date
    off["interval_start_s"] = ((off["arrival_at"] - off["arrival_at"].dt.normalize()).dt.total_seconds()
                               // interval_s) * interval_s
    off["is_abandoned"] = off["outcome"] == "abandoned"
    off["within"] = (off["outcome"] == "served") & (off["wait_s"] <= answer_within_s)
    g = off.groupby(["date", "interval_start_s"])
    obs = pd.DataFrame({"offered": g.size(), "abandoned": g["is_abandoned"].sum(), "wait_sum_s": g["wait_s"].sum(),
                        "answered_within_target": g["within"].sum()})
    index = pd.MultiIndex.from_product([sorted(set(days)), np.arange(0, 86400, interval_s)],
                                       names=["date", "interval_start_s"])
    obs = obs.reindex(index, fill_value=0)
    obs["left_queue"] = obs["offered"]
    with np.errstate(invalid="ignore", divide="ignore"):
        obs["abandon_rate"] = obs["abandoned"] / obs["offered"]
        obs["mean_wait_s"] = obs["wait_sum_s"] / obs["left_queue"]
        obs["sl_offered"] = obs["answered_within_target"] / obs["offered"]
    return obs.reset_index()


def write_day_inputs(fit: Fit, day, folder: str | Path) -> tuple[Path, Path]:
    """forecast.csv (interval_start, volume) and schedule.csv (interval_start, count) of one observed day."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    midnight = pd.Timestamp(day)
    slots = np.arange(0, 86400, fit.interval_s)
    stamp = lambda s: (midnight + pd.Timedelta(seconds=float(s))).strftime("%Y-%m-%d %H:%M")
    volumes = fit.counts.loc[day].reindex(slots, fill_value=0).to_numpy(float)
    agents = fit.agents[fit.agents["date"] == day].set_index("interval_start_s")["agents_seen"]
    counts = agents.reindex(slots, fill_value=0).to_numpy(int)
    extra = np.arange(86400, 86400 + EXTRA_S, fit.interval_s)
    forecast = pd.DataFrame({"interval_start": [stamp(s) for s in slots], "volume": volumes})
    schedule = pd.DataFrame({"interval_start": [stamp(s) for s in np.concatenate([slots, extra])],
                             "count": np.concatenate([counts, np.full(len(extra), counts[-1])])})
    f, s = folder / "forecast.csv", folder / "schedule.csv"
    forecast.to_csv(f, index=False)
    schedule.to_csv(s, index=False)
    return f, s


def day_scenario(fit: Fit, day, availability: float, replications: int, seed: int, note: str = "") -> dict:
    """The scenario of one observed day (its inputs are forecast.csv and schedule.csv beside it)."""
    interval = interval_text(fit.interval_s)
    phone = {"arrivals": {"forecast": "forecast.csv", "interval": interval},
             "handle_time": handle_spec(fit, empirical_file="handle_times.csv"),
             "patience": {"dist": "exponential", "mean": duration(fit.patience.mean_s)}}
    if fit.ivr is not None:
        phone["ivr_time"] = lognormal(fit.ivr.mean, fit.ivr.cv)
    phone["targets"] = {"answer_within": duration(ANSWER_WITHIN_S), "service_level": 0.8}
    return {"schema": 1, "name": f"day-{day}",
            "description": f"Observed day {day}: its offered volumes and agents seen per interval; distributions "
                           f"fitted on {len(fit.chosen)} training day(s). {note}".strip(),
            "run": {"start": f"{day} 00:00", "horizon": f"{(86400 + EXTRA_S) / 3600:g}h", "warmup": "0s",
                    "replications": int(replications), "seed": int(seed), "interval": interval, "busyness_cv": 0.0},
            "channels": {"phone": phone},
            "agents": {"phone": {"serves": ["phone"], "schedule": "schedule.csv", "interval": interval,
                                 "availability": round(float(availability), 4)}}}


def prepare_days(fit: Fit, days, folder: str | Path) -> dict:
    """Write each day's inputs under ``folder/<date>/`` (and the handle times when empirical); {day: folder}."""
    folder = Path(folder)
    out = {}
    for day in days:
        sub = folder / str(day)
        write_day_inputs(fit, day, sub)
        if fit.handle_model == "empirical":
            pd.DataFrame({"handle_s": fit.handle_values}).to_csv(sub / "handle_times.csv", index=False)
        out[day] = sub
    return out


def simulate_days(fit: Fit, day_folders: dict, availability: float, replications: int, seed: int,
                  write: bool = False, note: str = "") -> pd.DataFrame:
    """Simulate every prepared day; the intervals of the day (replication x date x interval) with counts and ratios."""
    import sim

    frames = []
    for day, sub in day_folders.items():
        raw = day_scenario(fit, day, availability, replications, seed, note)
        if write:
            write_scenario(raw, Path(sub) / "scenario.toml")
        scenario = sim.parse_scenario(raw, source=str(Path(sub) / "scenario.toml"), base_dir=str(sub))
        res = sim.run(scenario, replications=replications, seed=seed)
        iv = res.intervals
        iv = iv[iv["interval_start_at_s"] < 86400].copy()
        iv["date"] = day
        iv = iv.rename(columns={"interval_start_at_s": "interval_start_s"})
        frames.append(iv)
    return pd.concat(frames, ignore_index=True)


def totals(table: pd.DataFrame) -> dict:
    """Abandonment share and mean wait as ratios of totals (per replication first when there is one)."""
    left = table["left_queue"] if "left_queue" in table else table["answered"] + table["abandoned"]
    if "replication" in table:
        g = table.assign(left_queue=left).groupby("replication")
        per = pd.DataFrame({"ab": g["abandoned"].sum() / g["offered"].sum(),
                            "wait": g["wait_sum_s"].sum() / g["left_queue"].sum(),
                            "sl": g["answered_within_target"].sum() / g["offered"].sum()})
        return {"abandon_rate": float(per["ab"].mean()), "mean_wait_s": float(per["wait"].mean()),
                "sl_offered": float(per["sl"].mean()), "abandon_rate_sd": float(per["ab"].std(ddof=1)),
                "mean_wait_s_sd": float(per["wait"].std(ddof=1))}
    return {"abandon_rate": float(table["abandoned"].sum() / table["offered"].sum()),
            "mean_wait_s": float(table["wait_sum_s"].sum() / left.sum()),
            "sl_offered": float(table["answered_within_target"].sum() / table["offered"].sum())}
