"""Priority credit: the kernel's head-start queue discipline (``Queue.use_credit``), the channel key ``classes``
(per-class share, credit and patience), and the credit fitted back from simulated records. About 3 s."""
from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.calibrate.credit import credit_from_contacts
from sim.core import Contact, Queue
from sim.errors import ScenarioError


def contact(i: int, enqueued: float, priority: int) -> Contact:
    c = Contact(i, "phone", enqueued, 1.0, np.inf, 0.0)
    c.enqueued, c.priority, c.waiting = enqueued, priority, True
    return c


def test_a_head_start_is_not_strict_priority():
    q = Queue("phone", "phone")
    q.use_credit({2: 90.0})
    early1, soon2, late2 = contact(1, 0.0, 1), contact(2, 60.0, 2), contact(3, 200.0, 2)
    for c in (early1, soon2, late2):
        q.push(c, c.priority)
    assert [q.pop().id, q.pop().id, q.pop().id] == [2, 1, 3]  # 60 − 90 < 0 < 200 − 90
    assert q.pop() is None and q.n == 0


def scenario(credit: str = "90s", count: int = 13, patience2: dict | None = None, horizon: str = "6h") -> dict:
    two = {"share": 0.4, "credit": credit}
    if patience2:
        two["patience"] = patience2
    return {"schema": 1, "run": {"horizon": horizon, "replications": 1, "seed": 2},
            "channels": {"phone": {"arrivals": {"rate": "200/h"},
                                   "handle_time": {"dist": "exponential", "mean": "240s"},
                                   "patience": {"dist": "exponential", "mean": "600s"},
                                   "classes": {"1": {"share": 0.6}, "2": two}}},
            "agents": {"phone": {"serves": ["phone"], "count": count}}}


@pytest.mark.parametrize("credit", [90.0, 30.0, 0.0])
def test_records_simulated_with_a_credit_give_it_back(credit):
    res = sim.run(sim.parse_scenario(scenario(f"{credit:g}s")))
    fit = credit_from_contacts(res.contacts)
    assert fit.violated == 0 and fit.pairs > 200
    assert fit.low_s <= credit <= fit.high_s and fit.high_s - fit.low_s < 10.0  # the bracket is exact
    w = res.contacts.groupby("priority")["wait_s"].mean()
    assert (w[2] < w[1]) == (credit > 0)


def test_each_class_draws_its_own_patience():
    """No agents: every caller hangs up when their patience runs out, so waits are the patience draws."""
    res = sim.run(sim.parse_scenario(scenario(count=0, patience2={"dist": "exponential", "mean": "100s"},
                                              horizon="10h")))
    c = res.contacts
    for cls, mean in ((1, 600.0), (2, 100.0)):
        w = c.loc[c["priority"] == cls, "wait_s"].to_numpy()
        assert abs(w.mean() - mean) <= 4 * w.std(ddof=1) / np.sqrt(len(w)), (cls, w.mean())
    assert abs((c["priority"] == 2).mean() - 0.4) <= 4 * np.sqrt(0.24 / len(c))


@pytest.mark.parametrize("change, key, says", [
    (lambda ch: ch["classes"]["2"].update(share=0.5), "channels.phone.classes", "sum to 1"),
    (lambda ch: ch["classes"].update(gold={"share": 0.1}), "channels.phone.classes.gold", "class number"),
    (lambda ch: ch["classes"]["2"].update(credit="soon"), "channels.phone.classes.2.credit", "duration"),
    (lambda ch: ch.update(lines=20), "channels.phone.classes", "plain queue"),
])
def test_bad_classes_are_one_line_naming_the_key(change, key, says):
    raw = scenario()
    change(raw["channels"]["phone"])
    with pytest.raises(ScenarioError) as e:
        sim.parse_scenario(raw, source="s.toml")
    lines = [ln for ln in str(e.value).splitlines() if key + ":" in ln or key + " " in ln]
    assert len(lines) == 1 and says in lines[0], str(e.value)
