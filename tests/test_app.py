"""The teaching app with Streamlit's own harness (AppTest): every page renders without an exception, every control
changes a simulated or analytic result shown on the page (not only its own value), the scenario a teacher downloads
loads and runs with ``contactsim run``, and ``contactsim app`` without the extra says what to install."""
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


def page(name: str) -> AppTest:
    at = AppTest.from_file(str(APP / "lessons" / f"{name}.py"), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def shown(at: AppTest) -> tuple:
    """What a student reads as results: the metric cards and the tables (not the controls, not the prose)."""
    metrics = tuple((m.label, m.value, m.delta) for m in at.metric)
    tables = tuple(df.value.to_csv() for df in at.dataframe)
    return metrics, tables


# The options of each select-slider, as the pages define them (AppTest shows their labels only).
SELECT_SLIDERS = {
    ("queues", "answer_within_s"): [10, 15, 20, 30, 45, 60],
    ("social", "share_social"): [0.25, 0.5, 0.75, 1.0],
    ("follow", "minutes"): [10, 20, 30],
}


def neighbour(values: list, current):
    """The option after ``current`` (or before it, at the end)."""
    i = list(values).index(current)
    return values[i + 1] if i + 1 < len(values) else values[i - 1]


def other_value(name: str, widget):
    """A value of the control other than its present one: the next option; for a slider a quarter of its range up
    (or down, near the top) — a single small step of a probability need not change any of a few dozen callers."""
    kind = type(widget).__name__
    if kind == "Toggle":
        return not widget.value
    if kind == "SelectSlider":
        return neighbour(SELECT_SLIDERS[(name, widget.key)], widget.value)
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


@pytest.mark.parametrize("name", ["home", *LESSONS])
def test_page_renders(name):
    at = page(name)
    assert at.title, f"{name}: no title"
    if name != "home":
        assert at.metric, f"{name}: no numbers shown"
        assert any("question for students" in s.value for s in at.subheader)
        assert any(e.label == "What to notice" for e in at.expander)
        assert at.download_button, f"{name}: no scenario download"


def test_navigation_reaches_every_lesson():
    at = AppTest.from_file(str(APP / "main.py"), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    for name in LESSONS:
        at.switch_page(f"lessons/{name}.py").run()
        assert not at.exception, (name, [e.message for e in at.exception])
        assert at.metric


@pytest.mark.parametrize("name", LESSONS)
def test_every_control_changes_a_result(name):
    at = page(name)
    keys = [w.key for w in controls(at)]
    assert len(keys) >= 4, f"{name}: expected the lesson's controls, found {keys}"
    for key in keys:
        before = shown(at)
        w = at.get_by_key(key)
        w.set_value(other_value(name, w))
        at.run()
        assert not at.exception, (name, key, [e.message for e in at.exception])
        assert shown(at) != before, f"{name}: moving {key!r} changed no result shown"


@pytest.mark.parametrize("name", LESSONS)
def test_downloaded_scenario_runs(name, tmp_path):
    at = page(name)
    text = at.code[-1].value
    raw = tomllib.loads(text)
    assert raw["name"].startswith("lesson_")
    path = tmp_path / f"lesson_{name}.toml"
    path.write_text(text)
    assert main(["run", str(path), "--replications", "1", "--no-figures", "--out", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "summary.csv").exists()


def test_app_without_the_extra_prints_a_hint(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "streamlit", None)  # as if the [app] extra were not installed
    assert main(["app", "--no-browser"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "pip install 'contactsim[app]'" in err[0]
