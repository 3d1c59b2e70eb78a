"""The planner's command line: ``erlang --forecast`` per interval against the exact formulas, dated CSV rows, Erlang X
columns, ``python -m sim``, closed pipes, ``--version`` without the simulator, ``--set`` overrides. About 10 s."""
from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from sim.analytic import erlang_a_metrics, erlang_c_metrics, required_agents, rostered_agents
from sim.cli import main
from tests.conftest import ROOT

FORECAST = ROOT / "scenarios" / "day_forecast.csv"


def test_erlang_forecast_matches_exact_erlang_c_and_a_in_every_interval(tmp_path, capsys):
    out = tmp_path / "plan.csv"
    assert main(["erlang", "--forecast", str(FORECAST), "--target", "80/20s", "--shrinkage", "30%",
                 "--date", "2026-12-02", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    plan = pd.read_csv(out)
    src = pd.read_csv(FORECAST)
    assert len(plan) == len(src) and list(plan["volume"]) == list(src["volume"])
    assert list(plan.columns[:3]) == ["date_time", "date", "clock"]
    assert plan["date_time"].iloc[0] == "2026-12-02T08:00" and plan["clock"].iloc[-1] == "19:30"
    for r in plan.itertuples():
        rate, aht, pat = r.volume / 1800.0, r.aht_s, r.patience_s
        n_c = required_agents(rate, aht, 20.0, 0.8)
        n_a = required_agents(rate, aht, 20.0, 0.8, pat)
        assert (r.erlang_c_agents, r.erlang_a_agents) == (n_c, n_a)
        assert r.erlang_c_rostered == rostered_agents(n_c, 0.3) and r.erlang_a_rostered == rostered_agents(n_a, 0.3)
        assert r.erlang_c_sl == pytest.approx(erlang_c_metrics(n_c, rate, aht, 20.0)["sl_offered"], rel=1e-5)
        assert r.erlang_a_sl == pytest.approx(erlang_a_metrics(n_a, rate, aht, pat, 20.0)["sl_offered"], rel=1e-5)
        assert erlang_a_metrics(n_a - 1, rate, aht, pat, 20.0)["sl_offered"] < 0.8  # the fewest, not just enough
    assert "08:00" in text and "Erlang A agents" in text and "rostered agent-hours" in text


def test_erlang_forecast_with_lines_and_redials_adds_erlang_x(tmp_path, capsys):
    f = tmp_path / "f.csv"
    f.write_text("interval_start,volume\n2026-12-02 09:00,90\n2026-12-02 09:30,120\n")
    assert main(["erlang", "--forecast", str(f), "--aht", "240s", "--patience", "300s", "--target", "80/20s",
                 "--lines", "30", "--redial", "50%", "--out", str(tmp_path / "p.csv")]) == 0
    plan = pd.read_csv(tmp_path / "p.csv")
    assert list(plan["date_time"]) == ["2026-12-02T09:00", "2026-12-02T09:30"]
    assert (plan["erlang_x_sl"] >= 0.8).all() and (plan["erlang_x_agents"] <= 30).all()
    assert "Erlang X" in capsys.readouterr().out


def test_erlang_x_day_from_a_forecast_imports_neither_pandas_nor_scipy(tmp_path):
    """The planner's day starts in a fraction of a second: the csv module reads and writes it, the chain needs numpy
    alone (pandas and scipy would cost more than the whole plan)."""
    code = ("import sys; from sim.cli import main\n"
            f"main(['erlang', '--forecast', {str(FORECAST)!r}, '--target', '80/20s', '--lines', '60', '--redial',"
            f" '50%', '--out', {str(tmp_path / 'p.csv')!r}])\n"
            "print(sorted(m for m in ('pandas', 'scipy') if m in sys.modules))")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert p.stdout.strip().splitlines()[-1] == "[]", p.stderr
    plan = pd.read_csv(tmp_path / "p.csv")
    assert plan["erlang_x_agents"].notna().all() and (plan["erlang_x_sl"] >= 0.8).all()


def test_erlang_forecast_reports_a_bad_row_by_file_and_line(tmp_path, capsys):
    f = tmp_path / "bad.csv"
    f.write_text("interval_start,volume\n08:00,12\n08:30,lots\n")
    assert main(["erlang", "--forecast", str(f), "--aht", "240s", "--target", "80/20s"]) == 2
    err = capsys.readouterr().err
    assert "bad.csv" in err and "line 3" in err and "Traceback" not in err


def test_python_dash_m_sim_runs_and_a_closed_pipe_ends_quietly():
    cmd = [sys.executable, "-m", "sim", "erlang", "--forecast", str(FORECAST), "--target", "80/20s"]
    p = subprocess.run(f"{' '.join(cmd)} | head -2", shell=True, capture_output=True, text=True, cwd=ROOT)
    assert len(p.stdout.splitlines()) == 2 and "Traceback" not in p.stderr and "BrokenPipe" not in p.stderr


def test_version_does_not_import_the_simulator():
    code = "import sys; from sim.cli import main\ntry:\n    main(['--version'])\nexcept SystemExit:\n    pass\n" \
           "print(sorted(m for m in ('numpy', 'pandas', 'scipy', 'simpy', 'sim.runner') if m in sys.modules))"
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert p.stdout.strip().splitlines()[-1] == "[]"
    assert p.stdout.startswith("contactsim ")


def test_set_overrides_a_scenario_key_on_check_and_names_a_bad_one(capsys):
    path = str(ROOT / "scenarios" / "erlang_a.toml")
    assert main(["check", path, "--set", "run.replications=3", "--set", "channels.phone.arrivals.rate=120/h"]) == 0
    assert "3 replications" in capsys.readouterr().out
    assert main(["check", path, "--set", "agents.phone.count=-2"]) == 2
    assert "agents.phone.count" in capsys.readouterr().err
    assert main(["check", path, "--set", "agents.phone.count"]) == 2
    assert "KEY=VALUE" in capsys.readouterr().err


def test_set_applies_to_both_scenarios_of_compare(capsys):
    path = str(ROOT / "scenarios" / "erlang_a.toml")
    assert main(["compare", path, path, "--replications", "2", "--set", "run.horizon=4h",
                 "--metrics", "sl_offered"]) == 0
    assert "sl_offered" in capsys.readouterr().out
    assert main(["compare", path, path, "--set", "run.horizon=soon"]) == 2  # the override reached the scenarios
    assert "run.horizon" in capsys.readouterr().err
