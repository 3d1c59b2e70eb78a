"""The shipped scenarios' tables are unchanged (tests/fingerprint.py): names, logical dtypes and values of every column.

About 15 s on one core. A change of behaviour on purpose regenerates the file in a commit of its own
(``.venv/bin/python -m tests.fingerprint --regenerate``) with a test of the intended change.
"""
from __future__ import annotations

import json

import pytest

from tests.fingerprint import FILE, differences, scenario_files, scenario_print

EXPECTED = json.loads(FILE.read_text())


def test_every_shipped_scenario_has_a_fingerprint():
    assert sorted(EXPECTED["scenarios"]) == [p.stem for p in scenario_files()]


@pytest.mark.parametrize("path", scenario_files(), ids=lambda p: p.stem)
def test_tables_unchanged(path):
    got = scenario_print(path)
    lines = differences(EXPECTED["scenarios"][path.stem], got)
    assert not lines, (f"{path.name} (numpy {EXPECTED['numpy']}, pandas {EXPECTED['pandas']} made the fingerprint):\n"
                       + "\n".join(lines))
