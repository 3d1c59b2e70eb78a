"""The record book's writers (``sim.core.records``): every way of adding rows gives the same table, in the declared
dtypes, with labels coded once and missing values where a column was not given."""
import numpy as np
import pandas as pd
import pytest

from sim.core import Column, RecordBook

COLS = (
    Column("contact_id", "int64", key=True),
    Column("stage", "category", categories=("ivr", "queue", "service")),
    Column("queue", "category"),
    Column("start_at_s", "float64", "s since t=0"),
    Column("resolved", "boolean"),
    Column("note", "object"),
)
ROWS = [dict(contact_id=1, stage="ivr", queue="sales", start_at_s=0.5, resolved=True, note="a"),
        dict(contact_id=2, stage="queue", queue="billing", start_at_s=None, resolved=None, note=None),
        dict(contact_id=3, stage=None, queue="sales", start_at_s=2.0, resolved=False, note="c")]


def by_append() -> pd.DataFrame:
    t = RecordBook().table("t", columns=COLS)
    for r in ROWS:
        t.append(**r)
    return t.frame()


def test_appender_matches_append_and_fills_columns_not_named():
    book = RecordBook()
    t = book.table("t", columns=COLS[:4])
    w = t.appender("contact_id", "stage", "queue", "start_at_s")
    book.table("t", columns=COLS[4:])  # declared after the writer was made: the writer still fills them
    rows = [w(r["contact_id"], r["stage"], r["queue"], r["start_at_s"]) for r in ROWS]
    assert rows == [0, 1, 2]
    got = t.frame()
    want = by_append().assign(resolved=pd.array([None] * 3, dtype="boolean"), note=[None] * 3)
    pd.testing.assert_frame_equal(got, want)
    assert list(got["queue"].cat.categories) == ["billing", "sales"]
    with pytest.raises(ValueError, match="closed set of stage"):
        w(4, "menu", "sales", 1.0)


def test_in_place_writes_and_arrays():
    t = RecordBook().table("t", columns=COLS)
    code = t.coder("queue")
    n = len(ROWS)
    t.extend_arrays(n, contact_id=np.array([1, 2, 3]),
                    stage=np.array([t.code("stage", r["stage"]) for r in ROWS]),
                    queue=np.array([code(r["queue"]) for r in ROWS]),
                    start_at_s=np.array([0.5, np.nan, 2.0]),
                    resolved=np.array([True, None, False], dtype=object), note=np.array(["a", None, "c"], dtype=object))
    pd.testing.assert_frame_equal(t.frame(), by_append())
    t.append(contact_id=4, stage="service")  # a row after arrays: the columns become lists again
    col = t.column("start_at_s")
    col[3] = 7.0
    t.set(3, queue="billing")
    tail = t.frame().iloc[3]
    assert (tail["contact_id"], tail["stage"], tail["queue"], tail["start_at_s"]) == (4, "service", "billing", 7.0)
    assert t.frame()["resolved"].dtype == "boolean" and len(t) == 4


def test_column_default_fills_rows_no_writer_names():
    t = RecordBook().table("c", ("id",), (Column("id", "int64"), Column("cause", "int64", default=-1),
                                          Column("flag", "bool", default=False)))
    t.appender("id")(7)
    t.append(id=8, cause=3)
    t.extend_arrays(1, id=np.array([9]))
    df = t.frame()
    assert df["cause"].tolist() == [-1, 3, -1] and df["flag"].tolist() == [False, False, False]
    assert df["cause"].dtype == np.int64 and df["flag"].dtype == bool
    with pytest.raises(ValueError, match="category"):
        Column("k", "category", default="a")


def test_join_block_remaps_codes_and_keeps_values():
    from sim.core import Table
    from sim.social.records import join_block

    cols = (Column("id", "int64"), Column("queue", "category"), Column("ok", "boolean"), Column("x", "float64"),
            Column("outcome", "category", categories=("served", "open")))
    table, block = Table("c", ("id",), cols), Table("c", ("id",), cols)
    table.append(id=1, queue="b", ok=True, x=1.0, outcome="open")
    for i, (q, ok, o) in enumerate([("c", None, "served"), ("a", False, None), ("b", True, "open")]):
        block.append(id=10 + i, queue=q, ok=ok, x=float(i), outcome=o)
    want = pd.concat([table.frame(), block.frame()], ignore_index=True)
    join_block(table, block)
    got = table.frame()
    assert got["queue"].astype(object).tolist() == ["b", "c", "a", "b"]
    assert list(got["queue"].cat.categories) == ["a", "b", "c"]
    assert got["outcome"].astype(object).where(got["outcome"].notna(), None).tolist() == ["open", "served", None,
                                                                                          "open"]
    assert got["ok"].tolist() == [True, pd.NA, False, True] and str(got["ok"].dtype) == "boolean"
    pd.testing.assert_series_equal(got["x"], want["x"])
    pd.testing.assert_series_equal(got["id"], want["id"])
