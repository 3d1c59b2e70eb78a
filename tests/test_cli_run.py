"""The run command end to end: real Parquet/CSV/JSON files, figures, the summary on stdout, precision and warm-up."""
from __future__ import annotations

import json

import pandas as pd

from sim.cli import main
from tests.conftest import ROOT


def test_run_writes_tables_figures_and_prints_a_summary(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(ROOT / "scenarios" / "baseline.toml"), "--replications", "3", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "service level" in text and "95% CI" in text and "3 replications" in text
    contacts = pd.read_parquet(out / "contacts.parquet")
    intervals = pd.read_parquet(out / "intervals.parquet")
    assert set(contacts["replication"]) == {0, 1, 2}
    assert intervals["offered"].sum() == len(contacts)
    assert len(pd.read_csv(out / "intervals.csv")) == len(intervals)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["provenance"]["replications"] == [0, 1, 2]
    assert summary["provenance"]["scenario_hash"]
    assert (out / "intraday_phone.png").stat().st_size > 10_000


def test_run_json_and_precision(capsys):
    assert main(["run", str(ROOT / "scenarios" / "erlang_a.toml"), "--precision", "0.2", "--max-replications", "8",
                 "--set", "run.horizon=1d", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    rows = {(r["channel"], r["metric"]): r for r in doc["summary"]}
    row = rows[("phone", "sl_offered")]
    assert row["half_width"] <= 0.2 * row["mean"]


def test_bad_warmup_is_a_plain_error(capsys):
    assert main(["run", str(ROOT / "scenarios" / "erlang_a.toml"), "--warmup", "soon"]) == 2
    assert "--warmup: expected a duration" in capsys.readouterr().err
