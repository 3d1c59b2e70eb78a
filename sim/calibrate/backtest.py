"""Back-test: fit on training days, then predict each test day from its own offered volumes and agents seen.

For every test day and interval (by arrival) the records' abandonment rate, mean wait (of contacts that left the
queue) and service level (answered within 20 s / offered) are set beside

- the simulation: the calibrated model (distributions and availability fitted on the training days) run with the
  day's observed volumes and agents seen, mean and 95% CI over replications;
- Erlang A (M/M/n+M, exact) interval by interval with the same inputs: the interval's offered rate, mean handle time,
  exponential patience mean, and n = agents seen × availability (metrics interpolated linearly between the two
  neighbouring whole numbers of agents; n = 0 means every caller waits out their patience);
- Erlang A with the raw agents seen (availability 1), the naive planner's model.

Only intervals with at least ``min_offered`` observed offered contacts are scored (ratios of a handful of calls are
noise). MAE = mean |model − observed| over those intervals; bias = mean (model − observed).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from sim.calibrate.arrivals import clock_label
from sim.calibrate.availability import AvailabilityFit, fit_availability
from sim.calibrate.calendar import day_table, parse_dates, parse_working_days
from sim.calibrate.day_model import ANSWER_WITHIN_S, METRICS, observed_intervals, prepare_days, simulate_days
from sim.calibrate.fit import Fit, fit_calls
from sim.calibrate.formats import read_log
from sim.calibrate.report import source_note
from sim.errors import InputError
from sim.units import parse_duration

MODELS = {"sim": "simulation", "erlang_a": "Erlang A (availability)", "erlang_a_raw": "Erlang A (raw agents)"}


def erlang_a_interval(n: float, rate: float, mean_service_s: float, mean_patience_s: float,
                      answer_within_s: float = ANSWER_WITHIN_S) -> dict:
    """Erlang A metrics for a possibly fractional number of agents (linear between floor and ceiling)."""
    from sim.analytic import erlang_a_metrics

    def whole(k: int) -> dict:
        if rate <= 0:
            return {"abandon_rate": 0.0, "mean_wait_s": 0.0, "sl_offered": 1.0}
        if k <= 0:
            return {"abandon_rate": 1.0, "mean_wait_s": mean_patience_s, "sl_offered": 0.0}
        m = erlang_a_metrics(k, rate, mean_service_s, mean_patience_s, answer_within_s)
        return {"abandon_rate": m["p_abandon"], "mean_wait_s": m["mean_wait_s"], "sl_offered": m["sl_offered"]}

    lo = math.floor(n)
    w = n - lo
    a, b = whole(lo), whole(lo + 1) if w > 0 else whole(lo)
    return {k: (1 - w) * a[k] + w * b[k] for k in a}


def _screen(spec: str, table: pd.DataFrame, what: str, all_day_types: bool) -> tuple[list, list[str]]:
    """The regular days among the dates given (working days only unless ``all_day_types``), with notes."""
    wanted = parse_dates(spec)
    known = table.set_index("date")
    missing = [str(d) for d in wanted if d not in known.index]
    if missing:
        raise InputError(f"--{what}: no contacts in the log on {', '.join(missing)}")
    keep, dropped, other = [], [], []
    for d in wanted:
        if known.at[d, "status"] != "regular":
            dropped.append(f"{d} left out of --{what}: {known.at[d, 'reason']}")
        elif not all_day_types and known.at[d, "day_type"] != "weekday":
            other.append(str(d))
        else:
            keep.append(d)
    if other:
        dropped.append(f"{len(other)} non-working day(s) left out of --{what} ({', '.join(other)}); "
                       f"--all-day-types keeps them")
    if not keep:
        raise InputError(f"--{what}: every date given was screened out ({'; '.join(dropped)})")
    return keep, dropped


@dataclass
class Backtest:
    fit: Fit
    availability: AvailabilityFit
    per_interval: pd.DataFrame
    errors: pd.DataFrame
    per_day: pd.DataFrame
    notes: list[str]
    out: Path
    command: str = ""

    def text(self) -> str:
        lines = [f"trained on {len(self.fit.chosen)} day(s): {', '.join(map(str, self.fit.chosen))}",
                 f"tested on {self.per_day['date'].nunique()} day(s): {', '.join(map(str, self.per_day['date']))}"]
        lines += [f"note: {n}" for n in self.notes]
        lines += [self.availability.note(), "", error_table_markdown(self.errors), "",
                  f"wrote {self.out}/ (per_interval.csv, errors.csv, per_day.csv, days/<date>/scenario.toml, "
                  f"backtest.png)"]
        return "\n".join(lines)


def error_table_markdown(errors: pd.DataFrame) -> str:
    lines = ["| metric | model | intervals | observed mean | MAE | bias | observed within sim. 90% range |",
             "|---|---|---|---|---|---|---|"]
    for r in errors.itertuples():
        fmt = ".1f" if r.metric == "mean_wait_s" else ".3f"
        cover = f"{r.within_range:.0%}" if r.within_range == r.within_range else ""
        lines.append(f"| {r.metric} | {r.model} | {r.intervals} | {r.observed_mean:{fmt}} | {r.mae:{fmt}} | "
                     f"{r.bias:+{fmt}} | {cover} |")
    return "\n".join(lines)


def _sim_summary(sim_iv: pd.DataFrame) -> pd.DataFrame:
    """Per date x interval: mean, 95% CI of the mean, and 5-95% range over replications of each metric."""
    rows = []
    for (day, slot), g in sim_iv.groupby(["date", "interval_start_s"]):
        row = {"date": day, "interval_start_s": slot, "sim_offered": g["offered"].mean()}
        for m in METRICS:
            x = g[m].to_numpy(float)
            x = x[np.isfinite(x)]
            n = len(x)
            mean = x.mean() if n else np.nan
            half = stats.t.ppf(0.975, n - 1) * x.std(ddof=1) / math.sqrt(n) if n > 1 else np.nan
            row.update({f"sim_{m}": mean, f"sim_{m}_low": mean - half, f"sim_{m}_high": mean + half,
                        f"sim_{m}_p05": np.quantile(x, 0.05) if n else np.nan,
                        f"sim_{m}_p95": np.quantile(x, 0.95) if n else np.nan})
        rows.append(row)
    return pd.DataFrame(rows)


def backtest(paths, format: str = "technion", train: str = "", test: str = "", out: str | Path = "backtest",
             strict: bool = False, working_days: str | None = None, interval: str = "30min", handle: str = "mixture",
             replications: int = 20, search_replications: int = 5, min_offered: int = 10, seed: int = 1,
             figure: str | Path | None = None, bootstrap: int = 50, all_day_types: bool = False) -> Backtest:
    """Fit on ``train`` dates, fit availability there, simulate ``test`` dates; write tables, scenarios, a figure."""
    log = read_log(paths, format=format, strict=strict)
    interval_s = parse_duration(interval)
    wd = parse_working_days(working_days, format)
    table = day_table(log.calls, wd, interval_s)
    train_days, notes = _screen(train, table, "train", all_day_types)
    test_days, more = _screen(test, table, "test", all_day_types)
    notes += more
    overlap = sorted(set(train_days) & set(test_days))
    if overlap:
        raise InputError(f"--train and --test share {', '.join(map(str, overlap))}: test on days not fitted on")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    fit = fit_calls(log.calls, days=",".join(map(str, train_days)), working_days=wd, interval_s=interval_s,
                    handle_model=handle, bootstrap=bootstrap, seed=seed)
    avail = fit_availability(log.calls, fit, replications=search_replications, seed=seed, folder=out / "train_days")
    folders = prepare_days(fit, test_days, out / "days")
    sim_iv = simulate_days(fit, folders, avail.availability, replications, seed, write=True, note=avail.note())
    obs = observed_intervals(log.calls, test_days, interval_s)
    agents = fit.agents[["date", "interval_start_s", "agents_seen"]]
    per = obs.merge(agents, on=["date", "interval_start_s"], how="left").merge(
        _sim_summary(sim_iv), on=["date", "interval_start_s"], how="left")
    per = per.rename(columns={m: f"observed_{m}" for m in METRICS + ("offered", "abandoned")})
    mean_s, patience_s = fit.handle.mean_s, fit.patience.mean_s
    for key, factor in (("erlang_a", avail.availability), ("erlang_a_raw", 1.0)):
        res = [erlang_a_interval(n * factor, off / interval_s, mean_s, patience_s)
               for n, off in zip(per["agents_seen"].fillna(0), per["observed_offered"])]
        for m in METRICS:
            per[f"{key}_{m}"] = [r[m] for r in res]
    per["clock"] = per["interval_start_s"].map(clock_label)
    per["scored"] = per["observed_offered"] >= min_offered
    errors = error_table(per[per["scored"]])
    per_day = day_totals(per, sim_iv)
    avail.table.to_csv(out / "availability_search.csv", index=False, float_format="%.6g")
    per.to_csv(out / "per_interval.csv", index=False, float_format="%.6g")
    errors.to_csv(out / "errors.csv", index=False, float_format="%.6g")
    per_day.to_csv(out / "per_day.csv", index=False, float_format="%.6g")
    fit.parameters.to_csv(out / "train_parameters.csv", index=False, float_format="%.6g")
    from sim.plots.calibration import backtest_figure

    scored = per[per["scored"]]
    title = (f"back-test: {len(test_days)} test day(s), trained on {len(train_days)}; availability "
             f"{avail.availability:.2f}; {replications} replications per day")
    note = source_note(format, log.report.files)
    backtest_figure(scored, errors, out / "backtest.png", note, title)
    if figure:
        Path(figure).parent.mkdir(parents=True, exist_ok=True)
        backtest_figure(scored, errors, figure, note, title)
    result = Backtest(fit, avail, per, errors, per_day, notes, out)
    (out / "summary.md").write_text(result.text() + "\n")
    return result


def error_table(scored: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for m in METRICS:
        obs = scored[f"observed_{m}"]
        for key, label in MODELS.items():
            pred = scored[f"{key}_{m}"]
            ok = obs.notna() & pred.notna()
            diff = pred[ok] - obs[ok]
            within = np.nan
            if key == "sim":
                lo, hi = scored.loc[ok, f"sim_{m}_p05"], scored.loc[ok, f"sim_{m}_p95"]
                within = float(((obs[ok] >= lo) & (obs[ok] <= hi)).mean())
            rows.append({"metric": m, "model": label, "intervals": int(ok.sum()),
                         "observed_mean": float(obs[ok].mean()), "mae": float(diff.abs().mean()),
                         "bias": float(diff.mean()), "within_range": within})
    return pd.DataFrame(rows)


def day_totals(per: pd.DataFrame, sim_iv: pd.DataFrame) -> pd.DataFrame:
    """Whole-day abandonment and mean wait per test day: observed and simulated (mean over replications)."""
    rows = []
    for day, g in per.groupby("date"):
        s = sim_iv[sim_iv["date"] == day].groupby("replication")[["offered", "abandoned", "wait_sum_s"]].sum()
        left = g["observed_offered"].sum()
        rows.append({"date": day, "observed_offered": int(g["observed_offered"].sum()),
                     "observed_abandon_rate": g["observed_abandoned"].sum() / max(left, 1),
                     "observed_mean_wait_s": g["wait_sum_s"].sum() / max(left, 1),
                     "sim_offered": float(s["offered"].mean()),
                     "sim_abandon_rate": float((s["abandoned"] / s["offered"]).mean()),
                     "agents_seen_peak": int(g["agents_seen"].max())})
    return pd.DataFrame(rows)
