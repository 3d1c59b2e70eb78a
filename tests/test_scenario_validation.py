"""A malformed scenario gives one ScenarioError listing every problem with file, dotted key, expectation, finding."""
from __future__ import annotations

import copy
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

import sim
from sim.errors import ScenarioError
from tests.conftest import ROOT, erlang_raw, scenario


def problems(raw) -> list[str]:
    with pytest.raises(ScenarioError) as exc:
        scenario(raw, source="scenarios/x.toml")
    return [str(p) for p in exc.value.problems]


def test_shipped_erlang_a_file_runs_as_written():
    sc = sim.load_scenario(ROOT / "scenarios" / "erlang_a.toml")
    assert sc.run.horizon_s == 10 * 86400 and sc.run.warmup_s == 7200 and sc.run.replications == 10
    ch = sc.channels["phone"]
    assert ch.handle_time.mean == 240 and ch.patience.mean == 300
    assert ch.targets.answer_within_s == 20 and ch.targets.service_level == 0.8


def test_negative_mean_names_file_key_expectation_and_value():
    raw = erlang_raw()
    raw["channels"]["phone"]["handle_time"]["mean"] = -3
    assert problems(raw) == [
        'scenarios/x.toml: channels.phone.handle_time.mean: expected a positive duration such as "240s", "4min", '
        '"1.5h" or "10d", got -3']


def test_every_problem_is_reported_at_once():
    raw = erlang_raw()
    raw["channels"]["phone"]["handle_time"]["mean"] = "fast"
    raw["channels"]["phone"]["patince"] = {"dist": "exponential", "mean": "300s"}
    raw["agents"]["phone"]["count"] = -1
    raw["run"]["horizon"] = 10
    found = problems(raw)
    assert len(found) == 4
    assert any("channels.phone.handle_time.mean" in p for p in found)
    assert any('channels.phone.patince: expected a known key (did you mean "patience"?)' in p for p in found)
    assert any("agents.phone.count" in p for p in found)
    assert any("run.horizon" in p for p in found)


def test_unknown_queue_and_unserved_channel_are_errors():
    raw = erlang_raw()
    raw["agents"]["phone"]["serves"] = ["phnoe"]
    found = problems(raw)
    assert any("agents.phone.serves[0]: expected a queue id of this scenario (phone)" in p for p in found)
    assert any("channels.phone: expected an agent group serving queue phone" in p for p in found)


def test_distributions_are_checked_by_kind():
    raw = erlang_raw()
    raw["channels"]["phone"]["handle_time"] = {"dist": "mixture", "weights": [0.5, 0.6],
                                               "components": [{"dist": "deterministic", "value": "5s"},
                                                              {"dist": "exponential", "mean": "4min"}]}
    raw["channels"]["phone"]["patience"] = {"dist": "lognormal", "mean": "4min"}
    found = problems(raw)
    assert any("handle_time.weights: expected weights summing to 1" in p for p in found)
    assert any("patience.cv: expected a number > 0 (required)" in p for p in found)


def test_volumes_by_weekday_need_a_full_day():
    raw = erlang_raw()
    raw["channels"]["phone"]["arrivals"] = {"interval": "30min", "by_weekday": {"mon": [1, 2, 3]}}
    found = problems(raw)
    assert any("arrivals.by_weekday.mon: expected 48 values" in p for p in found)
    assert any("arrivals.by_weekday.tue: expected a list for every day of the week" in p for p in found)


def test_forecast_file_errors_name_the_file_and_line(tmp_path):
    (tmp_path / "f.csv").write_text("interval_start,volume\n08:00,10\n08:30,-4\n")
    raw = erlang_raw()
    raw["channels"]["phone"]["arrivals"] = {"forecast": "f.csv"}
    with pytest.raises(ScenarioError) as exc:
        sim.parse_scenario(raw, source=str(tmp_path / "s.toml"), base_dir=tmp_path)
    assert "channels.phone.arrivals.forecast" in str(exc.value) and "line 3 of f.csv" in str(exc.value)


def test_cli_prints_plain_lines_and_exits_2(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('schema = 1\n[channels.phone]\narrivals = { rate = "100/h" }\n'
                   'handle_time = { dist = "exponential", mean = -3 }\n[agents.phone]\nserves = ["phone"]\ncount = 8\n')
    proc = subprocess.run([sys.executable, "-m", "sim.cli", "check", str(bad)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert f"error: {bad}: channels.phone.handle_time.mean: expected a positive duration" in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "sim.cli", "run", str(tmp_path / "missing.toml")],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "cannot read the scenario file" in proc.stderr and "Traceback" not in proc.stderr


def test_toml_syntax_error_is_a_scenario_error(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("schema = 1\n[run\n")
    with pytest.raises(ScenarioError, match="expected valid TOML"):
        sim.load_scenario(bad)


def test_overrides_apply_dotted_keys_before_validation():
    sc = sim.load_scenario(ROOT / "scenarios" / "erlang_a.toml", overrides={"agents.phone.count": 9,
                                                                            "run.horizon": "1d"})
    assert sc.agents["phone"].count.constant == 9 and sc.run.horizon_s == 86400
    base = sim.load_scenario(ROOT / "scenarios" / "erlang_a.toml")
    assert sc.hash != base.hash


# Generated malformed scenarios: replace one leaf of a valid scenario by a value of the wrong kind.
LEAVES = [("run", "horizon"), ("run", "warmup"), ("run", "replications"), ("run", "seed"),
          ("channels", "phone", "arrivals", "rate"), ("channels", "phone", "handle_time", "mean"),
          ("channels", "phone", "handle_time", "dist"), ("channels", "phone", "patience", "mean"),
          ("channels", "phone", "targets", "service_level"), ("channels", "phone", "targets", "answer_within"),
          ("agents", "phone", "count"), ("agents", "phone", "serves"), ("schema",)]
BAD_VALUES = st.one_of(st.just(-1), st.just(-2.5), st.just("soon"), st.just("10 parsecs"), st.just([]),
                       st.just({}), st.just(True), st.text(min_size=0, max_size=5).filter(lambda s: not s.strip()))


@given(leaf=st.sampled_from(LEAVES), bad=BAD_VALUES)
def test_generated_malformed_scenarios_always_give_scenario_error(leaf, bad):
    raw = copy.deepcopy(erlang_raw())
    node = raw
    for k in leaf[:-1]:
        node = node[k]
    node[leaf[-1]] = bad
    with pytest.raises(ScenarioError) as exc:
        scenario(raw)
    assert exc.value.problems and all(p.file == "test.toml" for p in exc.value.problems)
    assert any(".".join(leaf) in p.key or p.key.startswith(".".join(leaf)) for p in exc.value.problems)


@given(extra=st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12))
def test_unknown_keys_are_never_ignored(extra):
    raw = copy.deepcopy(erlang_raw())
    if extra in raw["channels"]["phone"] or extra in sim.scenario.CHANNEL_KEYS or \
            extra in sim.scenario.CHANNEL_EXTENSIONS["phone"]:
        return
    raw["channels"]["phone"][extra] = 1
    with pytest.raises(ScenarioError, match=f"channels.phone.{extra}: expected a known key"):
        scenario(raw)
