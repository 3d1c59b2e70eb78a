"""The record book's tables (docs/architecture.md, "Tables").

- Every value survived the move to one schema per table: the old-format tables of two short shipped-scenario runs,
  made by the code at 5654567 (``tests/data/records_5654567``: ``retail_reputation`` 12 h, phone funnel, messaging and
  reputation; ``study_social_day`` 30 h, session-mode conversations; ``retail_social`` 12 h, a plain phone queue beside
  messaging), are mapped row by row to the new tables and every old value is found in its new place. The only
  rewrites: an email's reach is 0, not missing; a menu stage's option label moved from ``result`` to ``option``, its
  result is ``next``; a plain contact's ``resolved`` (missing without a funnel) is "served", the value every reader
  already gave a missing one (``sim.horizons``). The per-replication metrics keep every old row; the next-try
  feature (``sim.next_try``, merged later) adds its own.
- On every shipped scenario (short horizon, one replication): each record-book table has exactly its declared columns
  in their declared dtypes, and no column is missing for every row of one channel unless it is declared sparse
  (missing where an event did not happen: never answered, not caused, …). The interval tables (``intervals``,
  ``funnel_intervals``, ``social_intervals``) hold no feature column in ``intervals``, the funnel's rows only for its
  channels, and no column missing for every row of a channel unless it is a ratio whose denominator is 0 on every
  such row (0/0 in that run).

About 35 s on one core (a 1-day run of every shipped scenario, three short mapped runs).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.core import CONTACT_COLUMNS
from sim.extensions import FEATURES
from sim.funnel.legs import STAGES
from sim.metrics import COUNT_COLUMNS, ratio_parts
from sim.next_try import METRICS as NEXT_TRY_COLUMNS
from sim.social.thread_records import MESSAGING_COLUMNS
from tests.fingerprint import scenario_files

OLD = Path(__file__).parent / "data" / "records_5654567"
RUNS = {"retail_reputation": "12h", "study_social_day": "30h", "retail_social": "12h"}
NEXT_TRY_METRICS = set(NEXT_TRY_COLUMNS)  # per-replication metrics added since 5654567


def run(name: str, horizon: str) -> sim.Results:
    sc = sim.load_scenario(Path(__file__).parents[1] / "scenarios" / f"{name}.toml",
                           overrides={"run.horizon": horizon})
    return sim.run(sc, replications=1)


def same(old: pd.Series, new: pd.Series, what: str) -> None:
    """Equal values, missing where missing (dtypes may differ: a column of one kind of row needs no NA)."""
    o, n = old.astype(object).to_numpy(), new.astype(object).to_numpy()
    assert len(o) == len(n), what
    miss_o = pd.isna(old).to_numpy()
    miss_n = pd.isna(new).to_numpy()
    assert (miss_o == miss_n).all(), f"{what}: missing values differ in {int((miss_o != miss_n).sum())} rows"
    keep = ~miss_o
    if pd.api.types.is_float_dtype(old.dtype):
        assert np.allclose(old.to_numpy(float)[keep], new.to_numpy(float)[keep], rtol=0, atol=1e-9), what
    else:
        bad = [(a, b) for a, b in zip(o[keep], n[keep]) if a != b]
        assert not bad, f"{what}: {len(bad)} values differ, e.g. {bad[:3]}"


@pytest.mark.parametrize("name", sorted(RUNS))
def test_every_old_value_survives(name):
    res = run(name, RUNS[name])
    old = {p.stem: pd.read_parquet(p) for p in (OLD / name).glob("*.parquet")}
    view = res.contact_view()

    # contacts: one row each, in the same order; every old column in the contacts table or a kind table
    oc = old["contacts"]
    assert view["contact_id"].tolist() == oc["contact_id"].tolist()
    threads = res.social_threads.set_index("contact_id") if res.social_threads is not None else None
    for col in oc.columns:
        new = view[col]
        if col == "reach":  # an email's reach: 0 (read by the brand only), was missing
            email = (oc["kind"].notna() & oc["reach"].isna()).to_numpy()
            assert (new.to_numpy(float)[email] == 0).all()
            same(oc[col][~email], new[~email], f"{name} contacts.{col}")
            continue
        if col == "resolved":  # a plain contact: served (was missing without a funnel)
            plain = (oc["kind"].isna() & oc["resolved"].isna()).to_numpy() if "kind" in oc else np.zeros(len(oc), bool)
            assert (new[plain].astype(bool) == (oc["outcome"][plain] == "served")).all()
            same(oc[col][~plain], new[~plain], f"{name} contacts.{col}")
            continue
        same(oc[col], new, f"{name} contacts.{col}")
    if threads is not None:  # the kind table holds exactly the conversations
        assert sorted(threads.index) == sorted(oc.loc[oc["kind"].notna(), "contact_id"])
    if res.funnel_calls is not None:
        assert sorted(res.funnel_calls["contact_id"]) == sorted(oc.loc[oc["origin"].notna()
                                                                       & oc["kind"].isna(), "contact_id"])

    # legs: the funnel's stages to legs, the conversations' messages to messages, row for row
    ol = old.get("legs")
    if ol is not None and len(ol):
        funnel = ol["stage"].isin(STAGES).to_numpy()
        of, om = ol[funnel].reset_index(drop=True), ol[~funnel].reset_index(drop=True)
        nl = res.legs
        assert (nl is None and not len(of)) or len(nl) == len(of)
        for col in [] if nl is None else ("contact_id", "leg", "stage", "name", "queue", "agent_group", "agent_id", "start_at_s",
                    "end_at_s", "wrap_up_s"):
            same(of[col], nl[col], f"{name} legs.{col}")
        chose = (of["stage"] == "menu").to_numpy() & (nl is not None) & ~of["result"].isin(["hang_up", "zero_out", "open"]).to_numpy()
        if nl is not None:
            assert (nl["result"].astype(object)[chose] == "next").all()
            same(of["result"][~chose], nl["result"][~chose], f"{name} legs.result")
            same(of["result"][chose], nl["option"][chose], f"{name} legs.option (the menu label)")
            running_menu = (of["stage"] == "menu").to_numpy() & (of["result"] == "open").to_numpy()
            assert nl["option"][~chose & ~running_menu].isna().all()  # (a menu running at the horizon keeps its pick)
        nm = res.messages
        assert len(nm) == len(om)
        for col in ("contact_id", "leg", "stage", "queue", "agent_group", "agent_id", "start_at_s", "end_at_s",
                    "ready_at_s", "open_conversations", "public", "result"):
            same(om[col], nm[col], f"{name} messages.{col}")

    # the agent and reputation tables: unchanged; the old intervals table is intervals with the feature interval
    # tables joined (interval_view: the funnel's counts 0 and its ratios NaN on other channels' rows, as they were)
    for t in ("intervals", "agents", "reputation"):
        if t in old:
            got = res.interval_view() if t == "intervals" else getattr(res, t)
            assert (sorted if t == "intervals" else list)(got.columns) == \
                (sorted if t == "intervals" else list)(old[t].columns), t
            for col in old[t].columns:
                same(old[t][col], got[col], f"{name} {t}.{col}")
    # the per-replication metrics: every old row unchanged; the only rows added since 5654567 are the next-try
    # feature's (sim.next_try: customers and attempts across channels)
    key = ["replication", "channel", "metric"]
    o, g = (d.assign(channel=d["channel"].astype(str)) for d in (old["replications"], res.replications))
    assert list(g.columns) == list(o.columns)
    j = o.merge(g, on=key, how="right", suffixes=("_old", ""), indicator=True)
    added = j[j["_merge"] == "right_only"]
    assert set(added["metric"]) <= NEXT_TRY_METRICS, sorted(set(added["metric"]) - NEXT_TRY_METRICS)
    kept = j[j["_merge"] == "both"]
    assert len(kept) == len(o), f"{name} replications: {len(o) - len(kept)} old rows lost"
    same(kept["value_old"], kept["value"], f"{name} replications.value")


def declared() -> dict[str, dict]:
    """Every record-book table's declared columns (the kernel's contacts and each feature's)."""
    out: dict[str, dict] = {"contacts": {c.name: c for c in CONTACT_COLUMNS}}
    for f in FEATURES:
        for table, cols in f.records.items():
            out.setdefault(table, {}).update({c.name: c for c in cols})
    return out


def kind_of(res: sim.Results, table: str, df: pd.DataFrame) -> np.ndarray:
    """The channel of each row (contacts and contact tables by contact_id)."""
    channel = dict(zip(zip(res.contacts["replication"], res.contacts["contact_id"]),
                       res.contacts["channel"].astype(object)))
    return np.array([channel[k] for k in zip(df["replication"], df["contact_id"])], dtype=object)


@pytest.mark.parametrize("path", scenario_files(), ids=lambda p: p.stem)
def test_declared_dtypes_and_no_column_empty_for_a_channel(path):
    sc = sim.load_scenario(path, overrides={"run.horizon": "1d", "run.warmup": "0s"})
    res = sim.run(sc, replications=1)
    schema = declared()
    derived = {"contacts": {"replication", "wait_s", "handle_s", "impressions", "net_sentiment", "churned"}}
    for table in ("contacts", "funnel_calls", "social_threads", "legs", "messages"):
        df = getattr(res, table)
        if df is None:
            continue
        cols = schema[table]
        expect = (set(cols) - {"handle_draw_s", "queue_entry_at_s"}) | derived.get(table, {"replication"})
        if table == "contacts" and res.reputation is None:
            expect -= {"impressions", "net_sentiment", "churned"}
        if table == "social_threads" and "resolution" not in df:  # mode = "session": no messaging columns
            expect -= {c.name for c in MESSAGING_COLUMNS}
        assert set(df.columns) - expect == set(), f"{table}: undeclared columns"
        assert {c for c in expect if c in cols} - set(df.columns) == set() or table == "contacts", table
        for name, col in cols.items():
            if name not in df:
                continue
            got = df[name].dtype
            want = col.dtype_of()
            if col.dtype == "category":
                assert isinstance(got, pd.CategoricalDtype), f"{table}.{name}: {got}"
                if col.categories is not None:
                    assert list(got.categories) == list(col.categories), f"{table}.{name}"
            else:
                assert str(got) == str(want), f"{table}.{name}: {got}, declared {want}"
        chan = kind_of(res, table, df) if len(df) else np.zeros(0, dtype=object)
        for ch in set(chan):
            rows = df[chan == ch]
            empty = [c for c in rows.columns if rows[c].isna().all() and not (c in cols and cols[c].sparse)
                     and c != "handle_s"]  # (derived: NaN unless served)
            assert not empty, f"{path.stem}: {table} columns missing for every {ch} row: {empty}"
    # the interval tables: the funnel's numbers only in funnel_intervals, on its channels' rows; a column empty for
    # every row of one channel only where it is a ratio whose denominator is 0 on all of them (0/0: no such contact
    # in the run, e.g. no callbacks offered), never because the channel is of another kind
    no_empty_interval_column_for_a_channel(path.stem, res, sc)
    # intervals and the reputation ledger: one row per channel's queue or channel; a count or sum is never missing,
    # only a ratio of two zeros (0/0) may be
    for t in ("intervals", "funnel_intervals", "social_intervals", "agents", "reputation"):
        df = getattr(res, t)
        if df is None:
            continue
        ratios = set(df.columns) - set(df.columns[df.isna().sum() == 0])
        sums = [c for c in ratios if c.endswith(("_count", "_sum", "_sum_s", "_agent_s", "_time_s", "cost",
                                                 "length_s")) or c in COUNT_COLUMNS]
        assert not sums, f"{path.stem}: {t} counts or sums missing: {sums}"


def no_empty_interval_column_for_a_channel(name: str, res: sim.Results, sc) -> None:
    view = res.interval_view()
    parts = {f.intervals.table: f for f in FEATURES if f.intervals is not None}
    feature_columns = {c for f in parts.values() for cs in f.columns.values() for c in cs}
    assert not feature_columns & set(res.intervals.columns), f"{name}: intervals holds a feature's columns"
    funnel = {ch.name for ch in sc.channels.values() if ch.features.get("funnel") is not None}
    if res.funnel_intervals is not None:
        assert set(res.funnel_intervals["channel"].astype(object)) == funnel, name
    if res.social_intervals is not None:  # first response and backlog: every channel (a call's is its answer)
        assert len(res.social_intervals) == len(res.intervals), name
    ratios = ratio_parts(view.columns)
    derived = {"short_abandon_base": view["offered"] - view["abandoned_within_target"],
               "left_queue": view["answered"] + view["abandoned"]}
    for t in ("intervals", *parts):
        df = getattr(res, t)
        if df is None:
            continue
        for ch in set(df["channel"].astype(object)):
            rows = (df["channel"].astype(object) == ch).to_numpy()
            here = (view["channel"].astype(object) == ch).to_numpy()
            for col in [c for c in df.columns if df[c][rows].isna().all()]:
                assert col in ratios, f"{name}: {t}.{col} missing for every {ch} row"
                den = ratios[col][1]
                d = derived[den] if den in derived else view[den]
                assert (d[here] == 0).all(), f"{name}: {t}.{col} missing for every {ch} row, denominator {den} > 0"


def test_docs_list_every_declared_column():
    text = (Path(__file__).parents[1] / "docs" / "architecture.md").read_text()
    tables = text[text.index("## Tables"):text.index("## Randomness")]
    for table, cols in declared().items():
        assert f"**`{table}`**" in tables, table
        missing = [c for c in cols if f"`{c}`" not in tables and c not in ("handle_draw_s", "queue_entry_at_s")]
        assert not missing, f"docs/architecture.md does not describe {table}: {missing}"
