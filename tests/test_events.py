"""The kernel's event loop (``sim.core.events``) runs events in simpy's order at simpy's times: every shipped scenario
(features attached, the fast path off) gives exactly the tables it gives on a simpy environment."""
from pathlib import Path

import pandas as pd
import pytest
import simpy
from simpy.events import Timeout

import sim
import sim.core.model as kernel
from sim.core.events import Events
from sim.engine import Model

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ["retail_phone", "retail_social", "retail_reputation", "study_funnel_vs_social", "staffing_messaging",
           "staffing_day", "erlang_x", "baseline"]


class SimpyEvents:
    """The event loop's calls on a simpy environment: each event a ``Timeout`` with one callback."""

    def __init__(self) -> None:
        self.env = simpy.Environment()

    @property
    def now(self) -> float:
        return self.env.now

    def at(self, delay: float, callback, value) -> None:
        Timeout(self.env, delay, value).callbacks.append(callback)

    def peek(self) -> float:
        return self.env.peek()

    def run(self, until: float) -> None:
        self.env.run(until=until)


def tables(sc) -> dict[str, pd.DataFrame]:
    m = Model(sc, 1, sc.run.seed)
    m.fast_path = False
    return m.run().frames()


@pytest.mark.parametrize("name", SHIPPED)
def test_tables_equal_on_simpy(name, monkeypatch):
    sc = sim.load_scenario(ROOT / "scenarios" / f"{name}.toml")
    heap = tables(sc)
    monkeypatch.setattr(kernel, "Events", SimpyEvents)
    on_simpy = tables(sc)
    assert set(heap) == set(on_simpy) and len(heap["contacts"]) > 0
    for t in heap:
        pd.testing.assert_frame_equal(heap[t], on_simpy[t], check_exact=True, obj=t)


def test_ties_run_in_scheduling_order_and_the_stop_goes_first():
    ev = Events()
    seen: list = []
    for v in ("a", "b", "c"):
        ev.at(5.0, lambda e: seen.append((ev.now, e.value)), v)
    ev.at(10.0, lambda e: seen.append((ev.now, e.value)), "at the horizon")
    ev.at(2.0, lambda e: ev.at(3.0, lambda e2: seen.append((ev.now, e2.value)), "d"), None)
    ev.run(10.0)
    assert seen == [(5.0, "a"), (5.0, "b"), (5.0, "c"), (5.0, "d")] and ev.now == 10.0 and ev.peek() == 10.0
    with pytest.raises(ValueError, match="negative"):
        ev.at(-1.0, print, None)
