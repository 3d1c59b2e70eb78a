"""``contactsim calibrate`` end to end: scenario + fit folder from the shipped March 1999 log; bad input exits 2."""
from __future__ import annotations

import gzip

import numpy as np
import pandas as pd

import sim
from sim.calibrate import shipped_march_1999
from sim.cli import main

HEADER = ("vru+line\tcall_id\tcustomer_id\tpriority\ttype\tdate\tvru_entry\tvru_exit\tvru_time\tq_start\tq_exit\tq_time"
          "\toutcome\tser_start\tser_exit\tser_time\tserver")


def test_calibrate_writes_scenario_report_and_figures(tmp_path, capsys):
    out = tmp_path / "bank.toml"
    assert main(["calibrate", str(shipped_march_1999()), "--format", "technion", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "log-mean 4.8" in printed and "Kaplan-Meier" in printed and "Technion SEE Lab" in printed
    assert "screened 1999-03-08" in printed
    folder = tmp_path / "bank_fit"
    for name in ("parameters.csv", "arrival_profile.csv", "patience_km.csv", "days.csv", "read_report.txt",
                 "arrival_profile.png", "handle_time.png", "patience.png", "agents.png", "summary.md"):
        assert (folder / name).is_file(), name
    params = pd.read_csv(folder / "parameters.csv")
    assert {"parameter", "estimate", "se", "ci_low", "ci_high", "method"} <= set(params.columns)
    scenario = sim.load_scenario(out)
    assert scenario.raw["schema"] == 1 and scenario.raw["name"] == "anonymous-bank-weekday"


def test_calibrate_days_and_empirical_handle(tmp_path, capsys):
    out = tmp_path / "two.toml"
    code = main(["calibrate", str(shipped_march_1999()), "--days", "1999-03-03,1999-03-04", "--handle", "empirical",
                 "--out", str(out), "--no-figures"])
    assert code == 0
    assert (tmp_path / "two_handle_times.csv").is_file()
    scenario = sim.load_scenario(out)
    assert scenario.raw["channels"]["phone"]["handle_time"]["dist"] == "empirical"
    assert "2 day(s)" in scenario.raw["description"]


def test_calibrate_bad_input_exits_2_with_a_message(tmp_path, capsys):
    bad = tmp_path / "bad.txt.gz"
    with gzip.open(bad, "wt") as fh:
        fh.write(HEADER + "\n")
        for k in range(40):
            fh.write(f"AA0101\t{k}\t0\t0\tPS\t990303\t9:{k:02d}:00\t9:{k:02d}:10\t10\t9:{k:02d}:10\t9:{k:02d}:40\t30"
                     f"\t{'HANG' if k % 3 == 0 else 'AGENT'}\t9:{k:02d}:40\t9:{k + 1:02d}:40\t{0 if k % 3 == 0 else 60}"
                     f"\tDANA\n")
        fh.write("AA0101\t99\t0\t0\tPS\t990303\t9:99:00\t9:00:10\t10\t0:00:00\t0:00:00\t0\tHANG\t0:00:00\t0:00:00\t0"
                 "\tNO_SERVER\n")
    out = tmp_path / "s.toml"
    assert main(["calibrate", str(bad), "--days", "1999-03-03", "--out", str(out), "--no-figures"]) == 0
    printed = capsys.readouterr().out
    assert "malformed (skipped) 1" in printed and "bad.txt.gz:42" in printed
    assert main(["calibrate", str(bad), "--strict", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "error:" in err and "bad.txt.gz" in err and "line 42" in err and "Traceback" not in err
    assert main(["calibrate", str(tmp_path / "nope.txt"), "--out", str(out)]) == 2
    assert "nope.txt: not a readable file" in capsys.readouterr().err
    empty = tmp_path / "empty.csv"
    empty.write_text("arrival_at,outcome\n")
    assert main(["calibrate", str(empty), "--format", "csv", "--out", str(out)]) == 2
    assert "empty.csv: no usable rows" in capsys.readouterr().err
    assert main(["calibrate", str(shipped_march_1999()), "--days", "2001-01-01", "--out", str(out)]) == 2
    assert "--days" in capsys.readouterr().err


def test_calibrate_fits_availability_on_the_fitted_days(tmp_path, capsys):
    out = tmp_path / "avail.toml"
    code = main(["calibrate", str(shipped_march_1999()), "--days", "1999-03-03", "--fit-availability",
                 "--search-replications", "2", "--out", str(out), "--no-figures"])
    assert code == 0
    assert "Availability" in capsys.readouterr().out
    scenario = sim.load_scenario(out)
    avail = scenario.raw["agents"]["phone"]["availability"]
    assert 0.3 < avail < 0.95  # agents seen serving overstate capacity
    params = pd.read_csv(tmp_path / "avail_fit" / "parameters.csv").set_index("parameter")
    assert params.at["agents.availability", "estimate"] == avail
    search = pd.read_csv(tmp_path / "avail_fit" / "availability_search.csv")
    assert search["loss"].min() == search.loc[search["availability"] == avail, "loss"].iloc[0]


def test_calibrate_hourly_writes_values_per_interval_that_run_uses(tmp_path, capsys):
    out = tmp_path / "hourly.toml"
    code = main(["calibrate", str(shipped_march_1999()), "--days", "1999-03-03,1999-03-04", "--hourly",
                 "--out", str(out), "--no-figures"])
    assert code == 0
    scenario = sim.load_scenario(out)
    aht = scenario.raw["channels"]["phone"]["aht"]
    avail = scenario.raw["agents"]["phone"]["availability"]
    assert aht["interval"] == avail["interval"] == "1h" and len(aht["values"]) == len(avail["values"]) == 24
    assert 100 < min(aht["values"]) < max(aht["values"]) < 400  # handle time follows the clock (docs/calibration.md)
    assert all(0 < a <= 1 for a in avail["values"]) and min(avail["values"]) < 0.9
    ch, grp = scenario.channels["phone"], scenario.agents["phone"]
    assert ch.aht is not None and grp.availability_profile is not None  # read as profiles, used by the kernel
    res = sim.run(scenario, replications=1)
    served = res.contacts[res.contacts["outcome"] == "served"]
    hour = (served["arrival_at_s"] // 3600).astype(int)
    # each draw is the law's draw scaled to its hour's aht, so handle / aht has mean 1 in every hour
    ratio = served["handle_s"].to_numpy() / np.asarray(aht["values"])[hour.to_numpy()]
    assert abs(ratio.mean() - 1) <= 4 * ratio.std(ddof=1) / np.sqrt(len(ratio))
