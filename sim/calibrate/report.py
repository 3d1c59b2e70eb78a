"""The fit report: a folder of tables (CSV) and figures beside the written scenario, and a printed summary."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibrate.arrivals import clock_label
from sim.calibrate.durations import handle_tables
from sim.calibrate.fit import Fit
from sim.calibrate.logs import CallLog
from sim.calibrate.scenario_writer import ACKNOWLEDGEMENT


def source_note(log_format: str, sources) -> str:
    names = ", ".join(Path(s).name for s in sources)
    return f"{names} — {ACKNOWLEDGEMENT}" if log_format == "technion" else names


def fit_tables(fit: Fit, scenario: dict | None = None) -> dict[str, pd.DataFrame]:
    """Every table of the report, by file stem."""
    types = fit.days.set_index("date")["day_type"]
    counts = fit.counts.stack().rename("offered").reset_index()
    counts.columns = ["date", "interval_start_s", "offered"]
    counts["clock"] = counts["interval_start_s"].map(clock_label)
    counts["day_type"] = counts["date"].map(types)
    counts["fitted"] = counts["date"].isin(fit.chosen)
    hist, cdf = handle_tables(fit.handle_values, fit.handle)
    km = fit.km.copy()
    km["exponential"] = np.exp(-km["time_s"] / fit.patience.mean_s)
    prof = fit.agents_profile.copy()
    if scenario is not None:
        count = scenario["agents"]["phone"]["count"]
        if isinstance(count, list) and len(count) == len(prof):
            prof["count"] = count
    return {"days": fit.days, "arrival_counts": counts, "arrival_profile": fit.profile, "handle_time_hist": hist,
            "handle_time_cdf": cdf, "patience_km": km, "agents_by_interval": fit.agents, "agents_profile": prof,
            "classes": fit.classes, "parameters": fit.parameters}


def write_fit_report(fit: Fit, log: CallLog, folder: str | Path, scenario: dict | None = None,
                     figures: bool = True) -> list[Path]:
    """Write the tables, the read report and (from the tables) the figures; return the paths written."""
    from sim.plots import calibration as plots

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tables = fit_tables(fit, scenario)
    written = []
    for stem, table in tables.items():
        p = folder / f"{stem}.csv"
        table.to_csv(p, index=False, float_format="%.6g")
        written.append(p)
    (folder / "read_report.txt").write_text(log.report.text() + "\n")
    written.append(folder / "read_report.txt")
    if log.report.malformed:
        log.report.malformed_table().to_csv(folder / "malformed_rows.csv", index=False)
        written.append(folder / "malformed_rows.csv")
    (folder / "summary.md").write_text(summary_text(fit, log) + "\n")
    written.append(folder / "summary.md")
    if figures:
        note = source_note(log.format, log.report.files)
        fitted = tables["arrival_counts"][tables["arrival_counts"]["fitted"]]
        written += [
            plots.arrival_profile_figure(fitted, tables["arrival_profile"], folder / "arrival_profile.png", note),
            plots.handle_time_figure(tables["handle_time_hist"], tables["handle_time_cdf"], folder / "handle_time.png",
                                     note, title=f"handle time of {fit.handle.served:,} served contacts "
                                     f"(KS: mixture {fit.handle.ks_mixture:.3f}, one lognormal {fit.handle.ks_single:.3f})"),
            plots.patience_figure(tables["patience_km"], folder / "patience.png", note,
                                  title=f"patience of {fit.patience.queued:,} queued callers "
                                  f"({fit.patience.abandoned:,} abandoned)"),
            plots.agents_figure(tables["agents_profile"], folder / "agents.png", note),
        ]
    return written


def _row(params: pd.DataFrame, name: str) -> pd.Series | None:
    hit = params[params["parameter"] == name]
    return hit.iloc[0] if len(hit) else None


def _fmt(params: pd.DataFrame, name: str, digits: str = ".3g") -> str:
    r = _row(params, name)
    if r is None:
        return "-"
    text = f"{r['estimate']:{digits}}"
    if np.isfinite(r["ci_low"]):
        text += f" (95% CI {r['ci_low']:{digits}}–{r['ci_high']:{digits}})"
    elif np.isfinite(r["se"]):
        text += f" (se {r['se']:{digits}})"
    return text


def summary_text(fit: Fit, log: CallLog) -> str:
    """A short plain-text summary of the read and the fit (printed by ``contactsim calibrate``)."""
    p = fit.parameters
    h, pt = fit.handle, fit.patience
    screened = fit.days[fit.days["status"] != "regular"]
    lines = [log.report.text(), "",
             f"days: {len(fit.days)} in the log, {len(screened)} screened out, {len(fit.chosen)} fitted ({fit.days_spec})"]
    lines += [f"  screened {r.date} ({r.weekday}): {r.reason}" for r in screened.itertuples()]
    lines += [f"  note: {n}" for n in fit.notes]
    t = fit.totals
    lines += [
        f"contacts on fitted days: {t['offered']:,} offered to agents, {t['served']:,} served, {t['abandoned']:,} "
        f"abandoned in queue ({t['abandoned'] / max(t['offered'], 1):.1%}), {t['abandoned_ivr']:,} ended in the IVR",
        f"arrivals: {_fmt(p, 'arrivals.offered_per_day', '.0f')} offered per working day; busyness CV "
        f"{_fmt(p, 'arrivals.busyness_cv', '.3f')} over {t['busyness_days']} days",
        f"handle time: served mean {h.mean_s:.1f} s; services >= {h.short_s:g} s lognormal log-mean "
        f"{h.long.mu:.3f} ± {h.long.se_mu:.3f}, log-sd {h.long.sigma:.3f} ± {h.long.se_sigma:.3f} (KS {h.long.ks:.4f}); "
        f"short share {h.short_share:.1%}; KS of the mixture {h.ks_mixture:.4f}, of one lognormal {h.ks_single:.4f}; "
        f"scenario uses: {fit.handle_model}",
        f"patience: exponential mean {_fmt(p, 'patience.exponential.mean_s', '.1f')} s "
        f"({pt.abandoned:,} abandonments / {pt.exposure_s / 3600:,.1f} h waiting); Kaplan-Meier median "
        f"{_fmt(p, 'patience.km.median_s', '.0f')} s, P(patience > 60 s) {_fmt(p, 'patience.km.survival_60s', '.3f')}",
    ]
    if fit.ivr is not None:
        lines.append(f"IVR time: lognormal mean {fit.ivr.mean:.1f} s, CV {fit.ivr.cv:.2f} (KS {fit.ivr.ks:.3f})")
    lines.append(f"agents seen serving at the peak: {_fmt(p, 'agents.peak_seen', '.1f')}")
    cls = fit.classes
    for kind in ("priority", "type"):
        part = cls[cls["kind"] == kind]
        lines.append(f"{kind}: " + ", ".join(f"{r.value} {r.share:.0%} (abandon {r.abandon_rate:.0%})"
                                             for r in part.itertuples()))
    if log.format == "technion":
        lines.append(ACKNOWLEDGEMENT)
    return "\n".join(lines)
