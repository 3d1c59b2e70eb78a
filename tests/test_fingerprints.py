"""The shipped scenarios' tables are unchanged (tests/fingerprint.py): names, logical dtypes and values of every column,
and of the per-replication metrics and the summary (``tests/fingerprints/metrics.json``). One run per scenario serves
every check of it.

The split of the interval tables (``funnel_intervals``, ``social_intervals`` beside ``intervals``) changed the layout
on purpose: every column of the ``intervals`` table before it (``tests/fingerprints/intervals_4141f65.json``) is
found, with the same dtype and values, in ``Results.interval_view()``, and each new interval table holds only those
columns, its rows being the view's.

About 20 s on one core. A change of behaviour on purpose regenerates the files in a commit of its own
(``.venv/bin/python -m tests.fingerprint --regenerate``) with a test of the intended change.
"""
from __future__ import annotations

import json
from functools import cache

import pytest

from tests.fingerprint import (
    FILE,
    METRIC_TABLES,
    METRICS_FILE,
    differences,
    metrics_print,
    scenario_files,
    scenario_print,
    scenario_run,
    table_print,
)

EXPECTED = json.loads(FILE.read_text())
EXPECTED_METRICS = json.loads(METRICS_FILE.read_text())
BEFORE_SPLIT = json.loads((FILE.parent / "intervals_4141f65.json").read_text())
KEY = ("replication", "channel", "queue", "interval_start_at_s")

run = cache(scenario_run)  # a module's tests stay on one worker (pytest-xdist --dist loadscope)


def test_every_shipped_scenario_has_a_fingerprint():
    names = [p.stem for p in scenario_files()]
    assert sorted(EXPECTED["scenarios"]) == names == sorted(EXPECTED_METRICS["scenarios"])


@pytest.mark.parametrize("path", scenario_files(), ids=lambda p: p.stem)
def test_tables_unchanged(path):
    got = scenario_print(path, run(path))
    lines = differences(EXPECTED["scenarios"][path.stem], got)
    assert not lines, (f"{path.name} (numpy {EXPECTED['numpy']}, pandas {EXPECTED['pandas']} made the fingerprint):\n"
                       + "\n".join(lines))


@pytest.mark.parametrize("path", scenario_files(), ids=lambda p: p.stem)
def test_replication_metrics_and_summary_unchanged(path):
    lines = differences(EXPECTED_METRICS["scenarios"][path.stem], metrics_print(run(path)), METRIC_TABLES)
    assert not lines, f"{path.name}:\n" + "\n".join(lines)


@pytest.mark.parametrize("path", scenario_files(), ids=lambda p: p.stem)
def test_every_old_interval_value_is_in_the_split_tables(path):
    res = run(path)
    old = BEFORE_SPLIT["scenarios"][path.stem]
    view = table_print(res.interval_view())
    assert view["rows"] == old["rows"] and sorted(view["columns"]) == sorted(old["columns"])
    assert {c: view["columns"][c] for c in old["columns"]} == old["columns"]
    for name in ("intervals", "funnel_intervals", "social_intervals"):
        df = getattr(res, name)
        if df is None:
            continue
        assert set(df.columns) <= set(old["columns"]), name
        # each row is the view's row of the same key, every value equal
        joined = df[list(KEY)].merge(res.interval_view(), on=list(KEY), how="left", validate="one_to_one")
        assert table_print(joined[list(df.columns)]) == table_print(df), name
    covered = [c for name in ("intervals", "funnel_intervals", "social_intervals")
               if getattr(res, name) is not None for c in getattr(res, name).columns]
    assert set(covered) == set(old["columns"])
