"""contactsim sensitivity: Morris and Sobol recover known indices of analytic metrics (within 2 × their 95% bootstrap
half-widths, about 4 SE), and the command runs a small simulation end to end on the sweep machinery."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import tomli_w

from sim.cli import main
from sim.errors import ScenarioError
from sim.experiment.sensitivity import Driver, SensitivitySpec, analyse, parse_spec
from tests.conftest import erlang_raw

pytest.importorskip("SALib")


def _within(est: float, low: float, high: float, exact: float) -> bool:
    """|estimate − exact| ≤ 2 × the 95% half-width (≈ 4 SE)."""
    return abs(est - exact) <= (high - low) + 1e-12


def test_sobol_recovers_the_ishigami_indices():
    pi = np.pi
    spec = SensitivitySpec(drivers=tuple(Driver(f"x{i}", -pi, pi) for i in (1, 2, 3)), trajectories=8, top=3,
                           sobol_n=1024, resamples=100, seed=11)
    a, b = 7.0, 0.1

    def ishigami(stage, points):
        x = np.array([[p["x1"], p["x2"], p["x3"]] for p in points])
        return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])

    t = analyse(spec, ishigami).set_index("driver")
    # exact (Ishigami & Homma 1990; Saltelli et al. 2008 §4.6): V = a²/8 + bπ⁴/5 + b²π⁸/18 + 1/2
    v = a ** 2 / 8 + b * pi ** 4 / 5 + b ** 2 * pi ** 8 / 18 + 0.5
    v1 = 0.5 * (1 + b * pi ** 4 / 5) ** 2
    v2 = a ** 2 / 8
    v13 = b ** 2 * pi ** 8 / 18 - b ** 2 * pi ** 8 / 50
    exact = {"S1": {"x1": v1 / v, "x2": v2 / v, "x3": 0.0},
             "ST": {"x1": (v1 + v13) / v, "x2": v2 / v, "x3": v13 / v}}
    for name, per in exact.items():
        for k, e in per.items():
            r = t.loc[k]
            assert _within(r[name], r[f"{name}_ci_low"], r[f"{name}_ci_high"], e), (name, k, r[name], e)
    assert t.loc["x3", "ST"] > 0.15 and t.loc["x3", "S1"] < 0.05  # x3 acts only through its interaction with x1


def test_morris_and_sobol_recover_a_linear_metric_of_two_keys():
    spec = SensitivitySpec(drivers=(Driver("agents.phone.count", 2, 10), Driver("channels.phone.patience.mean",
                                                                                60, 600, unit="s")),
                           trajectories=6, top=2, sobol_n=512, resamples=100, seed=5)

    def linear(stage, points):
        from sim.units import parse_duration

        return np.array([3.0 * p["agents.phone.count"] - 0.01 * parse_duration(p["channels.phone.patience.mean"])
                         for p in points])

    t = analyse(spec, linear).set_index("driver")
    # Morris on a linear metric: every elementary effect is the slope times the range, σ = 0
    assert t.loc["agents.phone.count", "mu_star"] == pytest.approx(3.0 * 8)
    assert t.loc["channels.phone.patience.mean", "mu_star"] == pytest.approx(0.01 * 540)
    assert t["sigma"].abs().max() < 1e-9
    assert t.loc["agents.phone.count", "morris_rank"] == 1
    # tornado: the metric at each end, the other key at the middle
    base = 3 * 6 - 0.01 * 330
    assert t.loc["agents.phone.count", "effect_low"] == pytest.approx(base - 12)
    assert t.loc["agents.phone.count", "effect_high"] == pytest.approx(base + 12)
    # Sobol: S1 = ST = c²·range² / Σ (uniform ranges, no interaction)
    va, vp = (3 * 8) ** 2, (0.01 * 540) ** 2
    for k, e in (("agents.phone.count", va / (va + vp)), ("channels.phone.patience.mean", vp / (va + vp))):
        for name in ("S1", "ST"):
            r = t.loc[k]
            assert _within(r[name], r[f"{name}_ci_low"], r[f"{name}_ci_high"], e), (name, k, r[name], e)


SPEC = """
[sensitivity]
name = "tiny"
scenario = "tiny.toml"
replications = 1
seed = 3
metric = "abandon_rate"
channel = "phone"
morris = { trajectories = 2, levels = 4 }
sobol = { top = 2, n = 2 }
resamples = 20
[parameters]
"agents.phone.count" = { low = 2, high = 6, integer = true }
"channels.phone.patience.mean" = { low = "60s", high = "600s" }
"""


def test_the_command_runs_a_small_simulation_and_the_report_shows_it(tmp_path, capsys):
    tiny = erlang_raw(n=4, rate="60/h", aht="200s", patience="300s", horizon="1h", reps=1)
    (tmp_path / "tiny.toml").write_text(tomli_w.dumps(tiny))
    (tmp_path / "spec.toml").write_text(SPEC)
    out = tmp_path / "out"
    assert main(["sensitivity", str(tmp_path / "spec.toml"), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    said = capsys.readouterr().out
    assert "tornado 5 points (2D + 1), Morris 6 (2 trajectories × (D + 1)), Sobol 12 (N(2k + 2)" in said
    t = pd.read_csv(out / "sensitivity.csv").set_index("driver")
    budget = json.loads((out / "budget.json").read_text())
    assert budget["total_runs"] == 5 + 6 + 12
    # common random numbers: more agents, fewer abandonments; longer patience, fewer abandonments (paired ends)
    assert t.loc["agents.phone.count", "effect_high"] < t.loc["agents.phone.count", "effect_low"]
    assert t.loc["channels.phone.patience.mean", "effect_high"] < t.loc["channels.phone.patience.mean", "effect_low"]
    assert (t["mu_star_ci_low"] <= t["mu_star"]).all() and t["S1"].notna().all()
    assert (out / "sensitivity.png").stat().st_size > 1000
    # resuming finds every run stored
    assert main(["sensitivity", str(tmp_path / "spec.toml"), "--out", str(out), "--resume", "--quiet"]) == 0
    assert main(["report", str(out), "--metrics", "abandon_rate"]) == 0
    html = (out / "report.html").read_text()
    assert "<h2>Sensitivity</h2>" in html and "mu_star" in html


def test_bad_sensitivity_files_get_one_line_per_problem():
    raw = {"sensitivity": {"scenario": "x.toml", "metric": "abandon_rate", "sobol": {"n": 12}, "replications": 0},
           "parameters": {"agents.phone.count": {"low": 6, "high": 2},
                          "channels.phone.patience.mean": {"low": "60s", "high": 600}}}
    with pytest.raises(ScenarioError) as e:
        parse_spec(raw, source="spec.toml")
    text = str(e.value)
    assert "spec.toml: sensitivity.sobol.n: expected a power of two" in text
    assert "spec.toml: sensitivity.replications:" in text
    assert 'spec.toml: parameters."agents.phone.count".high: expected a value above low' in text
    assert 'spec.toml: parameters."channels.phone.patience.mean": expected low and high in the same unit' in text
    assert len(text.strip().splitlines()) == 4
