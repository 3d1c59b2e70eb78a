"""experiments/reputation_vs_delay.py in its quick mode: the figure is written and the table says what the study
claims — a bigger social team answers sooner and costs more."""
from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from tests.conftest import ROOT


@pytest.mark.study
def test_reputation_vs_delay_quick(tmp_path):
    path = ROOT / "experiments" / "reputation_vs_delay.py"
    spec = importlib.util.spec_from_file_location("reputation_vs_delay", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    table = mod.main(["--quick", "--out", str(tmp_path), "--workers", "1"])
    assert (tmp_path / "reputation_vs_delay.png").stat().st_size > 10_000
    assert (tmp_path / "reputation_vs_delay.csv").exists()
    assert list(table["agents"]) == [2, 4, 8] and (table["replications"] == 2).all()
    assert table["delay_min"].is_monotonic_decreasing  # more agents, sooner replies
    assert np.allclose(table["cost"], table["agents"] * 30.0 * 24)  # cost_per_hour 30, a day
    for col in ("net_reputation", "revenue_at_risk", "net_cost", "delay_min"):
        assert (table[f"{col}_lo"] <= table[col]).all() and (table[col] <= table[f"{col}_hi"]).all()
