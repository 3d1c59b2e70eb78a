"""Figures a planner reads: clock-time axes, the service-level target drawn, legends above or beside the data."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import sim  # noqa: E402
from sim.plots.intraday import intraday_figure  # noqa: E402
from tests.conftest import erlang_raw, scenario  # noqa: E402


def test_intraday_figure_has_clock_ticks_a_target_line_and_a_legend_off_the_data():
    raw = erlang_raw(n=8, horizon="10h", reps=2)
    raw["run"]["start"] = "2024-01-01 08:00"
    res = sim.run(scenario(raw))
    fig = intraday_figure(res.intervals, "t", start_clock_s=8 * 3600.0,
                          target={"service_level": 0.8, "answer_within_s": 20.0})
    top, bottom = fig.axes
    labels = [t.get_text() for t in bottom.get_xticklabels()]
    assert labels[0] == "08:00" and labels[-1] == "18:00"
    flat = [ln for ln in bottom.get_lines() if np.allclose(ln.get_ydata(), 0.8)]
    assert flat and "target 80%" in flat[0].get_label()
    for ax in (top, bottom):
        legend = ax.get_legend()
        fig.canvas.draw()
        box = legend.get_window_extent()
        assert box.y0 >= ax.get_window_extent().y1 - 1  # the legend sits above the plotting area
    plt.close(fig)
