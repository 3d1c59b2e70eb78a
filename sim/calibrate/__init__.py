"""Calibration from real contact logs: read call-by-call records, fit a scenario, back-test it on held-out days.

- ``read_log(paths, format="technion"|"csv", strict=False) -> CallLog`` (``calls`` table + ``ReadReport``);
- ``fit_calls(calls, days="weekday", ...) -> Fit`` (profiles, distributions, patience, agents, parameter table);
- ``calibrate(paths, ..., out="scenario.toml") -> Calibration`` (read, fit, write the scenario and its fit folder);
- ``write_csv_log`` / ``contacts_to_calls``: the generic CSV format, and simulated contacts as a log.

Records of the Anonymous Bank (shipped: ``shipped_march_1999()``) are courtesy of Avi Mandelbaum and the Technion SEE
Lab; keep that acknowledgement wherever they or results from them are shown.
"""
from sim.calibrate.fit import Fit, fit_calls
from sim.calibrate.formats import read_log
from sim.calibrate.generic_csv import contacts_to_calls, read_csv_log, write_csv_log
from sim.calibrate.logs import CallLog, ReadReport, shipped_march_1999
from sim.calibrate.pipeline import Calibration, calibrate
from sim.calibrate.technion import read_technion

__all__ = ["CallLog", "Calibration", "Fit", "ReadReport", "calibrate", "contacts_to_calls", "fit_calls", "read_csv_log",
           "read_log", "read_technion", "shipped_march_1999", "write_csv_log"]
