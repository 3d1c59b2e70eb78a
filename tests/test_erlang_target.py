"""`contactsim erlang --target`: a number up to 1 is a fraction, above 1 up to 100 a percentage; the target is echoed."""
from __future__ import annotations

import pytest

from sim.cli import main


def _run(capsys, target):
    code = main(["erlang", "--rate", "100/h", "--aht", "240s", f"--target={target}"])
    return code, capsys.readouterr()


def test_a_fraction_and_a_percentage_are_the_same_target(capsys):
    code_f, frac = _run(capsys, "0.8/20s")
    code_p, pct = _run(capsys, "80/20s")
    assert code_f == code_p == 0
    assert "target: 80% answered within 20s" in frac.out
    assert frac.out == pct.out


@pytest.mark.parametrize("target", ["0/20s", "100/20s", "1/20s", "180/20s", "-5/20s", "nan/20s"])
def test_a_target_outside_0_to_100_percent_is_refused_in_one_line(capsys, target):
    code, out = _run(capsys, target)
    assert code == 2
    lines = out.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: --target: expected")
