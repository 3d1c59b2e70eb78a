"""Summaries are computed once and only when asked for; a sweep worker that stores per-replication rows never
computes one (issue #21)."""
from pathlib import Path

import sim
import sim.results
from sim.experiment.backends import RunTask, ScenarioRef, execute

TINY = """
schema = 1
[run]
horizon = "2h"
replications = 2
[channels.phone]
arrivals = { rate = "60/h" }
handle_time = { dist = "exponential", mean = "200s" }
patience = { dist = "exponential", mean = "300s" }
[agents.phone]
serves = ["phone"]
count = 2
"""


def tiny(tmp_path: Path):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    return sim.load_scenario(path)


def test_summary_is_computed_once_on_demand(tmp_path, monkeypatch):
    res = sim.run(tiny(tmp_path))
    calls = []
    real = sim.results.summarize
    monkeypatch.setattr(sim.results, "summarize", lambda per_rep: calls.append(1) or real(per_rep))
    per_rep = res.replications
    assert res.replications is per_rep and calls == []
    summary = res.summary
    assert res.summary is summary and calls == [1]
    assert set(summary["n"]) == {2}
    phone = summary.set_index(["channel", "metric"]).loc[("phone", "offered"), "mean"]
    assert phone == per_rep.query("channel == 'phone' and metric == 'offered'")["value"].mean()


def test_sweep_worker_never_summarizes(tmp_path, monkeypatch):
    def refuse(per_rep):
        raise AssertionError("a sweep worker computed a summary")

    monkeypatch.setattr(sim.results, "summarize", refuse)
    out = execute(RunTask(0, 1, 7, ScenarioRef.of(tiny(tmp_path))))
    assert out.error is None, out.traceback
    assert set(out.table["replication"]) == {1} and "offered" in set(out.table["metric"])
