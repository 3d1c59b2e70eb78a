"""The default summary of ``contactsim run``: short, targets flagged ✔/✗, no accumulators, only metrics a channel
can have, CIs that stay in range; ``--all`` and ``--metrics`` for the rest. About 5 s."""
from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.cli import main
from sim.headline import headline_rows, headline_table, interval
from tests.conftest import ROOT, erlang_raw, scenario


def _run(n: int):
    sc = scenario(erlang_raw(n=n, rate="100/h", aht="240s", patience="300s", horizon="1d", reps=4, seed=3))
    return sc, sim.run(sc)


def test_default_summary_is_short_and_flags_a_missed_service_level():
    sc, res = _run(7)  # Erlang A: 7 agents answer about 58% within 20 s, against a target of 80%
    text = headline_table(res.replications, sc, "title")
    lines = text.splitlines()
    assert len(lines) <= 14
    sl = next(line for line in lines if "service level" in line)
    assert "≥ 80%" in sl and sl.rstrip().endswith("✗")
    assert "targets missed: phone service level" in text
    assert "_count" not in text and "_sum" not in text and "nan" not in text.lower()


def test_default_summary_ticks_a_met_target():
    sc, res = _run(11)
    rows = {r["metric"]: r for r in headline_rows(res.replications, sc)}
    assert rows["sl_offered"]["met"] is True and rows["sl_offered"]["mean"] >= 0.8
    assert "all targets met" in headline_table(res.replications, sc, "t")


def test_a_channel_without_patience_shows_no_abandonment():
    sc = scenario(erlang_raw(n=9, patience=None, reps=3))
    rows = headline_rows(sim.run(sc).replications, sc)
    assert "abandon_rate" not in {r["metric"] for r in rows}


@pytest.mark.parametrize("values,share", [([0.0, 0.02, 0.0, 0.01], True), ([0.97, 1.0, 0.99, 1.0], True),
                                          ([0, 3, 0, 50, 1], False), ([0.0, 0.0, 0.0], True)])
def test_confidence_intervals_stay_in_range_and_contain_the_mean(values, share):
    m, lo, hi, n = interval(np.array(values, float), share)
    assert n == len(values) and lo <= m <= hi
    assert lo >= 0.0 and (hi <= 1.0 or not share)


def test_run_all_and_metrics_options(capsys):
    path = str(ROOT / "scenarios" / "erlang_a.toml")
    assert main(["run", path, "--replications", "2", "--set", "run.horizon=12h", "--metrics", "sl_offered,occupancy"]) == 0
    text = capsys.readouterr().out
    assert "sl_offered" in text and "occupancy" in text and "abandon_rate" not in text
    assert main(["run", path, "--replications", "2", "--set", "run.horizon=12h", "--all"]) == 0
    assert "abandon_rate" in capsys.readouterr().out
