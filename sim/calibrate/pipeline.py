"""From log files to a scenario file and its fit report: read, screen days, fit, (fit availability,) write."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.calibrate.calendar import parse_working_days
from sim.calibrate.fit import BOOTSTRAP, Fit, fit_calls
from sim.calibrate.formats import read_log
from sim.calibrate.logs import CallLog
from sim.calibrate.report import write_fit_report
from sim.calibrate.scenario_writer import scenario_dict, write_handle_times, write_scenario
from sim.errors import InputError
from sim.units import parse_duration


@dataclass
class Calibration:
    log: CallLog
    fit: Fit
    scenario: dict
    scenario_path: Path | None
    report_dir: Path | None
    availability: object = None  # sim.calibrate.availability.AvailabilityFit when fitted


def report_dir_for(scenario_path: str | Path) -> Path:
    """The fit folder beside a scenario: ``x.toml`` -> ``x_fit/``."""
    p = Path(scenario_path)
    return p.with_name(p.stem + "_fit")


def calibrate(paths, format: str = "technion", days: str = "weekday", out: str | Path | None = None,
              strict: bool = False, working_days: str | None = None, interval: str = "30min",
              handle: str = "mixture", name: str | None = None, replications: int = 20, seed: int = 1,
              bootstrap: int = BOOTSTRAP, figures: bool = True, fit_availability: bool = False,
              availability_replications: int = 5, hourly: bool = False) -> Calibration:
    """Read logs, fit on the chosen days, write the scenario (and the fit folder beside it) when ``out`` is given.

    ``fit_availability``: search the agents' effective availability by simulating the fitted days (needs the engine;
    see ``sim.calibrate.availability``). ``hourly``: also fit handle time and availability by hour of day
    (``sim.calibrate.hourly``) and write them as values per interval (``aht``, ``availability``), which replace the
    single availability.
    """
    log = read_log(paths, format=format, strict=strict)
    try:
        interval_s = parse_duration(interval)
    except ValueError as exc:
        raise InputError(f"--interval: {exc}") from None
    if interval_s <= 0 or 86400 % interval_s:
        raise InputError(f"--interval: expected a duration that divides a day (such as 30min), got {interval!r}")
    fit = fit_calls(log.calls, days=days, working_days=parse_working_days(working_days, format), interval_s=interval_s,
                    handle_model=handle, bootstrap=bootstrap, seed=seed)
    name = name or ("anonymous-bank-" if format == "technion" else "calibrated-") + (
        days if days in ("weekday", "all") else "days")
    empirical_file = None
    if handle == "empirical":
        if out is None:
            raise InputError("--handle empirical needs --out (the handle times are written beside the scenario)")
        empirical_file = Path(out).stem + "_handle_times.csv"
    avail, avail_value, avail_note = None, 1.0, ""
    if fit_availability:
        from sim.calibrate.availability import fit_availability as search

        avail = search(log.calls, fit, replications=availability_replications, seed=seed)
        avail_value, avail_note = avail.availability, avail.note()
        row = {"parameter": "agents.availability", "estimate": avail_value, "se": float("nan"),
               "ci_low": float("nan"), "ci_high": float("nan"), "unit": "", "n": len(avail.days),
               "method": "simulated fitted days match observed abandonment and mean wait (CRN search); " + avail_note}
        fit.parameters = pd.concat([fit.parameters, pd.DataFrame([row])], ignore_index=True)
    scenario = scenario_dict(fit, name, log.report.files, acknowledge=format == "technion", availability=avail_value,
                             replications=replications, seed=seed, empirical_file=empirical_file,
                             availability_note=avail_note)
    if hourly:
        hourly_values(scenario, log.calls, fit, seed)
    scenario_path = report_dir = None
    if out is not None:
        scenario_path = write_scenario(scenario, out)
        if empirical_file:
            write_handle_times(fit.handle_values, scenario_path.parent / empirical_file)
        report_dir = report_dir_for(scenario_path)
        write_fit_report(fit, log, report_dir, scenario, figures=figures)
        if avail is not None:
            avail.table.to_csv(report_dir / "availability_search.csv", index=False, float_format="%.6g")
    return Calibration(log, fit, scenario, scenario_path, report_dir, avail)


def hourly_values(scenario: dict, calls: pd.DataFrame, fit: Fit, seed: int) -> None:
    """Write the hour-of-day fits into the scenario as values per interval: the channel's ``aht`` (mean handle time by
    hour, the law's shape kept) and the group's ``availability`` (the share of agents seen that are available, implied
    by interval-by-interval Erlang A per hour; ``sim.calibrate.month_model``, one pool, exponential patience)."""
    from sim.calibrate.month_model import Switches, fit_month
    from sim.calibrate.pools import GENERAL

    mf = fit_month(calls, fit.chosen, fit.interval_s, Switches(pools=False, patience_shape=False), seed=seed,
                   bootstrap=2)  # only the estimates are written (their intervals: contactsim backtest --rolling)
    aht = [round(mf.handle_hour[GENERAL][h], 2) for h in range(24)]
    avail = [round(mf.availability_hour[GENERAL][h], 4) for h in range(24)]
    scenario["channels"]["phone"]["aht"] = {"values": aht, "interval": "1h"}
    scenario["agents"]["phone"]["availability"] = {"values": avail, "interval": "1h"}
    scenario["description"] += (" Handle time (aht) and availability by hour of day: values per interval fitted on the "
                                "same days (availability implied by Erlang A per hour).")
