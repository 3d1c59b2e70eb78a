"""`contactsim schema`: a JSON Schema of the scenario format, generated from the scenario reader's key lists and a
declarative table of kinds; every shipped scenario validates against it."""
from __future__ import annotations

import copy
import json
import tomllib
from pathlib import Path

import pytest

jsonschema = pytest.importorskip("jsonschema")

from sim import scenario as sc  # noqa: E402
from sim.cli import main  # noqa: E402
from sim.schema import build_schema, undescribed  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "scenarios").glob("*.toml"))


@pytest.fixture(scope="module")
def validator():
    schema = build_schema()
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def problems(validator, raw: dict) -> list[str]:
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(raw)]


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_shipped_scenario_validates_against_the_schema(validator, path):
    assert problems(validator, tomllib.loads(path.read_text())) == []


def test_the_schema_refuses_what_the_reader_refuses(validator):
    raw = tomllib.loads((ROOT / "scenarios" / "erlang_a.toml").read_text())
    assert problems(validator, raw) == []

    def bad(change) -> list[str]:
        r = copy.deepcopy(raw)
        change(r)
        return problems(validator, r)

    assert bad(lambda r: r["channels"]["phone"].update(handel_time={"dist": "exponential", "mean": "4min"}))
    assert bad(lambda r: r["channels"]["phone"]["handle_time"].update(mean="four minutes"))
    assert bad(lambda r: r["channels"]["phone"]["handle_time"].update(cv=1.0))      # exponential takes no cv
    assert bad(lambda r: r["channels"]["phone"]["arrivals"].update(rate="100 per hour"))
    assert bad(lambda r: r["run"].update(horizon=86400))                            # a duration needs its unit
    assert bad(lambda r: r.pop("agents"))
    assert bad(lambda r: r.update(schema=2))
    assert bad(lambda r: next(iter(r["agents"].values())).update(availability=1.5))


def test_every_key_the_reader_accepts_is_described():
    assert undescribed() == []


def test_a_key_the_reader_learns_is_one_the_generator_must_describe(monkeypatch):
    monkeypatch.setitem(sc.CHANNEL_EXTENSIONS, "chat", {**sc.CHANNEL_EXTENSIONS["chat"], "bot": "x:y"})
    assert undescribed() == ["channel.bot"]
    with pytest.raises(RuntimeError, match="channel.bot"):
        build_schema()


def test_schema_command_writes_the_schema(tmp_path, capsys):
    out = tmp_path / "contactsim-scenario.schema.json"
    assert main(["schema", "--out", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    schema = json.loads(out.read_text())
    assert schema == build_schema() and schema["$schema"].startswith("http://json-schema.org/draft-07")
    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == schema
