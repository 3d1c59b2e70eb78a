"""A forecast's ``aht`` column is simulated: each caller's handle time has the mean of the forecast row of the
interval they arrive in (the law's shape from ``handle_time``), as a channel's ``aht`` key does. Checked per interval
at 4·SE with enough callers that a 2% error would show."""
from __future__ import annotations

import numpy as np

import sim
from tests.conftest import scenario


def _raw(tmp_path, with_key: bool = False) -> dict:
    (tmp_path / "f.csv").write_text("interval_start,volume,aht\n00:00,6000,120\n12:00,6000,360\n")
    ch = {"arrivals": {"forecast": str(tmp_path / "f.csv"), "interval": "12h"},
          "handle_time": {"dist": "lognormal", "mean": "240s", "cv": 0.5}}
    if with_key:
        ch["aht"] = {"values": [200, 200], "interval": "12h"}
    return {"schema": 1, "run": {"horizon": "1d", "interval": "12h", "replications": 4, "seed": 3},
            "channels": {"phone": ch}, "agents": {"phone": {"serves": ["phone"], "count": 60}}}


def test_each_interval_simulates_its_forecast_aht(tmp_path):
    c = sim.run(scenario(_raw(tmp_path), str(tmp_path / "s.toml"))).contacts
    served = c[c["outcome"] == "served"]
    half = np.where(served["arrival_at_s"] < 43200, 0, 1)
    for k, mean in ((0, 120.0), (1, 360.0)):
        h = served.loc[half == k, "handle_s"].to_numpy()
        se = h.std(ddof=1) / np.sqrt(len(h))
        assert 4 * se <= 0.02 * mean                  # ~24,000 callers, cv 0.5: a 2% error would show
        assert abs(h.mean() - mean) <= 4 * se, (k, h.mean(), mean, se)


def test_the_aht_key_wins_over_the_forecast_column(tmp_path):
    c = sim.run(scenario(_raw(tmp_path, with_key=True), str(tmp_path / "s.toml"))).contacts
    h = c.loc[c["outcome"] == "served", "handle_s"].to_numpy()
    se = h.std(ddof=1) / np.sqrt(len(h))
    assert abs(h.mean() - 200.0) <= 4 * se
