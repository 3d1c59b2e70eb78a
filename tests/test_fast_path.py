"""The plain queue's fast path (``sim.core.fast``: its own heap of events) gives the same tables as the kernel's event
loop (``sim.core.events``, simpy's order: tests/test_events.py).

Each configuration is run twice, once on the fast path and once with ``Model.fast_path = False``, and every
table is compared exactly: contacts, intervals, agents and the per-replication metrics. Ties at one instant are
exercised by deterministic handle, IVR and wrap-up times and by two groups' shifts changing on the same half-hours;
classes with a waiting-time credit and their own patience, and an overloaded queue still long at the horizon, exercise
the fast path's lazy patience (no deadline events: a caller reached after their deadline, or left waiting at the
horizon past it, abandoned at the deadline). Arrival times put on a grid of seconds make arrivals, ends of work,
deadlines and staffing changes meet at one instant, so simpy's order of events of one instant is checked too.
"""
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.core import Model
from sim.core.fast import Clock

ABANDONMENT = """
schema = 1
[run]
horizon = "12h"
warmup = "1h"
replications = 2
seed = 4
[channels.phone]
arrivals = { rate = "90/h" }
handle_time = { dist = "exponential", mean = "240s" }
patience = { dist = "exponential", mean = "120s" }
[agents.phone]
serves = ["phone"]
count = 5
"""

SHIFTS = """
schema = 1
[run]
horizon = "10h"
interval = "30min"
replications = 2
seed = 9
[channels.phone]
arrivals = { rate = "120/h" }
handle_time = { dist = "deterministic", value = "180s" }
patience = { dist = "deterministic", value = "90s" }
ivr_time = { dist = "deterministic", value = "30s" }
[channels.chat]
mode = "queue"
arrivals = { rate = "40/h" }
handle_time = { dist = "lognormal", mean = "300s", cv = 0.8 }
patience = { dist = "exponential", mean = "600s" }
[agents.blended]
serves = ["phone", "chat"]
interval = "30min"
count = [2, 3, 5, 6, 6, 4, 4, 6, 7, 5, 3, 3, 2, 2, 4, 5, 6, 6, 3, 1]
wrap_up = { dist = "deterministic", value = "30s" }
availability = 0.9
[agents.phone_only]
serves = ["phone"]
interval = "30min"
count = [1, 1, 2, 2, 3, 3, 1, 0, 0, 2, 2, 3, 3, 2, 2, 1, 1, 2, 2, 1]
wrap_up = { dist = "exponential", mean = "20s" }
"""

NO_PATIENCE = """
schema = 1
[run]
horizon = "6h"
replications = 1
seed = 2
[channels.phone]
arrivals = { rate = "55/h" }
handle_time = { dist = "gamma", mean = "200s", cv = 0.5 }
[agents.phone]
serves = ["phone"]
count = 3
"""

CLASSES = """
schema = 1
[run]
horizon = "8h"
replications = 2
seed = 6
[channels.phone]
arrivals = { rate = "200/h" }
handle_time = { dist = "exponential", mean = "240s" }
patience = { dist = "exponential", mean = "300s" }
[channels.phone.classes.1]
share = 0.6
[channels.phone.classes.2]
share = 0.4
credit = "60s"
patience = { dist = "deterministic", value = "45s" }
[agents.phone]
serves = ["phone"]
count = 13
"""

# Strict priority classes (no credit) with IVR time, two groups on the phone queue, one of them also on chat; seats
# falling while agents are busy (they leave at the end of their contact); the chat line with no patience.
RANKED = """
schema = 1
[run]
horizon = "9h"
interval = "30min"
replications = 2
seed = 12
[channels.phone]
arrivals = { rate = "150/h" }
handle_time = { dist = "lognormal", mean = "220s", cv = 0.9 }
patience = { dist = "exponential", mean = "200s" }
ivr_time = { dist = "lognormal", mean = "40s", cv = 0.5 }
[channels.phone.classes.1]
share = 0.7
[channels.phone.classes.3]
share = 0.3
patience = { dist = "exponential", mean = "90s" }
[channels.chat]
mode = "queue"
arrivals = { rate = "30/h" }
handle_time = { dist = "exponential", mean = "400s" }
[agents.front]
serves = ["phone"]
interval = "30min"
count = [6, 8, 9, 9, 7, 4, 4, 8, 9, 9, 6, 3, 3, 5, 7, 8, 8, 2]
wrap_up = { dist = "exponential", mean = "15s" }
[agents.back]
serves = ["chat", "phone"]
count = 3
"""

# More callers than capacity, patient ones: a long queue, many still waiting (some past their deadline) at the horizon.
OVERLOADED = """
schema = 1
[run]
horizon = "8h"
replications = 1
seed = 8
[channels.phone]
arrivals = { rate = "150/h" }
handle_time = { dist = "exponential", mean = "240s" }
patience = { dist = "exponential", mean = "1800s" }
[agents.phone]
serves = ["phone"]
count = 8
"""

# One line served by one group whose seats change over the day (falling while agents are busy): the fast path's
# simplest centre (sim.core.fast_line).
LINE_SHIFTS = """
schema = 1
[run]
horizon = "9h"
interval = "30min"
replications = 2
seed = 15
[channels.phone]
arrivals = { rate = "130/h" }
handle_time = { dist = "lognormal", mean = "200s", cv = 0.8 }
patience = { dist = "exponential", mean = "150s" }
[agents.phone]
serves = ["phone"]
interval = "30min"
count = [3, 6, 8, 8, 2, 2, 7, 9, 4, 1, 1, 5, 6, 6, 3, 8, 2, 4]
"""


def tables(res) -> dict[str, pd.DataFrame]:
    return {"contacts": res.contacts, "intervals": res.intervals, "agents": res.agents,
            "replications": res.replications}


@pytest.mark.parametrize("text", [ABANDONMENT, SHIFTS, NO_PATIENCE, CLASSES, RANKED, OVERLOADED, LINE_SHIFTS],
                         ids=["abandonment", "shifts", "no_patience", "classes", "ranked", "overloaded", "line_shifts"])
def test_fast_path_tables_equal_simpy(text, tmp_path: Path, monkeypatch):
    path = tmp_path / "plain.toml"
    path.write_text(text)
    sc = sim.load_scenario(path)
    used = []
    real_run = Model.run

    def spy(self):
        out = real_run(self)
        used.append(isinstance(self.env, Clock))
        return out

    monkeypatch.setattr(Model, "run", spy)
    fast = tables(sim.run(sc))
    assert used and all(used), "the plain configuration did not take the fast path"
    used.clear()
    monkeypatch.setattr(Model, "fast_path", False)
    slow = tables(sim.run(sc))
    assert used and not any(used)
    assert (fast["contacts"]["outcome"] == "abandoned").any() or text is NO_PATIENCE
    for name in fast:
        pd.testing.assert_frame_equal(fast[name], slow[name], check_exact=True, obj=name)


def test_a_feature_keeps_simpy(tmp_path: Path):
    """A scenario with a feature attached (here the phone funnel's lines) runs on the kernel's event loop."""
    path = tmp_path / "lines.toml"
    path.write_text(ABANDONMENT.replace('[channels.phone]\n', '[channels.phone]\nlines = 6\n'))
    sc = sim.load_scenario(path)
    from sim.engine import Model as Engine

    m = Engine(sc, 0, sc.run.seed)
    m.run()
    assert not isinstance(m.env, Clock)


@pytest.mark.parametrize("before", [0, 3, 1024, 1500])
@pytest.mark.parametrize("n", [0, 1, 1023, 1024, 1025, 2048, 3000])
def test_draws_in_a_block_are_the_draws_one_by_one(n, before):
    """``Draws.take(n)`` (the fast path's customer attributes) gives the values of ``n`` calls of ``next`` and leaves
    the stream where they would: the next draws are the same too."""
    import numpy as np

    from sim.distributions import Draws, Lognormal

    law = Lognormal.from_mean_cv(240.0, 0.7)
    a, b = Draws(law, np.random.default_rng(5)), Draws(law, np.random.default_rng(5))
    assert [a.next() for _ in range(before)] == [b.next() for _ in range(before)]
    assert a.take(n).tolist() == [b.next() for _ in range(n)]
    assert [a.next() for _ in range(2100)] == [b.next() for _ in range(2100)]


# Everything on a grid of seconds: deterministic times, arrivals put on whole multiples of 5 s (some at one instant),
# seats changing on the half-hours; arrivals, ends of work and wrap-up, deadlines and staffing changes meet at one
# instant all the time, so the order of events of one instant decides the tables.
GRID = """
schema = 1
[run]
horizon = "3h"
interval = "30min"
seed = 3
[channels.phone]
arrivals = { rate = "240/h" }
handle_time = { dist = "deterministic", value = "40s" }
patience = { dist = "deterministic", value = "20s" }
ivr_time = { dist = "deterministic", value = "10s" }
[channels.chat]
mode = "queue"
arrivals = { rate = "60/h" }
handle_time = { dist = "deterministic", value = "60s" }
patience = { dist = "deterministic", value = "30s" }
[agents.desk]
serves = ["phone", "chat"]
interval = "30min"
count = [2, 3, 1, 3, 2, 2]
wrap_up = { dist = "deterministic", value = "10s" }
[agents.chat]
serves = ["chat"]
count = 1
"""


def test_events_of_one_instant_run_in_simpy_order(tmp_path: Path):
    """Both loops on arrival times put on a grid (``Feed.times`` set before the run): the contacts tables are equal,
    and the grid does make events meet (abandonments at the very instant an agent frees up)."""
    import numpy as np

    path = tmp_path / "grid.toml"
    path.write_text(GRID)
    sc = sim.load_scenario(path)
    books = []
    for fast in (True, False):
        m = Model(sc, 0, sc.run.seed)
        m.fast_path = fast
        for k, feed in enumerate(m.feeds):
            t = np.round(np.asarray(feed.times) / 5.0) * 5.0
            feed.times = np.sort(t + 5.0 * k).tolist()  # instants repeated, and shared with the other feed
        books.append(m.run()["contacts"].frame())
        assert isinstance(m.env, Clock) is fast
    fast_t, slow_t = books
    pd.testing.assert_frame_equal(fast_t, slow_t, check_exact=True)
    ab = fast_t[fast_t["outcome"] == "abandoned"]
    assert len(ab) and ab["end_at_s"].isin(fast_t["answer_at_s"]).any()  # a deadline met an agent freeing up


# The simplest centre on a grid: one line, one group, seats changing on the half-hours.
LINE_GRID = """
schema = 1
[run]
horizon = "3h"
interval = "30min"
seed = 5
[channels.phone]
arrivals = { rate = "200/h" }
handle_time = { dist = "deterministic", value = "40s" }
patience = { dist = "deterministic", value = "20s" }
[agents.desk]
serves = ["phone"]
interval = "30min"
count = [2, 3, 1, 3, 2, 2]
"""


def test_one_line_events_of_one_instant_run_in_simpy_order(tmp_path: Path, monkeypatch):
    """One line served by one group (``sim.core.fast_line``), arrival times on a grid of 5 s: both loops' contacts
    tables are equal, and deadlines meet agents freeing up."""
    import numpy as np

    import sim.core.fast as fast_path

    lines = []
    real_line = fast_path.run_line
    monkeypatch.setattr(fast_path, "run_line", lambda *a: lines.append(1) or real_line(*a))
    path = tmp_path / "line_grid.toml"
    path.write_text(LINE_GRID)
    sc = sim.load_scenario(path)
    books = []
    for fast in (True, False):
        m = Model(sc, 0, sc.run.seed)
        m.fast_path = fast
        m.feeds[0].times = (np.round(np.asarray(m.feeds[0].times) / 5.0) * 5.0).tolist()
        books.append(m.run()["contacts"].frame())
        assert isinstance(m.env, Clock) is fast
    fast_t, slow_t = books
    assert lines == [1]
    pd.testing.assert_frame_equal(fast_t, slow_t, check_exact=True)
    ab = fast_t[fast_t["outcome"] == "abandoned"]
    assert len(ab) and ab["end_at_s"].isin(fast_t["answer_at_s"]).any()
