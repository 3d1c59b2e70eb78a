"""The teaching app's precomputed grids (sim/app/grids/, built by experiments/app_grids.py): every setting a page
reaches by moving one control from the defaults is on the grid (and lesson 3's pairs of controls), and a grid point agrees with a live run of the
lesson at another seed within 4·SE (the SE of the difference of two independent estimates)."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from sim.app import delay, funnel, grid, social

pytest.importorskip("streamlit", reason="the teaching app needs the [app] extra: pip install -e '.[app]'")
from streamlit.testing.v1 import AppTest  # noqa: E402

from tests.test_app import SELECT_SLIDERS, neighbour  # noqa: E402

APP = Path(__file__).resolve().parents[1] / "sim" / "app"


def se_of(mean_half_width: float, n: int) -> float:
    """The standard error behind a 95% t half-width over ``n`` replications."""
    return mean_half_width / stats.t.ppf(0.975, n - 1)


@pytest.fixture
def with_grids(monkeypatch):
    monkeypatch.delenv(grid.OFF, raising=False)


def test_every_setting_one_control_from_the_defaults_is_on_the_grids():
    """And, for lesson 3, every combination of the pairs of controls its question moves together (``PLANES``)."""
    for name, settings in (("funnel", grid.star(funnel.FunnelInputs(), funnel.CHOICES)),
                           ("social", grid.planes(social.SocialInputs(), social.CHOICES, social.PLANES)),
                           ("reputation", grid.star(delay.DelayInputs(), delay.CHOICES))):
        points = grid.load(name)["points"]
        missing = [grid.key(p) for p in settings if grid.key(p) not in points]
        assert not missing, f"{name}: not on the grid (rebuild with experiments/app_grids.py): {missing[:3]}"
        assert grid.meta(name)["replications"] >= 6


def agrees_with_a_live_run(name: str, inputs, compute, metrics: tuple[str, ...]) -> None:
    """The grid's table at ``inputs`` against ``compute(inputs, 4, seed=7)``: each metric within 4·SE."""
    on_grid = grid.lookup(name, inputs)["table"].set_index("metric")
    n_grid = grid.meta(name)["replications"]
    live = compute(inputs, 4, seed=7)["table"].set_index("metric")
    for metric in metrics:
        a, b = on_grid.loc[metric], live.loc[metric]
        se = math.hypot(se_of(a["half_width"], n_grid), se_of(b["half_width"], 4))
        assert abs(a["simulated"] - b["simulated"]) <= 4 * se, (name, metric, a["simulated"], b["simulated"], se)


def test_funnel_grid_matches_a_live_run():
    """Lesson 2 at its defaults: time to a human and share transferred, grid (seed 1) against a live run (seed 7)."""
    agrees_with_a_live_run("funnel", funnel.FunnelInputs(), funnel.compute,
                           ("time_to_first_human_s", "transferred_share"))


def test_reputation_grid_matches_a_live_run():
    """Lesson 4 at its defaults: first reply median and customers lost, grid (seed 2024) against a live run
    (seed 7)."""
    agrees_with_a_live_run("reputation", delay.DelayInputs(), delay.compute,
                           ("first_response_median_s", "customers_lost"))


@pytest.mark.parametrize("inputs", [social.SocialInputs(), social.SocialInputs(deflection=0.0, next_try=0.8)],
                         ids=["defaults", "no deflection, next try 0.8"])
def test_social_grid_matches_a_live_run(inputs):
    """Lesson 3 at its defaults and at a corner of its next-try × deflection plane: each design's share resolved
    within 72 h and median time to a human, grid (seed 1) against a live run (seed 7, 3 replications)."""
    point = grid.lookup("social", inputs)
    live = {"design": social.design_rows(inputs.scenario(None, replications=3, seed=7))}
    if inputs != social.SocialInputs():
        live["phone"] = social.design_rows(social.phone_inputs(inputs).scenario(0.0, replications=3, seed=7))
    for design, rows in live.items():
        for metric in ("resolved_within_72h_share", "time_to_human_median_min"):
            a, b = point[design][metric].to_numpy(float), rows[metric].to_numpy(float)
            se = math.hypot(np.std(a, ddof=1) / math.sqrt(len(a)), np.std(b, ddof=1) / math.sqrt(len(b)))
            assert abs(a.mean() - b.mean()) <= 4 * se, (design, metric, a.mean(), b.mean(), se)


@pytest.mark.parametrize("page", ["funnel", "social", "reputation"])
@pytest.mark.usefixtures("with_grids")
def test_a_page_reads_its_grid_at_the_defaults_and_one_step_away(page):
    """The page's own controls produce the grid's keys: at the defaults and after its first slider moves one step,
    the page says its result is precomputed (no simulation runs)."""
    at = AppTest.from_file(str(APP / "lessons" / f"{page}.py"), default_timeout=120)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert any(c.value.startswith("Precomputed") for c in at.caption), page
    first = [*at.slider, *at.select_slider][0]
    options = SELECT_SLIDERS.get((page, first.key))
    if options:
        first.set_value(neighbour(options, first.value))
    else:
        first.set_value(first.value + first.step if first.value + first.step <= first.max else first.value - first.step)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert any(c.value.startswith("Precomputed") for c in at.caption), (page, first.key)
