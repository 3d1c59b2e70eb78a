"""Every study in experiments/ runs in its quick mode (mesa's habit: every example is a smoke test), and what it
reports agrees with what it claims."""
from __future__ import annotations

import importlib.util
import math

import pytest

from tests.conftest import ROOT


def load_study(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "experiments" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.study
def test_staffing_curve_quick(tmp_path):
    table = load_study("staffing_curve").main(["--quick", "--out", str(tmp_path), "--workers", "1"])
    assert (tmp_path / "staffing_curve.png").stat().st_size > 10_000
    assert len(table) == 7 * 4
    sl = table[table.metric == "sl_offered"]
    # quick mode is a smoke test (accuracy against Erlang A is tested in test_erlang_validation.py): the simulated
    # service level rises with agents, and Erlang C, which ignores abandonment, sits below the simulation throughout
    assert sl["mean"].is_monotonic_increasing
    assert (sl["erlang_c"] < sl["mean"]).all()
    assert table["erlang_c_required"].iloc[0] > table["erlang_a_required"].iloc[0]
    assert not math.isnan(sl["mean"].iloc[0])
