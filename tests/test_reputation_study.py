"""experiments/reputation_vs_delay.py in its quick mode: the figure is written and the table says what the study
claims — a bigger social team answers sooner, costs more, and pairs its differences with the reference team."""
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
    for col in ("median_first_response_min", "customers_lost", "customers_won", "revenue_net"):
        assert col in table
    assert table["median_first_response_min"].is_monotonic_decreasing  # more agents, sooner replies
    assert np.allclose(table["cost"], table["agents"] * 30.0 * 24)  # cost_per_hour 30, a day
    ref = table.set_index("agents").loc[8]
    assert ref["customers_lost_vs_ref"] == 0 and ref["revenue_net_vs_ref"] == 0  # the reference against itself
    d = table.set_index("agents")
    assert np.allclose(d["customers_lost_vs_ref"], d["customers_lost"] - ref["customers_lost"])
    for col in ("customers_lost", "revenue_net", "median_first_response_min", "customers_lost_vs_ref"):
        assert (table[f"{col}_lo"] <= table[col] + 1e-9).all() and (table[col] <= table[f"{col}_hi"] + 1e-9).all()
    np.testing.assert_allclose(table["revenue_net"] * 1.0,  # one day: the terms add up
                               table["customer_value_won"] - table["customer_value_lost"] + table["reply_value"])
