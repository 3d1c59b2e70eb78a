"""Conversations write their records as the run goes (``sim.social.records.ThreadBook``).

Part-way through a run (a callback on the model's clock), the record book already holds a ``social_threads`` row for
every post that has reached the brand and a ``messages`` row for every message that has ended; what it holds then for a
conversation that has ended, and every message row, is what the finished tables say. Messaging (``retail_social``) and
the session mode (``study_social_day``). About 2 s.
"""
from __future__ import annotations

from pathlib import Path

import pytest

import sim
from sim.engine import Model

ROOT = Path(__file__).resolve().parents[1]
THREAD_CELLS = ("contact_id", "exchanges", "first_response_s", "resolved_at_s", "work_s")


def snapshot(book, posts):
    """What the book holds now: every messages row, and the thread and contact cells of conversations that ended."""
    msgs, threads = book["messages"], book["social_threads"]
    ended = [p for p in posts if p.outcome is not None]
    return {
        "n_posts": len(posts), "n_threads": len(threads),
        "messages": {name: list(msgs.data[name]) for name in msgs.columns},
        "threads": {p.row: {c: threads.data[c][p.row] for c in THREAD_CELLS} for p in ended},
        "outcome": {p.id: p.outcome for p in ended},
    }


@pytest.mark.parametrize("name,horizon,mid_h", [("retail_social", "12h", 10), ("study_social_day", "30h", 15)])
def test_rows_are_written_while_the_run_goes(name, horizon, mid_h):
    sc = sim.load_scenario(ROOT / "scenarios" / f"{name}.toml", overrides={"run.horizon": horizon})
    model = Model(sc, 0, sc.run.seed)
    social = model.parts["social"]
    seen = {}
    model.schedule(mid_h * 3600.0, lambda ev: seen.update(snapshot(model.book, social.posts)))
    book = model.run()
    assert seen["n_posts"] > 20 and len(seen["threads"]) > 10, "too little happened by then to check anything"
    assert seen["n_threads"] == seen["n_posts"]  # one thread row per post that reached the brand, at once
    n_mid = len(seen["messages"]["contact_id"])
    assert n_mid > 20
    frames = book.frames()
    msgs = frames["messages"]
    threads = frames["social_threads"].set_index("contact_id", drop=False)
    contacts = frames["contacts"].set_index("contact_id")
    table = book["messages"]
    for col, values in seen["messages"].items():  # message rows are never rewritten once written
        assert table.data[col][:n_mid] == values, col
    assert len(msgs) >= n_mid
    for row, cells in seen["threads"].items():  # an ended conversation's row is final when it ends
        final = threads.iloc[row]
        for c, v in cells.items():
            assert final[c] == v or (v != v and final[c] != final[c]), (row, c)
    for pid, outcome in seen["outcome"].items():
        assert contacts.loc[pid, "outcome"] == outcome
