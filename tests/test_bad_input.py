"""One test per way bad input used to go wrong (a traceback, a silent default, a silent misreading): each is now one
clear line naming the file and the key, or a warning when the input is valid but suspicious."""
from __future__ import annotations

import math
import shutil
import warnings

import pytest

import sim
from sim.cli import main
from sim.errors import InputError, ScenarioError
from sim.input_warnings import InputWarning
from sim.scenario import parse_scenario, set_dotted
from sim.size_guard import guard
from sim.staffing.demand import check_demand
from sim.units import describe_target, parse_service_level, parse_target
from tests.conftest import ROOT, erlang_raw

FORECAST = (ROOT / "scenarios" / "data" / "phone_forecast.csv").read_text()
SCHEDULE = (ROOT / "scenarios" / "data" / "phone_schedule.csv").read_text()


def refused(raw, source="x.toml", base_dir=".") -> list[str]:
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(raw, source=source, base_dir=base_dir)
    return exc.value.lines()


def forecast_day(tmp_path, forecast: str | bytes = FORECAST, schedule: str | bytes = SCHEDULE) -> str:
    """The shipped forecast_day scenario in ``tmp_path`` with the given CSV contents; its path."""
    (tmp_path / "data").mkdir(exist_ok=True)
    for name, content in (("phone_forecast.csv", forecast), ("phone_schedule.csv", schedule)):
        data = content.encode() if isinstance(content, str) else content
        (tmp_path / "data" / name).write_bytes(data)
    shutil.copy(ROOT / "scenarios" / "forecast_day.toml", tmp_path / "s.toml")
    return str(tmp_path / "s.toml")


def load_error(path, overrides=None) -> str:
    with pytest.raises(InputError) as exc:
        sim.load_scenario(path, overrides)
    lines = exc.value.lines()
    assert len(lines) == 1, lines
    return lines[0]


def without(text: str, clock: str) -> str:
    return "".join(line for line in text.splitlines(True) if clock not in line)


# ---- tracebacks -----------------------------------------------------------------------------------------------------
def test_lists_nested_500_deep_are_refused_not_a_recursion_error(tmp_path):
    f = tmp_path / "deep.toml"
    f.write_text("schema = 1\nx = " + "[" * 500 + "1" + "]" * 500 + "\n")
    assert "nested at most 32 deep" in load_error(f)
    deep = 1
    for _ in range(2000):
        deep = {"a": deep}
    assert any("channels.phone.x" in line and "nested at most 32 deep" in line
               for line in refused(set_dotted(erlang_raw(), "channels.phone.x", deep)))


def test_a_chain_of_500_goto_menus_is_refused_with_the_depth_limit():
    menus = {f"m{i}": {"options": [{"share": 1.0, "goto": f"m{i + 1}"}]} for i in range(500)}
    menus["m500"] = {"options": [{"share": 1.0, "queue": "phone"}]}
    ivr = {"menu": {"options": [{"share": 1.0, "goto": "m0"}]}, "menus": menus}
    lines = refused(set_dotted(erlang_raw(), "channels.phone.ivr", ivr))
    assert lines == ["x.toml: channels.phone.ivr.menu: expected a menu tree at most 20 menus deep (goto chains "
                     "included), got 502 menus deep"]


def test_a_rate_per_zero_hours_is_refused():
    assert refused(set_dotted(erlang_raw(), "channels.phone.arrivals.rate", "100/0h")) == [
        'x.toml: channels.phone.arrivals.rate: expected a rate such as "100/h" or "6/min", got "100/0h"']


def test_a_scenario_with_a_latin1_byte_is_refused_with_its_line(tmp_path):
    f = tmp_path / "s.toml"
    f.write_bytes(b'schema = 1\nname = "caf\xe9"\n')
    assert load_error(f) == f"{f}: expected UTF-8 text (save the file as UTF-8), got byte 0xe9 on line 2"


def test_a_forecast_with_a_latin1_byte_is_refused_unless_its_encoding_is_named(tmp_path):
    path = forecast_day(tmp_path, FORECAST.replace("aht\n", "aht\n").encode() + b"# caf\xe9\n")
    line = load_error(path)
    assert "channels.phone.arrivals.forecast: expected UTF-8 text" in line and "byte 0xe9 on line 26" in line
    latin = FORECAST.replace("interval_start", "interval_start").encode("cp1252")
    (tmp_path / "data" / "phone_forecast.csv").write_bytes(latin)
    assert sim.load_scenario(path, {"channels.phone.arrivals.encoding": "cp1252"}).channels["phone"]


def test_a_key_with_a_newline_and_escape_codes_prints_on_one_line(capsys, tmp_path):
    f = tmp_path / "s.toml"
    f.write_text((ROOT / "scenarios" / "erlang_a.toml").read_text() + '\n[channels.phone.targets]\n'
                 '"answer\\nwithin\\u001b[31m" = "20s"\n'.replace("[channels.phone.targets]\n", ""))
    raw = sim.scenario.read_toml(f)
    raw["channels"]["phone"]["que\nue\x1b[2J"] = "phone\u202e"
    lines = refused(raw, source=str(f))
    assert all("\n" not in line and "\x1b" not in line for line in lines)
    assert any("channels.phone.que\\nue\\x1b[2J: expected a known key" in line for line in lines)
    assert main(["check", str(f)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err and all(line.startswith(f"error: {f}: ") for line in err)


# ---- NaN, infinity, zero ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("key, value", [
    ("agents.phone.availability", math.nan),
    ("channels.phone.targets.service_level", math.nan),
    ("channels.phone.handle_time", {"dist": "lognormal", "mean": "4min", "cv": math.nan}),
    ("channels.phone.arrivals", {"volumes": [10.0] * 47 + [math.nan], "interval": "30min"}),
    ("channels.phone.handle_time.mean", "1e999s"),
    ("channels.phone.arrivals.rate", "1e999/h"),
    ("channels.phone.arrivals", {"volumes": [math.inf] * 48, "interval": "30min"}),
    ("agents.phone.cost_per_hour", math.inf),
])
def test_nan_and_infinity_are_refused_naming_the_key(key, value):
    lines = refused(set_dotted(erlang_raw(), key, value))
    assert len(lines) == 1 and lines[0].startswith("x.toml: " + key.split(".handle_time")[0]), lines


def test_nan_in_a_forecast_csv_is_refused(tmp_path):
    line = load_error(forecast_day(tmp_path, FORECAST.replace("10:30,190", "10:30,nan")))
    assert "expected a finite, non-negative number in column volume, got 'nan' on line 7" in line


def test_nan_on_the_command_line_is_refused(capsys):
    assert main(["run", str(ROOT / "scenarios" / "erlang_a.toml"), "--precision", "nan"]) == 2
    assert capsys.readouterr().err.strip() == "error: --precision: expected a finite number, got nan"


def test_a_service_level_of_zero_and_an_answer_within_of_zero_stay_zero():
    raw = set_dotted(erlang_raw(), "channels.phone.targets", {"service_level": 0, "answer_within": "0s"})
    t = parse_scenario(raw).channels["phone"].targets
    assert (t.service_level, t.answer_within_s) == (0.0, 0.0)


# ---- sizes ------------------------------------------------------------------------------------------------------------
def test_a_trillion_agents_is_refused_by_the_size_guard_naming_the_count():
    sc = parse_scenario(set_dotted(erlang_raw(), "agents.phone.count", 10**12), source="x.toml")
    with pytest.raises(InputError) as exc:
        guard(sc)
    assert exc.value.lines()[0].startswith("x.toml: agents.phone.count: expected at most 100,000 agents")
    assert "--force" in exc.value.lines()[0]
    assert guard(sc, force=True).agents == 10**12


def test_a_billion_calls_an_hour_is_refused_with_the_estimate():
    sc = parse_scenario(set_dotted(erlang_raw(), "channels.phone.arrivals.rate", "1e9/h"), source="x.toml")
    with pytest.raises(InputError) as exc:
        guard(sc)
    assert "channels.phone.arrivals: expected at most 5,000,000 contacts per replication" in str(exc.value)
    assert "24,000,000,000" in str(exc.value)


def test_a_reporting_interval_of_a_microsecond_is_refused():
    assert refused(set_dotted(erlang_raw(), "run.interval", "0.001ms")) == [
        'x.toml: run.interval: expected a positive duration such as "240s", "4min", "1.5h" or "10d" from 1min to 1d, '
        'got "0.001ms"']


def test_every_shipped_scenario_passes_the_size_guard():
    for path in sorted((ROOT / "scenarios").glob("*.toml")):
        est = guard(sim.load_scenario(path))
        assert 0 < est.contacts < 100_000, (path.name, est.describe())


def test_two_channels_sharing_one_queue_id_are_refused():
    raw = erlang_raw()
    raw["channels"]["chat"] = {"kind": "chat", "mode": "queue", "queue": "phone", "arrivals": {"rate": "10/h"},
                               "handle_time": {"dist": "exponential", "mean": "4min"}}
    lines = refused(raw)
    assert lines == ["x.toml: channels.chat.queue: expected a queue id no other channel uses (channel phone already "
                     "uses 'phone'; give each channel its own queue and let one agent group serve both), got \"phone\""]


# ---- forecast and schedule CSVs ---------------------------------------------------------------------------------------
def test_a_forecast_with_a_missing_10_30_row_is_refused(tmp_path):
    path = forecast_day(tmp_path, without(FORECAST, "10:30"))
    assert load_error(path) == (
        f'{path}: channels.phone.arrivals.forecast: expected a row for every 30-minute interval inside opening hours '
        f'08:00-20:00 (or missing = "zero" beside forecast when a missing row means none), got no row for 10:30 in '
        f'data/phone_forecast.csv')


def test_a_forecast_missing_a_row_is_read_as_zero_when_it_says_so(tmp_path):
    path = forecast_day(tmp_path, without(FORECAST, "10:30"))
    sc = sim.load_scenario(path, {"channels.phone.arrivals.missing": "zero"})
    prof = sc.channels["phone"].arrivals.profile
    assert prof.value_at([2.5 * 3600 + 60], sc.calendar)[0] == 0.0  # 10:31 with start 08:00
    assert prof.value_at([2.0 * 3600 + 60], sc.calendar)[0] == 180.0


def test_a_schedule_missing_a_row_inside_the_served_hours_is_refused(tmp_path):
    line = load_error(forecast_day(tmp_path, schedule=without(SCHEDULE, "2024-01-01 08:00")))
    assert "agents.phone.schedule: expected a row for every 30-minute interval inside opening hours 08:00-20:00" in line
    assert "got no row for 2024-01-01 08:00 in data/phone_schedule.csv" in line


def test_a_forecast_dated_for_another_day_is_refused(tmp_path):
    path = forecast_day(tmp_path, schedule=SCHEDULE.replace("2024-01-01", "2023-05-02"))
    assert "agents.phone.schedule: expected rows dated inside the run (2024-01-01 08:00 to 2024-01-01 21:00" in \
        load_error(path)


def test_a_duplicated_clock_row_names_both_lines(tmp_path):
    line = load_error(forecast_day(tmp_path, FORECAST + "10:30,12,240\n"))
    assert line.endswith("expected one row per interval, got two rows for 10:30: lines 7 and 26 of "
                         "data/phone_forecast.csv")


def test_a_forecast_row_outside_opening_hours_warns(tmp_path):
    path = forecast_day(tmp_path, FORECAST + "21:00,12,240\n")
    with pytest.warns(InputWarning, match=r"channels\.phone\.arrivals\.forecast: data/phone_forecast\.csv: rows "
                                          r"outside opening hours offer nothing: 21:00 \(line 26\)"):
        sim.load_scenario(path)


def test_an_unknown_csv_column_warns_naming_it_and_the_aht_column_is_read(tmp_path):
    text = FORECAST.replace("aht\n", "aht,notes\n", 1).replace("\n10:30,190,235", "\n10:30,190,235,peak")
    path = forecast_day(tmp_path, text)
    with pytest.warns(InputWarning, match="columns 'notes' are not read"):
        sc = sim.load_scenario(path)
    aht = sc.channels["phone"].arrivals.profile.companion("aht")
    assert aht.value_at([2.5 * 3600 + 60], sc.calendar)[0] == 235.0


def test_a_utf8_bom_from_excel_is_read(tmp_path):
    sc = sim.load_scenario(forecast_day(tmp_path, b"\xef\xbb\xbf" + FORECAST.encode()))
    assert sc.channels["phone"].arrivals.expected_count(sc.run.horizon_s, sc.calendar, (8 * 3600.0, 20 * 3600.0)) \
        == pytest.approx(2990)


def test_dd_mm_yyyy_dates_get_a_hint(tmp_path):
    line = load_error(forecast_day(tmp_path, schedule=SCHEDULE.replace("2024-01-01", "01/01/2024")))
    assert "(write dates as YYYY-MM-DD: dd/mm/yyyy and mm/dd/yyyy cannot be told apart)" in line


def test_96_quarter_hour_volumes_at_the_default_interval_warn():
    raw = set_dotted(erlang_raw(), "channels.phone.arrivals", {"volumes": [10] * 96})
    with pytest.warns(InputWarning, match="96 values at the default interval of 30 minutes cover 48 h"):
        parse_scenario(raw)


def test_a_repeating_volumes_list_that_is_not_whole_days_is_refused_unless_it_says_so():
    raw = set_dotted(erlang_raw(horizon="2d"), "channels.phone.arrivals", {"volumes": [10] * 50, "interval": "30min"})
    assert refused(raw) == ["x.toml: channels.phone.arrivals.volumes: expected a whole number of days of 30-minute "
                            "values (48 a day; or repeat = true for a cycle of 50 intervals), got 50 values"]
    raw["channels"]["phone"]["arrivals"]["repeat"] = True
    assert parse_scenario(raw).channels["phone"].arrivals.profile.cycle == (10.0,) * 50
    short_run = set_dotted(set_dotted(erlang_raw(), "run.horizon", "6h"), "channels.phone.arrivals",
                           {"volumes": [10] * 12, "interval": "30min"})
    assert parse_scenario(short_run).channels["phone"].arrivals.profile.cycle == (10.0,) * 12  # laid once: fine


# ---- the warnings channel ---------------------------------------------------------------------------------------------
def test_warnings_print_as_one_line_and_strict_makes_them_errors(tmp_path, capsys):
    path = forecast_day(tmp_path, FORECAST.replace("aht\n", "aht,notes\n", 1))
    assert main(["check", path]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err == [f"warning: {path}: channels.phone.arrivals.forecast: data/phone_forecast.csv: columns 'notes' are "
                   "not read (known: interval_start, volume, aht)"]
    assert main(["check", "--strict", path]) == 2
    assert capsys.readouterr().err.startswith(f"error: {path}: channels.phone.arrivals.forecast:")
    assert main(["--strict", "check", path]) == 2


def test_a_channel_that_offers_nothing_over_the_run_warns():
    raw = set_dotted(erlang_raw(), "channels.phone.arrivals", {"volumes": [0] * 48, "interval": "30min"})
    sc = parse_scenario(raw, source="x.toml")
    with pytest.warns(InputWarning, match=r"x\.toml: channels\.phone\.arrivals: this channel offers no contact"):
        guard(sc)
    with warnings.catch_warnings():
        warnings.simplefilter("error", InputWarning)
        guard(parse_scenario(erlang_raw()))  # a channel with calls: no warning


def test_staff_refuses_an_open_interval_without_demand(tmp_path, capsys):
    text = (ROOT / "scenarios" / "staffing_day.toml").read_text().replace("60, 90, 130, 160, 180, 190",
                                                                          "60, 90, 130, 160, 180, 0")
    f = tmp_path / "staff.toml"
    f.write_text(text)
    with pytest.raises(ScenarioError, match="expected demand in every planned interval inside opening hours"):
        check_demand(sim.load_scenario(f))
    assert main(["staff", str(f), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    assert "channels.phone.arrivals: expected demand in every planned interval" in capsys.readouterr().err
    check_demand(sim.load_scenario(ROOT / "scenarios" / "staffing_day.toml"))  # the shipped day: demand everywhere


# ---- targets ------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["0.8/20s", "80/20s", "80%/20s", " 80 / 20s "])
def test_a_target_level_up_to_1_is_a_fraction_and_above_1_a_percentage(text):
    assert parse_target(text) == (0.8, 20.0)
    assert describe_target(*parse_target(text)) == "80% answered within 20s"


@pytest.mark.parametrize("text", ["101/20s", "-5/20s", "nan/20s", "inf/20s", "80/20", "80", "80/0h/2", "200%/20s"])
def test_other_targets_are_refused(text):
    with pytest.raises(ValueError, match="expected a target such as"):
        parse_target(text)


def test_a_scenario_service_level_follows_the_same_rule():
    assert parse_service_level(80) == parse_service_level(0.8) == parse_service_level("80%") == 0.8
    raw = set_dotted(erlang_raw(), "channels.phone.targets.service_level", 80)
    assert parse_scenario(raw).channels["phone"].targets.service_level == 0.8
    assert refused(set_dotted(erlang_raw(), "channels.phone.targets.service_level", 120))[0].startswith(
        "x.toml: channels.phone.targets.service_level: expected a service level up to 1 as a fraction")
