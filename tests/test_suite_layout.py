"""The suite's own layout under pytest-xdist (tests/conftest.py): each shared fixture is built once, and the long
modules are handed out first."""
from __future__ import annotations

import re

from tests.conftest import LONG_MODULES_S, ROOT, longest_first

SHARED = re.compile(r"scope\s*=\s*[\"'](module|session)[\"']")


def test_a_module_with_a_shared_fixture_is_one_work_unit():
    """Under `--dist loadscope` a test class is a work unit of its own, so a module-scoped fixture in a module with
    classes could be built on both workers."""
    shared = [p for p in (ROOT / "tests").glob("test_*.py") if SHARED.search(p.read_text())]
    assert shared  # the check looks at something
    with_classes = [p.name for p in shared if re.search(r"^class Test", p.read_text(), re.M)]
    assert with_classes == []


def test_every_long_module_exists_and_make_test_keeps_the_collected_order():
    names = {p.name for p in (ROOT / "tests").glob("test_*.py")}
    assert set(LONG_MODULES_S) <= names, set(LONG_MODULES_S) - names
    make = (ROOT / "Makefile").read_text()
    assert re.search(r"pytest .*--dist loadscope --no-loadscope-reorder", make)


def test_longest_modules_come_first_in_collected_order_within_each():
    a, b = sorted(LONG_MODULES_S, key=LONG_MODULES_S.get, reverse=True)[:2]
    paths = ["tests/test_zz_new.py", f"tests/{b}", f"tests/{a}", f"tests/{b}", "tests/test_aa_new.py"]
    assert [paths[i] for i in longest_first(paths)] == [f"tests/{a}", f"tests/{b}", f"tests/{b}",
                                                        "tests/test_zz_new.py", "tests/test_aa_new.py"]
    assert longest_first(paths)[1:3] == [1, 3]
