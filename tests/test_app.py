"""The teaching app with Streamlit's own harness (AppTest): every page renders without an exception, every control
changes a simulated or analytic result shown on the page (not only its own value), the scenario a teacher downloads
loads and runs with ``contactsim run``, and ``contactsim app`` without the extra says what to install.

Each lesson is one AppTest session (rendered once, then every control moved in turn), with small runs (1 replication,
no precomputed grid: tests/test_app_grids.py checks the grids against live runs)."""
from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import pytest

pytest.importorskip("streamlit", reason="the teaching app needs the [app] extra: pip install -e '.[app]'")
from streamlit.testing.v1 import AppTest  # noqa: E402

from sim.cli import main  # noqa: E402

APP = Path(__file__).resolve().parents[1] / "sim" / "app"
LESSONS = ("queues", "funnel", "social", "reputation", "follow")
TIMEOUT = 300  # seconds per script run: generous for a loaded 2-core machine


def shown(at: AppTest) -> tuple:
    """What a student reads as results: the metric cards and the tables (not the controls, not the prose)."""
    metrics = tuple((m.label, m.value, m.delta) for m in at.metric)
    tables = tuple(df.value.to_csv() for df in at.dataframe)
    return metrics, tables


# The options of each select-slider, as the pages define them (AppTest shows their labels only).
SELECT_SLIDERS = {
    ("queues", "answer_within_s"): [10, 15, 20, 30, 45, 60],
    ("funnel", "misroute"): [0.0, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.3],
    ("social", "share_social"): [0.25, 0.5, 0.75, 1.0],
    ("social", "patience"): ["none", "1 h", "4 h", "8 h", "24 h"],
    ("social", "misroute"): [0.0, 0.03, 0.07, 0.1, 0.15, 0.2, 0.3],
    ("social", "deflection"): [0.0, 0.1, 0.2, 0.3, 0.4],
    ("social", "next_try"): [0.0, 0.25, 0.5, 0.8],
    ("social", "next_try_delay"): ["15 min", "1 h", "4 h"],
    ("follow", "minutes"): [10, 20, 30],
    ("reputation", "expectations"): ["convince_convert", "lithium", "nm_incite"],  # a radio with labels
}


def neighbour(values: list, current):
    """The option after ``current`` (or before it, at the end)."""
    i = list(values).index(current)
    return values[i + 1] if i + 1 < len(values) else values[i - 1]


def other_value(name: str, widget):
    """A value of the control other than its present one: the next option; for a slider a quarter of its range up
    (or down, near the top) — a single small step of a probability need not change any of a few dozen callers."""
    kind = type(widget).__name__
    if (name, widget.key) in SELECT_SLIDERS:
        return neighbour(SELECT_SLIDERS[(name, widget.key)], widget.value)
    if kind == "Toggle":
        return not widget.value
    if kind in ("Radio", "Selectbox"):
        return neighbour(list(widget.options), str(widget.value)) if kind == "Radio" else \
            neighbour([int(o) for o in widget.options], widget.value)
    if kind in ("Slider", "NumberInput"):
        step = widget.step or 1
        move = max(1, round((widget.max - widget.min) / 4 / step)) * step if kind == "Slider" else step
        up = widget.value + move
        value = up if up <= widget.max else widget.value - move
        return round(value, 10) if isinstance(step, float) else value
    raise AssertionError(f"no rule for a {kind}")


def controls(at: AppTest) -> list:
    return [*at.slider, *at.select_slider, *at.radio, *at.toggle, *at.number_input, *at.selectbox]


@pytest.fixture
def small(monkeypatch):
    """The app as under test: 1 replication while exploring, 2 on demand, every setting simulated live (no grid)."""
    monkeypatch.setenv("CONTACTSIM_APP_SMALL", "1")
    monkeypatch.setenv("CONTACTSIM_APP_NO_GRID", "1")


def test_home_page_renders(small):
    at = AppTest.from_file(str(APP / "main.py"), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.title and "lesson" in at.markdown[0].value.lower()


@pytest.mark.parametrize("name", LESSONS)
def test_lesson(name, small, tmp_path):
    """One session per lesson, reached through the app's navigation: the page renders with its numbers, question,
    "what to notice" and download; the scenario downloaded runs with ``contactsim run``; every control, moved,
    changes a shown number or table (not only its own value), moved from the page's defaults."""
    at = AppTest.from_file(str(APP / "main.py"), default_timeout=TIMEOUT)
    at.run()
    at.switch_page(f"lessons/{name}.py").run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.title, f"{name}: no title"
    assert at.metric, f"{name}: no numbers shown"
    assert any("question for students" in s.value for s in at.subheader)
    assert any(e.label == "What to notice" for e in at.expander)
    assert at.download_button, f"{name}: no scenario download"

    text = at.code[-1].value
    raw = tomllib.loads(text)
    assert raw["name"].startswith("lesson_")
    path = tmp_path / f"lesson_{name}.toml"
    path.write_text(text)
    assert main(["run", str(path), "--replications", "1", "--no-figures", "--out", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "summary.csv").exists()

    keys = [w.key for w in controls(at)]
    assert len(keys) >= 4, f"{name}: expected the lesson's controls, found {keys}"
    before = shown(at)
    for key in keys:  # each control moved from the defaults, then back (a cached setting: no new run)
        w = at.get_by_key(key)
        default = w.value
        w.set_value(other_value(name, w))
        at.run()
        assert not at.exception, (name, key, [e.message for e in at.exception])
        assert shown(at) != before, f"{name}: moving {key!r} changed no result shown"
        at.get_by_key(key).set_value(default)
        at.run()


def test_app_without_the_extra_prints_a_hint(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "streamlit", None)  # as if the [app] extra were not installed
    assert main(["app", "--no-browser"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "pip install 'contactsim[app]'" in err[0]
