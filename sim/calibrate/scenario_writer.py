"""Write a fitted model as a contactsim scenario file (TOML, ``schema = 1``).

One phone channel: volumes per interval from the fitted arrival profile (offered contacts: those that reached the agent
queue), handle time (mixture, lognormal or empirical), exponential patience (the hazard MLE), lognormal IVR time, the
daily busyness CV, and one agent group staffed with the agents seen working per interval (rounded mean over the fitted
days) times an ``availability`` share. The agent counts are raw head counts: they overstate capacity (see
``sim.calibrate.availability``) until availability is fitted.
"""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import tomli_w

from sim.calibrate.fit import Fit

ACKNOWLEDGEMENT = "Data: Anonymous Bank call-centre records (1999), courtesy of Avi Mandelbaum and the Technion SEE Lab."
SCENARIO_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def duration(seconds: float) -> str:
    """A duration string with 4 significant digits ("386.4s")."""
    return f"{float(f'{seconds:.4g}'):g}s"


def lognormal(mean_s: float, cv: float) -> dict:
    return {"dist": "lognormal", "mean": duration(mean_s), "cv": round(float(cv), 4)}


def interval_text(interval_s: float) -> str:
    return f"{interval_s / 60:g}min"


def handle_spec(fit: Fit, empirical_file: str | None = None) -> dict:
    h = fit.handle
    if fit.handle_model == "empirical":
        if empirical_file is None:
            raise ValueError("the empirical handle model needs a file name for the handle times")
        return {"dist": "empirical", "file": empirical_file, "column": "handle_s"}
    if fit.handle_model == "lognormal" or h.short is None or h.short_share <= 0:
        part = h.single if fit.handle_model == "lognormal" else h.long
        return lognormal(part.mean, part.cv)
    w = round(h.short_share, 6)
    return {"dist": "mixture", "weights": [w, round(1 - w, 6)],
            "components": [lognormal(h.short.mean, h.short.cv), lognormal(h.long.mean, h.long.cv)]}


def _per_type(fit: Fit, column: str, table: pd.DataFrame, value: str) -> dict[str, list[float]]:
    """Mean per interval over the chosen days of each day type: ``{day_type: [values]}``."""
    types = fit.days.set_index("date")["day_type"]
    sel = table[table["date"].isin(fit.chosen)].copy()
    sel["day_type"] = sel["date"].map(types)
    means = sel.groupby(["day_type", column])[value].mean()
    slots = np.arange(0, 86400, fit.interval_s)
    return {t: [float(means.get((t, s), 0.0)) for s in slots] for t in sel["day_type"].unique()}


def _profile_lists(fit: Fit, kind: str) -> tuple[list, dict]:
    """(default list, by_weekday lists) for volumes or agent counts."""
    if kind == "volumes":
        long = fit.counts.loc[fit.chosen].stack().rename("n").reset_index()
        long.columns = ["date", "slot", "n"]
        per = _per_type(fit, "slot", long, "n")
        fmt = lambda xs: [round(x, 3) for x in xs]
    else:
        per = _per_type(fit, "interval_start_s", fit.agents, "agents_seen")
        fmt = lambda xs: [int(round(x)) for x in xs]
    main = "weekday" if "weekday" in per else sorted(per)[0]
    default = fmt(per[main])
    by_weekday = {}
    if len(per) > 1:
        types = fit.days.drop_duplicates("weekday").set_index("weekday")["day_type"]
        for wd in SCENARIO_WEEKDAYS:
            t = types.get(wd)
            if t in per and t != main:
                by_weekday[wd] = fmt(per[t])
    return default, by_weekday


def scenario_dict(fit: Fit, name: str, sources: list[str], acknowledge: bool, availability: float = 1.0,
                  replications: int = 20, seed: int = 1, answer_within_s: float = 20.0, service_level: float = 0.8,
                  empirical_file: str | None = None, availability_note: str = "") -> dict:
    """The scenario as a dict ready for TOML (keys in the order of the scenario format)."""
    first = min(fit.chosen)
    main_days = fit.days[fit.days["date"].isin(fit.chosen) & (fit.days["day_type"] == "weekday")]["date"]
    start = min(main_days) if len(main_days) else first
    span = f"{min(fit.chosen)} to {max(fit.chosen)}"
    desc = (f"Fitted with contactsim calibrate from {', '.join(Path(s).name for s in sources)} on {len(fit.chosen)} "
            f"day(s) ({fit.days_spec}: {span}). Volumes: offered contacts (reached the agent queue) per "
            f"{interval_text(fit.interval_s)}; agents: distinct agents seen serving per interval. "
            + (availability_note or "Availability not fitted (1.0): raw agent counts overstate capacity.")
            + (" " + ACKNOWLEDGEMENT if acknowledge else ""))
    interval = interval_text(fit.interval_s)
    volumes, vol_wd = _profile_lists(fit, "volumes")
    counts, cnt_wd = _profile_lists(fit, "counts")
    arrivals = {"volumes": volumes, "interval": interval}
    if vol_wd:
        arrivals["by_weekday"] = vol_wd
    phone = {"arrivals": arrivals, "handle_time": handle_spec(fit, empirical_file),
             "patience": {"dist": "exponential", "mean": duration(fit.patience.mean_s)}}
    if fit.ivr is not None:
        phone["ivr_time"] = lognormal(fit.ivr.mean, fit.ivr.cv)
    phone["targets"] = {"answer_within": duration(answer_within_s), "service_level": service_level}
    agents = {"serves": ["phone"], "count": counts, "interval": interval}
    if cnt_wd:
        agents["by_weekday"] = cnt_wd
    agents["availability"] = round(float(availability), 4)
    run = {"start": f"{start} 00:00", "horizon": "1d", "warmup": "0s", "replications": int(replications),
           "seed": int(seed), "interval": interval}
    if np.isfinite(fit.busyness_cv):
        run["busyness_cv"] = round(float(fit.busyness_cv), 4)
    return {"schema": 1, "name": name, "description": desc, "run": run, "channels": {"phone": phone},
            "agents": {"phone": agents}}


def dumps(scenario: dict) -> str:
    """TOML text with numeric arrays kept on one line; checked to read back to the same dict."""
    text = tomli_w.dumps(scenario)
    text = re.sub(r"\[\n((?:\s+[-+0-9.eE]+,\n)+)\]",
                  lambda m: "[" + ", ".join(v.strip().rstrip(",") for v in m.group(1).strip().splitlines()) + "]", text)
    if tomllib.loads(text) != tomllib.loads(tomli_w.dumps(scenario)):
        raise AssertionError("scenario TOML did not read back to the same values")
    return text


def write_scenario(scenario: dict, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps(scenario))
    return path


def write_handle_times(values, path: str | Path) -> Path:
    """The observed handle times, for ``handle_time = { dist = "empirical", file = ..., column = "handle_s" }``."""
    path = Path(path)
    pd.DataFrame({"handle_s": np.asarray(values, float)}).to_csv(path, index=False)
    return path


__all__ = ["scenario_dict", "dumps", "write_scenario", "write_handle_times", "ACKNOWLEDGEMENT"]
