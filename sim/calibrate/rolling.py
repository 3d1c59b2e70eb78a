"""Rolling back-test: train on one month, predict the next available one, for every consecutive pair of months.

For each test month the regular weekdays (``sim.calibrate.calendar``) are predicted interval by interval from each
day's own offered volumes and agents seen per skill pool (``actual``), or from the training month's mean weekday
profile (``forecast``: what a planner knows before the day), by

- ``sim``: the enriched simulation (``sim.calibrate.month_model``), R replications per day, each replication's
  measures conditioned on the interval's observed arrival count (``sim.calibrate.scores.condition_on_count``);
- ``erlang_a_raw``: interval-by-interval Erlang A with every agent seen, the month's mean handle time and
  exponential patience (the naive planner's model);
- ``erlang_a``: the strong baseline — Erlang A with the same fitted availability profile and handle times by hour
  (one pool: Erlang A has no skills);
- ``noise_floor``: what the fitted simulation would score if it were exactly right (leave-one-out over its own
  replications, ``sim.calibrate.scores.noise_floor``).

Measures per interval (by arrival): abandonment share, mean wait over every offered caller (answered at once = 0),
service level (answered within 20 s / offered). Scored: intervals with at least ``min_offered`` offered calls.
Priority classes: class 0 marks unidentified callers and, through a recording fault, callers who did not wait; it is
an outcome, not an input, so it is counted as class 1.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibrate.calendar import day_table
from sim.calibrate.day_model import observed_intervals
from sim.calibrate.formats import read_log
from sim.calibrate.hourly import hour_of, interpolate
from sim.calibrate.month_model import FULL, MonthFit, Switches, fit_month, pool_intervals, simulate_day
from sim.calibrate.pools import Pools, find_pools
from sim.calibrate.scores import band, condition_on_count, fair_crps, interval_score, noise_floor

MEASURES = ("abandon_rate", "mean_wait_s", "sl_offered")
MODELS = ("sim", "erlang_a", "erlang_a_raw", "noise_floor")


def month_files(data_dir: str | Path) -> list[Path]:
    """The month files of a folder (``*.txt.gz`` or ``*.txt``), in name order (01_January …)."""
    d = Path(data_dir)
    files = sorted(list(d.glob("*.txt.gz")) + list(d.glob("*.txt")))
    return files


@dataclass
class Month:
    name: str
    calls: pd.DataFrame
    weekdays: list
    report: object = None       # sim.calibrate.logs.ReadReport: malformed rows by line, rows dropped by rule


def load_month(path: Path) -> Month:
    """One month file (technion format): its calls and regular weekdays; malformed rows are skipped and listed by
    line in ``report`` (an unreadable or truncated file is an ``InputError`` naming it)."""
    log = read_log([path], format="technion")
    table = day_table(log.calls)
    days = list(table[(table["status"] == "regular") & (table["day_type"] == "weekday")]["date"])
    return Month(Path(path).name.split(".")[0], log.calls, days, log.report)


def test_pools(fit: MonthFit, month: Month) -> Pools:
    """The training month's pools (which call types have a team), with the test month's roster: agents new in the
    test month join a pool when their own services there say so (agents seen are a known input, like the roster)."""
    seen_now = find_pools(month.calls, month.weekdays).agents
    agents = {**{a: p for a, p in seen_now.items() if p in fit.pools.types}, **fit.pools.agents}
    return Pools(fit.pools.types, agents, fit.pools.table)


def erlang_predictions(seen, offered, interval_s, handle_s, availability, patience_s) -> np.ndarray:
    """Erlang A per interval at ``seen × availability`` agents: [interval, (abandon, mean wait, SL)]."""
    from sim.calibrate.hourly import erlang_table

    table = erlang_table(np.ceil(seen * availability), offered, interval_s, handle_s, patience_s)
    return interpolate(table, seen * availability)


def predict_month(fit: MonthFit, baseline: MonthFit, month: Month, replications: int, seed: int, folder: Path,
                  mode: str = "actual", min_offered: int = 10) -> pd.DataFrame:
    """Per test day × interval: observed measures and every model's prediction (see the module notes)."""
    pools = test_pools(fit, month)
    fit = replace(fit, pools=pools)
    iv_s = fit.interval_s
    frames = []
    for day in month.weekdays:
        calls = month.calls[month.calls["arrival_at"].dt.date == day]
        per_pool = pool_intervals(calls, pools, [day], iv_s)
        seen = {p: t["agents_seen"].to_numpy(float) for p, t in per_pool.items()}
        if mode == "actual":
            volumes = {p: t["offered"].to_numpy(float) for p, t in per_pool.items()}
        else:
            volumes = {p: fit.profile[p] for p in pools.names}
        reps = simulate_day(fit, day, volumes, seen, folder / str(day), replications, seed)
        obs = observed_intervals(calls, [day], iv_s)
        total_seen = sum(seen.values())
        rate_in = obs["offered"].to_numpy(float) if mode == "actual" else sum(volumes.values())
        frame = obs.rename(columns={m: f"observed_{m}" for m in (*MEASURES, "offered", "abandoned")})
        frame["agents_seen"] = total_seen
        hours = hour_of(frame["interval_start_s"])
        frame["hour"] = hours
        b = "general"
        ea = erlang_predictions(total_seen, rate_in, iv_s, np.array([baseline.handle_hour[b][h] for h in hours]),
                                np.array([baseline.availability_hour[b][h] for h in hours]), baseline.patience.mean_s)
        raw = erlang_predictions(total_seen, rate_in, iv_s, np.full(len(hours), baseline.handle_mean(b)),
                                 np.ones(len(hours)), baseline.patience.mean_s)
        wide = reps.pivot(index="interval_start_s", columns="replication")
        wide = wide.reindex(frame["interval_start_s"])
        counts = wide["offered"].to_numpy(float)
        with warnings.catch_warnings():  # intervals without calls (nights) have no measures: NaN, not a warning
            warnings.simplefilter("ignore", RuntimeWarning)
            _score_measures(frame, wide, counts, ea, raw, hours, mode)
        # daily totals per replication (unconditioned sums over the day)
        frame["sim_day_abandoned"] = np.nanmean(wide["abandoned"].to_numpy(float).sum(axis=0))
        frame["sim_day_offered"] = np.nanmean(counts.sum(axis=0))
        frame["sim_day_wait_sum_s"] = np.nanmean(wide["wait_sum_s"].to_numpy(float).sum(axis=0))
        frame["sim_day_within"] = np.nanmean(wide["answered_within_target"].to_numpy(float).sum(axis=0))
        frames.append(frame)
    per = pd.concat(frames, ignore_index=True)
    per["scored"] = per["observed_offered"] >= min_offered
    per["mode"] = mode
    return per


def _score_measures(frame, wide, counts, ea, raw, hours, mode) -> None:
    """Add each measure's predictions and scores to the day's interval ``frame``."""
    for k, m in enumerate(MEASURES):
        frame[f"erlang_a_{m}"] = ea[:, k]
        frame[f"erlang_a_raw_{m}"] = raw[:, k]
        x = wide[m].to_numpy(float)
        if mode == "actual":
            x = condition_on_count(x, counts, frame["observed_offered"].to_numpy(float), hours)
        y = frame[f"observed_{m}"].to_numpy(float)
        lo, hi = band(x)
        frame[f"sim_{m}"] = np.nanmean(x, axis=1)
        frame[f"sim_{m}_p05"], frame[f"sim_{m}_p95"] = lo, hi
        frame[f"sim_{m}_crps"] = fair_crps(x, y)
        frame[f"sim_{m}_iscore"] = interval_score(lo, hi, y)
        frame[f"sim_{m}_inside"] = ((y >= lo) & (y <= hi)).astype(float)
        if mode == "actual":
            nf = noise_floor(x)
            frame[f"noise_floor_{m}_mae"] = nf["mae"]
            frame[f"noise_floor_{m}_crps"] = nf["crps"]
            frame[f"noise_floor_{m}_iscore"] = nf["interval_score"]
            frame[f"noise_floor_{m}_inside"] = nf["coverage"]


def pair_table(per: pd.DataFrame, train: str, test: str) -> pd.DataFrame:
    """Per measure and model: MAE, bias, CRPS, 5–95% interval score, band coverage over scored intervals, and the
    MAE of daily totals (abandonment share, mean wait, SL over the whole day)."""
    s = per[per["scored"]]
    rows = []
    days = daily_totals(per)
    for m in MEASURES:
        y = s[f"observed_{m}"].to_numpy(float)
        for model in MODELS:
            if model == "noise_floor":
                if f"noise_floor_{m}_mae" not in s:
                    continue
                rows.append({"measure": m, "model": model, "mae": s[f"noise_floor_{m}_mae"].mean(), "bias": 0.0,
                             "crps": s[f"noise_floor_{m}_crps"].mean(),
                             "interval_score": s[f"noise_floor_{m}_iscore"].mean(),
                             "coverage": s[f"noise_floor_{m}_inside"].mean(), "daily_mae": np.nan})
                continue
            d = s[f"{model}_{m}"].to_numpy(float) - y
            row = {"measure": m, "model": model, "mae": np.nanmean(np.abs(d)), "bias": np.nanmean(d),
                   "crps": np.nanmean(np.abs(d)), "interval_score": np.nan, "coverage": np.nan,
                   "daily_mae": np.nanmean(np.abs(days[f"{model}_{m}"] - days[f"observed_{m}"]))}
            if model == "sim":
                row.update(crps=s[f"sim_{m}_crps"].mean(), interval_score=s[f"sim_{m}_iscore"].mean(),
                           coverage=s[f"sim_{m}_inside"].mean())
            rows.append(row)
    out = pd.DataFrame(rows)
    out.insert(0, "test", test)
    out.insert(0, "train", train)
    out["intervals"] = int(len(s))
    return out


def daily_totals(per: pd.DataFrame) -> pd.DataFrame:
    """Per day: observed and predicted abandonment share, mean wait and SL of the whole day (offered-weighted)."""
    rows = []
    for day, g in per.groupby("date"):
        off = g["observed_offered"].to_numpy(float)
        tot = off.sum()
        row = {"date": day, "observed_offered": tot,
               "observed_abandon_rate": g["observed_abandoned"].sum() / tot,
               "observed_mean_wait_s": g["wait_sum_s"].sum() / tot,
               "observed_sl_offered": g["answered_within_target"].sum() / tot}
        for model in ("erlang_a", "erlang_a_raw"):
            for m in MEASURES:
                row[f"{model}_{m}"] = float(np.nansum(g[f"{model}_{m}"].to_numpy(float) * off) / tot)
        so = g["sim_day_offered"].iloc[0]
        row.update(sim_abandon_rate=g["sim_day_abandoned"].iloc[0] / so, sim_mean_wait_s=g["sim_day_wait_sum_s"].iloc[0]
                   / so, sim_sl_offered=g["sim_day_within"].iloc[0] / so)
        rows.append(row)
    return pd.DataFrame(rows)


def goal_check(table: pd.DataFrame) -> pd.DataFrame:
    """The issue's goal per test month and measure: MAE ≤ 1.15 × noise floor, ≤ 0.9 × the strong baseline, and
    coverage of the 5–95% band ≥ 85%."""
    rows = []
    for (train, test, m), g in table.groupby(["train", "test", "measure"], sort=False):
        v = g.set_index("model")
        sim_mae = v.at["sim", "mae"]
        floor = v.at["noise_floor", "mae"] if "noise_floor" in v.index else np.nan
        rows.append({"train": train, "test": test, "measure": m, "sim_mae": sim_mae,
                     "vs_noise_floor": sim_mae / floor, "vs_strong_baseline": sim_mae / v.at["erlang_a", "mae"],
                     "coverage": v.at["sim", "coverage"],
                     "met": bool(sim_mae <= 1.15 * floor and sim_mae <= 0.9 * v.at["erlang_a", "mae"]
                                 and v.at["sim", "coverage"] >= 0.85)})
    return pd.DataFrame(rows)


BASELINE = Switches(pools=False, patience_shape=False)


def run_pair(train: Month, test: Month, out: Path, replications: int = 10, seed: int = 1,
             switches: Switches = FULL, modes=("actual",), fit_from: Month | None = None,
             bootstrap: int = 100, baselines: dict | None = None) -> dict:
    """Fit on ``train`` (or ``fit_from``), predict ``test``; write per_interval_<mode>.csv and table_<mode>.csv.

    ``bootstrap``: day resamples for the fitted parameters' intervals (0: point estimates only, which do not depend
    on it). ``baselines``: fits of the strong baseline by training month, reused across calls (its switches are
    fixed, so every ablation variant of a pair meets the same baseline)."""
    src = fit_from or train
    fit = fit_month(src.calls, src.weekdays, switches=switches, seed=seed, bootstrap=bootstrap)
    baselines = {} if baselines is None else baselines
    if (src.name, seed) not in baselines:
        baselines[(src.name, seed)] = fit_month(src.calls, src.weekdays, switches=BASELINE, seed=seed, bootstrap=0)
    baseline = baselines[(src.name, seed)]
    out.mkdir(parents=True, exist_ok=True)
    fit.tables["hourly"].to_csv(out / "train_hourly.csv", index=False, float_format="%.6g")
    fit.tables["patience_by_class"].to_csv(out / "train_patience_by_class.csv", index=False, float_format="%.6g")
    fit.tables["pools"].to_csv(out / "train_pools.csv", index=False)
    tables = {}
    for mode in modes:
        per = predict_month(fit, baseline, test, replications, seed, out / f"days_{mode}", mode=mode)
        per.to_csv(out / f"per_interval_{mode}.csv", index=False, float_format="%.6g")
        t = pair_table(per, src.name, test.name)
        t.to_csv(out / f"table_{mode}.csv", index=False, float_format="%.6g")
        tables[mode] = t
    return {"fit": fit, "baseline": baseline, "tables": tables}


def run_rolling(files, out: Path, replications: int = 20, seed: int = 1, mode: str = "actual",
                switches: Switches = FULL, fit_first: Path | None = None, label: str = "full",
                cache: dict | None = None, log=print, bootstrap: int = 100) -> pd.DataFrame:
    """Every consecutive pair of ``files`` (month logs): train on the first, predict the second. A pair whose table
    is already in ``out`` is read back, not rerun (an interrupted run keeps its finished pairs). ``cache`` keeps the
    months read and the baseline fits between calls."""
    cache = {} if cache is None else cache
    baselines = cache.setdefault("baselines", {})
    files = [Path(f) for f in files]

    def month(f: Path) -> Month:
        if f not in cache:
            cache[f] = load_month(f)
            for file, line, reason in cache[f].report.malformed[:20]:
                log(f"{file}: line {line}: {reason} (row skipped)")
            if len(cache[f].report.malformed) > 20:
                log(f"{f}: … and {len(cache[f].report.malformed) - 20} more malformed rows")
        return cache[f]

    tables = []
    for a, b in zip(files[:-1], files[1:]):
        folder = Path(out) / mode / label / f"{a.name.split('.')[0]}__{b.name.split('.')[0]}"
        done = folder / f"table_{mode}.csv"
        if done.is_file():
            tables.append(pd.read_csv(done))
            continue
        res = run_pair(month(a), month(b), folder, replications=replications, seed=seed, switches=switches,
                       modes=(mode,), fit_from=month(fit_first) if fit_first is not None else None,
                       bootstrap=bootstrap, baselines=baselines)
        tables.append(res["tables"][mode])
        log(f"{mode} ({label}): trained on {a.name}, tested on {b.name}")
    t = pd.concat(tables, ignore_index=True)
    t["variant"] = label
    return t


def rolling_markdown(table: pd.DataFrame) -> str:
    """The rolling table as markdown: per pair and measure, MAE (bias) of each model, the simulation's CRPS,
    interval score and band coverage, and the daily-total MAE."""
    lines = ["| train → test | measure | sim MAE (bias) | Erlang A strong | Erlang A raw | noise floor | sim CRPS | "
             "sim 5–95% score | coverage | daily MAE sim / strong |", "|---|---|---|---|---|---|---|---|---|---|"]
    for (train, test, m), g in table.groupby(["train", "test", "measure"], sort=False):
        v = g.set_index("model")
        f = ".1f" if m == "mean_wait_s" else ".3f"

        def cell(model: str, v=v, f=f) -> str:
            if model not in v.index:
                return ""
            r = v.loc[model]
            return f"{r['mae']:{f}}" + ("" if model == "noise_floor" else f" ({r['bias']:+{f}})")

        s = v.loc["sim"]
        lines.append(f"| {train} → {test} | {m} | {cell('sim')} | {cell('erlang_a')} | {cell('erlang_a_raw')} | "
                     f"{cell('noise_floor')} | {s['crps']:{f}} | {s['interval_score']:{f}} | {s['coverage']:.0%} | "
                     f"{s['daily_mae']:{f}} / {v.loc['erlang_a', 'daily_mae']:{f}} |")
    return "\n".join(lines)
