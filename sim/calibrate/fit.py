"""Fit a contact centre's model from a read log: calendar, arrivals, busyness, IVR, handle time, patience, agents.

``fit_calls`` returns a ``Fit`` holding every table the scenario writer, the report and the figures need, and a
fitted-parameters table with uncertainty: ``se`` is the standard error assuming independent contacts (analytic), and
``ci_low``/``ci_high`` a 95% percentile interval from resampling whole days (contacts of one day are not independent:
a busy day has long waits for everyone), which is the honest one for planning.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.calibrate.agents import agents_by_interval, agents_profile
from sim.calibrate.arrivals import arrival_profile, busyness_cv
from sim.calibrate.calendar import WORKING_DAYS, day_table, interval_counts, select_days
from sim.calibrate.durations import HANDLE_MODELS, SHORT_S, HandleFit, LognormalFit, fit_handle, fit_lognormal
from sim.calibrate.patience import ExponentialPatience, exponential_patience, kaplan_meier, km_at, km_quantile
from sim.errors import InputError

BOOTSTRAP = 200


@dataclass
class Fit:
    """Everything fitted from the chosen days of a log (tables are pandas DataFrames)."""

    interval_s: float
    days_spec: str
    handle_model: str
    days: pd.DataFrame              # every day of the log, with day type and screening status
    chosen: list                    # dates fitted on
    notes: list[str]
    counts: pd.DataFrame            # offered per date x interval (every day)
    profile: pd.DataFrame           # mean/sd/se per day type x interval (chosen days)
    busyness_cv: float
    ivr: LognormalFit | None
    handle: HandleFit
    handle_values: np.ndarray
    patience: ExponentialPatience
    km: pd.DataFrame
    agents: pd.DataFrame            # per date x interval (every day)
    agents_profile: pd.DataFrame    # mean over chosen days per interval
    classes: pd.DataFrame           # priority classes and call types
    parameters: pd.DataFrame
    totals: dict = field(default_factory=dict)


def _per_day_stats(calls: pd.DataFrame, short_s: float) -> pd.DataFrame:
    """Sufficient statistics per day, for the day-resampling bootstrap."""
    day = calls["arrival_at"].dt.date
    off = calls["outcome"].isin(["served", "abandoned"])
    served = calls["outcome"] == "served"
    h = calls["handle_s"]
    long_ = served & (h >= short_s)
    pos = served & (h > 0)
    queued = off & (calls["wait_s"] > 0)
    ivr = off & (calls["ivr_s"] > 0)
    lg = np.log(h.where(h > 0, 1.0))
    li = np.log(calls["ivr_s"].where(calls["ivr_s"] > 0, 1.0))
    frame = pd.DataFrame({
        "offered": off, "served": served, "short": served & (h < short_s),
        "n_long": long_, "s_long": lg.where(long_, 0.0), "ss_long": (lg ** 2).where(long_, 0.0),
        "n_pos": pos, "s_pos": lg.where(pos, 0.0), "ss_pos": (lg ** 2).where(pos, 0.0),
        "abandoned": queued & (calls["outcome"] == "abandoned"), "exposure": calls["wait_s"].where(queued, 0.0),
        "n_ivr": ivr, "s_ivr": li.where(ivr, 0.0), "ss_ivr": (li ** 2).where(ivr, 0.0),
    })
    return frame.astype(float).groupby(day).sum()


def _log_moments(n, s, ss):
    mu = s / n
    var = (ss - n * mu ** 2) / max(n - 1, 1)
    return mu, math.sqrt(max(var, 0.0))


def _boot_table(per_day: pd.DataFrame, rng: np.random.Generator, draws: int) -> pd.DataFrame:
    """Bootstrap replicates (rows) of the day-level statistics (columns)."""
    cols = list(per_day.columns)
    values = per_day.to_numpy()

    def stat(sample: np.ndarray) -> np.ndarray:
        t = dict(zip(cols, sample.sum(axis=0)))
        mu_l, sd_l = _log_moments(t["n_long"], t["s_long"], t["ss_long"])
        mu_p, sd_p = _log_moments(t["n_pos"], t["s_pos"], t["ss_pos"])
        mu_i, sd_i = _log_moments(t["n_ivr"], t["s_ivr"], t["ss_ivr"]) if t["n_ivr"] > 1 else (np.nan, np.nan)
        return np.array([sample[:, cols.index("offered")].mean(), busyness_cv(sample[:, cols.index("offered")]),
                         mu_l, sd_l, mu_p, sd_p, t["short"] / t["served"],
                         t["exposure"] / t["abandoned"] if t["abandoned"] else np.nan,
                         t["abandoned"] / t["offered"], mu_i, sd_i])

    names = ["offered_per_day", "busyness_cv", "long_mu", "long_sigma", "single_mu", "single_sigma", "short_share",
             "patience_mean", "abandon_share", "ivr_mu", "ivr_sigma"]
    reps = np.array([stat(values[rng.integers(0, len(values), len(values))]) for _ in range(draws)])
    return pd.DataFrame(reps, columns=names)


def _classes(calls: pd.DataFrame) -> pd.DataFrame:
    off = calls[calls["outcome"].isin(["served", "abandoned"])].copy()
    off["abandoned"] = off["outcome"] == "abandoned"
    off["waited"] = off["wait_s"] > 0
    rows = []
    for kind in ("priority", "type"):
        g = off.groupby(kind, observed=True)
        t = pd.DataFrame({"offered": g.size(), "abandon_rate": g["abandoned"].mean(), "share_waited": g["waited"].mean(),
                          "mean_wait_s": g["wait_s"].mean(),
                          "mean_handle_s": off[off["outcome"] == "served"].groupby(kind, observed=True)["handle_s"].mean()})
        t["share"] = t["offered"] / t["offered"].sum()
        t.insert(0, "kind", kind)
        rows.append(t.reset_index().rename(columns={kind: "value"}).astype({"value": str}))
    return pd.concat(rows, ignore_index=True)


def fit_calls(calls: pd.DataFrame, days: str = "weekday", working_days=WORKING_DAYS["technion"],
              interval_s: float = 1800.0, handle_model: str = "mixture", short_s: float = SHORT_S,
              bootstrap: int = BOOTSTRAP, seed: int = 1) -> Fit:
    """Fit every model part on the chosen days (``weekday``, ``all`` or a list of dates, see ``select_days``)."""
    if handle_model not in HANDLE_MODELS:
        raise InputError(f"--handle: expected one of {', '.join(HANDLE_MODELS)}, got {handle_model!r}")
    table = day_table(calls, working_days, interval_s)
    chosen, notes = select_days(table, days)
    counts = interval_counts(calls, interval_s)
    profile = arrival_profile(counts, table, chosen)
    sel = calls[calls["arrival_at"].dt.date.isin(set(chosen))]
    served = sel[sel["outcome"] == "served"]
    queued = sel[sel["outcome"].isin(["served", "abandoned"]) & (sel["wait_s"] > 0)]
    if len(served) < 10:
        raise InputError(f"too few served contacts on the chosen days to fit handle times ({len(served)})")
    try:
        patience = exponential_patience(queued["wait_s"], queued["outcome"] == "abandoned")
    except ValueError as exc:
        raise InputError(f"patience on the chosen days: {exc}") from None
    km = kaplan_meier(queued["wait_s"], queued["outcome"] == "abandoned")
    handle_values = served["handle_s"].to_numpy(float)
    handle = fit_handle(handle_values, short_s)
    ivr_values = sel.loc[sel["outcome"].isin(["served", "abandoned"]), "ivr_s"].dropna()
    ivr = fit_lognormal(ivr_values) if (ivr_values > 0).sum() >= 2 else None
    agents = agents_by_interval(calls, interval_s)
    main_type = "weekday" if "weekday" in set(table.loc[table["date"].isin(chosen), "day_type"]) else None
    busy_days = [d for d in chosen if main_type is None or table.set_index("date").at[d, "day_type"] == main_type]
    totals = counts.loc[busy_days].sum(axis=1)
    cv_b = busyness_cv(totals)
    rng = np.random.default_rng(seed)
    per_day = _per_day_stats(sel, short_s)
    boot = _boot_table(per_day.loc[[d for d in per_day.index if d in set(busy_days)]], rng, bootstrap)
    fit = Fit(interval_s=interval_s, days_spec=days, handle_model=handle_model, days=table, chosen=chosen, notes=notes,
              counts=counts, profile=profile, busyness_cv=cv_b, ivr=ivr, handle=handle, handle_values=handle_values,
              patience=patience, km=km, agents=agents, agents_profile=agents_profile(agents, chosen),
              classes=_classes(sel), parameters=pd.DataFrame(),
              totals={"offered": int(sel["outcome"].isin(["served", "abandoned"]).sum()),
                      "served": int(len(served)), "abandoned": int((sel["outcome"] == "abandoned").sum()),
                      "abandoned_ivr": int((sel["outcome"] == "abandoned_ivr").sum()), "queued": int(len(queued)),
                      "days": len(chosen), "busyness_days": len(busy_days)})
    fit.parameters = parameter_table(fit, totals, boot)
    return fit


def parameter_table(fit: Fit, totals: pd.Series, boot: pd.DataFrame) -> pd.DataFrame:
    """One row per fitted parameter: estimate, iid standard error, 95% day-bootstrap interval, unit, n, method."""
    rows = []

    def add(name, est, se, boot_col, unit, n, method, transform=None):
        lo = hi = np.nan
        if boot_col is not None and boot_col in boot:
            b = boot[boot_col].dropna()
            if transform is not None:
                b = transform(b)
            if len(b):
                lo, hi = np.quantile(b, [0.025, 0.975])
        rows.append({"parameter": name, "estimate": est, "se": se, "ci_low": lo, "ci_high": hi, "unit": unit, "n": n,
                     "method": method})

    nd = len(totals)
    add("arrivals.offered_per_day", float(totals.mean()), float(totals.std(ddof=1) / math.sqrt(nd)) if nd > 1 else np.nan,
        "offered_per_day", "contacts", nd, "mean daily offered over the busyness days")
    add("arrivals.busyness_cv", fit.busyness_cv, float(boot["busyness_cv"].std()), "busyness_cv", "", nd,
        "sqrt(max(0, CV^2(daily totals) - 1/mean)); se from day bootstrap")
    peak = fit.profile.sort_values("mean", ascending=False).iloc[0]
    add(f"arrivals.peak_volume_{peak['day_type']}_{peak['clock']}", float(peak["mean"]), float(peak["se"]), None,
        "contacts / interval", int(peak["n_days"]), "busiest interval of the fitted profile; se across days")
    h = fit.handle
    add("handle.long.mu", h.long.mu, h.long.se_mu, "long_mu", "log s", h.long.n,
        f"lognormal MLE on services >= {h.short_s:g} s")
    add("handle.long.sigma", h.long.sigma, h.long.se_sigma, "long_sigma", "log s", h.long.n, "lognormal MLE")
    add("handle.long.ks", h.long.ks, np.nan, None, "", h.long.n, "KS distance, services >= short threshold")
    add("handle.long.mean_s", h.long.mean, h.long.mean * math.hypot(h.long.se_mu, h.long.sigma * h.long.se_sigma),
        "long_mu", "s", h.long.n, "exp(mu + sigma^2/2), delta method",
        transform=lambda b: np.exp(b + boot.loc[b.index, "long_sigma"] ** 2 / 2))
    p = h.short_share
    add("handle.short_share", p, math.sqrt(p * (1 - p) / h.served), "short_share", "", h.served,
        f"share of services < {h.short_s:g} s (binomial se)")
    if h.short is not None:
        add("handle.short.mu", h.short.mu, h.short.se_mu, None, "log s", h.short.n, "lognormal MLE, 0 < s < short")
        add("handle.short.sigma", h.short.sigma, h.short.se_sigma, None, "log s", h.short.n, "lognormal MLE")
    add("handle.mixture.ks", h.ks_mixture, np.nan, None, "", h.served, "KS distance of the mixture, all services")
    add("handle.lognormal.mu", h.single.mu, h.single.se_mu, "single_mu", "log s", h.single.n,
        "one lognormal on every service > 0 s")
    add("handle.lognormal.sigma", h.single.sigma, h.single.se_sigma, "single_sigma", "log s", h.single.n, "")
    add("handle.lognormal.ks", h.ks_single, np.nan, None, "", h.served, "KS distance of one lognormal, all services")
    add("handle.mean_s", h.mean_s, h.sd_s / math.sqrt(h.served), None, "s", h.served, "observed mean of served")
    pt = fit.patience
    add("patience.exponential.mean_s", pt.mean_s, pt.se_mean_s, "patience_mean", "s", pt.abandoned,
        f"abandonments / waiting exposure ({pt.abandoned} / {pt.exposure_s:.0f} s); exact iid 95% CI "
        f"{pt.ci_mean_s()[0]:.1f}-{pt.ci_mean_s()[1]:.1f} s")
    km = fit.km
    add("patience.km.median_s", km_quantile(km), np.nan, None, "s", pt.queued,
        f"Kaplan-Meier; band {km_quantile(km, column='lower'):.0f}-{km_quantile(km, column='upper'):.0f} s")
    for t in (30, 60, 120, 300):
        add(f"patience.km.survival_{t}s", km_at(km, t), np.nan, None, "", pt.queued,
            f"KM P(patience > {t} s); band {km_at(km, t, 'lower'):.3f}-{km_at(km, t, 'upper'):.3f}")
    add("queue.abandon_share", fit.totals["abandoned"] / fit.totals["offered"], np.nan, "abandon_share", "",
        fit.totals["offered"], "abandoned in queue / offered (chosen days)")
    if fit.ivr is not None:
        iv = fit.ivr
        add("ivr.mu", iv.mu, iv.se_mu, "ivr_mu", "log s", iv.n, "lognormal MLE on IVR times > 0 of offered contacts")
        add("ivr.sigma", iv.sigma, iv.se_sigma, "ivr_sigma", "log s", iv.n, "")
        add("ivr.ks", iv.ks, np.nan, None, "", iv.n, "KS distance (whole-second data)")
        add("ivr.mean_s", iv.mean, np.nan, None, "s", iv.n, "exp(mu + sigma^2/2)")
    ap = fit.agents_profile
    if len(ap):
        top = ap.sort_values("agents_seen_mean", ascending=False).iloc[0]
        add("agents.peak_seen", float(top["agents_seen_mean"]), float(top["agents_seen_sd"] / math.sqrt(top["n_days"])),
            None, "agents", int(top["n_days"]), f"distinct named agents serving at {int(top['interval_start_s']) // 3600:02d}:"
            f"{int(top['interval_start_s']) % 3600 // 60:02d}, mean over days")
    return pd.DataFrame(rows)
