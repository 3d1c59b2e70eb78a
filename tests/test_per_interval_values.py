"""Values per interval in scenarios: ``aht`` (mean handle time per interval of arrival) and ``availability`` written
the way volumes are (``{ values = [...], interval = ... }`` or ``{ file = "x.csv" }``, ``sim.calendar``).

Exactness: two 12-hour intervals with different handle-time means and availabilities; each interval is a long
stationary stretch, so its simulated mean handle time matches its level and its abandonment, mean wait and service
level match exact Erlang A at that interval's agents and handle time, each within 4 SE across 16 replications (about
17,000 calls per interval: 4 SE of a mean handle time are below 2.5% of it, of a service level below 3.2 points).
Runtime about 8 s (the Erlang C limit is the same code path without patience; test_analytic covers it).
"""
from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.analytic import erlang_a_metrics
from sim.errors import ScenarioError

HALF = 43200.0
AHT, AVAIL, SEATED, RATE = (150.0, 240.0), (0.5, 0.8), 20, 0.05  # 10 and 16 agents; loads 7.5 and 12 Erlangs


def raw(patience: bool, reps: int = 16) -> dict:
    ch = {"arrivals": {"rate": f"{RATE * 3600:g}/h"}, "handle_time": {"dist": "exponential", "mean": "200s"},
          "aht": {"values": list(AHT), "interval": "12h"}}
    if patience:
        ch["patience"] = {"dist": "exponential", "mean": "300s"}
    return {"schema": 1, "run": {"horizon": "1d", "interval": "12h", "replications": reps, "seed": 3},
            "channels": {"phone": ch},
            "agents": {"phone": {"serves": ["phone"], "count": SEATED,
                                 "availability": {"values": list(AVAIL), "interval": "12h"}}}}


def per_interval(res) -> dict:
    c = res.contacts
    c = c.assign(k=(c["arrival_at_s"] // HALF).astype(int))
    handle = c[c["outcome"] == "served"].groupby(["replication", "k"])["handle_s"].mean().unstack()
    iv = res.intervals.groupby(["replication", "interval_start_at_s"])[
        ["offered", "abandoned", "wait_sum_s", "answered_within_target"]].sum().reset_index()
    out = {}
    for k in (0, 1):
        x = iv[iv["interval_start_at_s"] == k * HALF]
        out[k] = {"handle": handle[k].to_numpy(), "p_abandon": (x["abandoned"] / x["offered"]).to_numpy(),
                  "mean_wait_s": (x["wait_sum_s"] / x["offered"]).to_numpy(),
                  "sl_offered": (x["answered_within_target"] / x["offered"]).to_numpy()}
    return out


def se(x: np.ndarray) -> float:
    return float(np.std(x, ddof=1) / np.sqrt(len(x)))


def test_two_handle_time_levels_by_interval_match_each_level_and_erlang_a():
    got = per_interval(sim.run(sim.parse_scenario(raw(True))))
    for k in (0, 1):
        n, h = int(SEATED * AVAIL[k]), AHT[k]
        exact = erlang_a_metrics(n, RATE, h, 300.0, 20.0)
        g = got[k]
        assert se(g["handle"]) < 0.00625 * h  # 4 SE below 2.5% of the level
        assert abs(g["handle"].mean() - h) <= 4 * se(g["handle"]), (k, g["handle"].mean(), h)
        assert se(g["sl_offered"]) < 0.008  # a 3-point service-level error would show
        for m in ("p_abandon", "mean_wait_s", "sl_offered"):
            assert abs(g[m].mean() - exact[m]) <= 4 * se(g[m]), (k, m, g[m].mean(), exact[m])


def test_without_aht_the_handle_time_law_and_draws_are_unchanged():
    r = raw(True, reps=1)
    base = {**r, "channels": {"phone": {k: v for k, v in r["channels"]["phone"].items() if k != "aht"}}}
    flat = {**r, "channels": {"phone": {**r["channels"]["phone"], "aht": {"values": [200.0], "interval": "1d"}}}}
    a = sim.run(sim.parse_scenario(base)).contacts["handle_s"].to_numpy()
    b = sim.run(sim.parse_scenario(flat)).contacts["handle_s"].to_numpy()
    assert np.allclose(a, b, equal_nan=True)  # the same stream, scaled by aht / law mean = 1: common random numbers kept


def problems(raw_: dict, tmp_path=None) -> list[str]:
    with pytest.raises(ScenarioError) as e:
        sim.parse_scenario(raw_, source="s.toml", base_dir=tmp_path or ".")
    return str(e.value).splitlines()


def with_keys(aht=None, availability=None) -> dict:
    r = raw(True, reps=1)
    if aht is not None:
        r["channels"]["phone"]["aht"] = aht
    if availability is not None:
        r["agents"]["phone"]["availability"] = availability
    return r


@pytest.mark.parametrize("aht, key, says", [
    ({"values": [150, 0], "interval": "12h"}, "channels.phone.aht.values", "0 at [1]"),
    ({"values": [150, 200, 300], "interval": "6h"}, "channels.phone.aht.values", "a whole number of days"),
    ({"values": [150, 200], "interval": "12h", "missing": "zero"}, "channels.phone.aht", "missing"),
    ({"interval": "12h"}, "channels.phone.aht", "exactly one of values"),
    (200, "channels.phone.aht", "per interval"),
])
def test_bad_aht_is_one_line_naming_the_key(aht, key, says):
    lines = [ln for ln in problems(with_keys(aht=aht)) if "s.toml" in ln]
    assert len(lines) == 1 and key in lines[0] and says in lines[0], lines


def test_bad_availability_profile_is_one_line_naming_the_key():
    lines = problems(with_keys(availability={"values": [0.5, 1.5], "interval": "12h"}))
    assert len(lines) == 1 and "agents.phone.availability.values" in lines[0] and "1.5 at [1]" in lines[0]


def test_a_missing_interval_row_in_a_csv_is_an_error_not_a_default(tmp_path):
    (tmp_path / "aht.csv").write_text("interval_start,value\n00:00,150\n")
    lines = problems(with_keys(aht={"file": "aht.csv", "interval": "12h"}), tmp_path)
    assert len(lines) == 1 and "channels.phone.aht.file" in lines[0] and "no row for 12:00" in lines[0], lines
    (tmp_path / "aht.csv").write_text("interval_start,value\n00:00,150\n12:00,240\n")
    sc = sim.parse_scenario(with_keys(aht={"file": "aht.csv", "interval": "12h"}), base_dir=tmp_path)
    assert sc.channels["phone"].aht.value_at(np.array([0.0, HALF]), sc.calendar).tolist() == [150.0, 240.0]


def test_dated_rows_must_cover_every_interval_of_the_run(tmp_path):
    (tmp_path / "av.csv").write_text("interval_start,value\n2024-01-01 00:00,0.5\n")
    r = with_keys(availability={"file": "av.csv", "interval": "12h"})
    lines = problems(r, tmp_path)
    assert len(lines) == 1 and "agents.phone.availability.file" in lines[0] and "2024-01-01 12:00" in lines[0], lines


def test_the_rota_planner_refuses_an_availability_per_interval_rather_than_misread_it():
    r = with_keys()
    r["staffing"] = {}
    lines = problems(r)
    assert any("agents.phone.availability" in ln and "one availability for the day" in ln for ln in lines), lines
