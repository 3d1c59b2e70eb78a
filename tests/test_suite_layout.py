"""The suite's own layout: every test module with a module- or session-scoped fixture is kept on one pytest-xdist
worker (tests/conftest.py), so `make test -n auto` builds each such fixture once."""
from __future__ import annotations

import re

from tests.conftest import ROOT, SHARED_FIXTURE_MODULES


def test_every_module_with_a_shared_fixture_is_grouped():
    shared = {p.stem for p in (ROOT / "tests").glob("test_*.py")
              if re.search(r"scope\s*=\s*[\"'](module|session)[\"']", p.read_text())}
    assert shared == SHARED_FIXTURE_MODULES
