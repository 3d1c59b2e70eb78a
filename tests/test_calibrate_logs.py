"""Reading call logs: the Technion format (shipped March 1999) and the generic CSV; malformed and unreadable input."""
from __future__ import annotations

import gzip
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.calibrate import read_csv_log, read_log, read_technion, shipped_march_1999, write_csv_log
from sim.calibrate.durations import fit_handle
from sim.calibrate.fit import fit_calls
from sim.errors import InputError

MARCH = shipped_march_1999()
HEADER = ("vru+line\tcall_id\tcustomer_id\tpriority\ttype\tdate\tvru_entry\tvru_exit\tvru_time\tq_start\tq_exit\tq_time"
          "\toutcome\tser_start\tser_exit\tser_time\tserver")


@pytest.fixture(scope="module")
def march():
    return read_log(MARCH, format="technion")


@pytest.fixture(scope="module")
def raw_march():
    return pd.read_csv(MARCH, sep="\t")


def test_shipped_march_is_package_data():
    assert MARCH.is_file() and MARCH.name == "anonymous_bank_1999_03.txt.gz"
    readme = MARCH.with_name("README.md").read_text()
    assert "Avi Mandelbaum and the Technion SEE Lab" in readme


def test_march_every_row_accounted_for(march, raw_march):
    rep = march.report
    assert rep.rows_read == len(raw_march) == 38801
    assert rep.dropped["PHANTOM (system artefact)"] == int((raw_march["outcome"] == "PHANTOM").sum())
    assert rep.malformed == []
    assert rep.rows_used + sum(rep.dropped.values()) == rep.rows_read
    assert rep.used["served"] == int((raw_march["outcome"] == "AGENT").sum())
    hang = raw_march["outcome"] == "HANG"
    assert rep.used["abandoned"] == int((hang & (raw_march["q_time"] > 0)).sum())
    assert rep.used["abandoned_ivr"] == int((hang & (raw_march["q_time"] == 0)).sum())
    assert rep.notes["negative vru_time (IVR time unknown)"] == int((raw_march["vru_time"] < 0).sum())
    text = rep.text()
    assert "PHANTOM" in text and "malformed (skipped) 0" in text


def test_march_calls_are_normalised(march, raw_march):
    c = march.calls
    assert len(c) == march.report.rows_used
    assert c["arrival_at"].is_monotonic_increasing
    served = c[c["outcome"] == "served"]
    assert (served["handle_s"] >= 0).all() and served["answer_at"].notna().all()
    assert ((served["end_at"] - served["answer_at"]).dt.total_seconds() == served["handle_s"]).all()
    assert (c.loc[c["outcome"] == "abandoned_ivr", "wait_s"] == 0).all()
    assert c.loc[c["ivr_s"].isna()].shape[0] == int((raw_march["vru_time"] < 0).sum())
    # services past midnight land on the next day
    late = served[served["end_at"].dt.date > served["arrival_at"].dt.date]
    assert len(late) == march.report.notes["service ran past midnight"] > 0
    # the mean wait of queued non-phantom calls matches the raw rows
    raw = raw_march[(raw_march["outcome"] != "PHANTOM") & (raw_march["q_time"] > 0)]
    assert c.loc[c["wait_s"] > 0, "wait_s"].mean() == pytest.approx(raw["q_time"].mean(), rel=1e-12)


def test_march_handle_time_matches_data_readme(raw_march):
    """Served calls of >= 10 s: lognormal log-mean 4.83, log-sd 0.96, KS about 0.015 (data README, from raw rows)."""
    agent = raw_march[(raw_march["outcome"] == "AGENT") & (raw_march["ser_time"] >= 10)]["ser_time"].to_numpy(float)
    logs = np.log(agent)
    mu, sd = logs.mean(), logs.std(ddof=1)
    assert round(mu, 2) == 4.83 and round(sd, 2) == 0.96
    calls = read_log(MARCH).calls
    fit = fit_calls(calls, days="1999-03-01..1999-03-31", bootstrap=20)
    h = fit.handle
    assert h.long.n == len(agent)
    assert h.long.mu == pytest.approx(mu, abs=1e-9) and h.long.sigma == pytest.approx(sd, abs=1e-9)
    assert abs(h.long.ks - 0.015) < 0.002
    assert h.short_share == pytest.approx(1 - len(agent) / int((raw_march["outcome"] == "AGENT").sum()), abs=1e-12)
    assert h.ks_mixture < h.ks_single  # the short mode matters
    assert fit_handle(agent).long.mu == pytest.approx(mu)


def _technion_rows(lines: list[str], path, gz: bool = True):
    text = "\n".join([HEADER] + lines) + "\n"
    if gz:
        with gzip.open(path, "wt") as fh:
            fh.write(text)
    else:
        path.write_text(text)
    return path


GOOD = [
    "AA0101\t1\t0\t0\tPS\t990301\t7:19:13\t7:19:23\t10\t0:00:00\t0:00:00\t0\tAGENT\t7:19:22\t7:19:29\t7\tNO_SERVER",
    "AA0101\t2\t0\t0\tNW\t990301\t8:35:34\t8:35:43\t9\t8:35:43\t8:36:25\t42\tAGENT\t8:36:24\t8:38:22\t118\tMIKI",
    "AA0101\t3\t0\t0\tNW\t990301\t8:48:28\t8:48:37\t9\t8:48:37\t8:50:14\t97\tHANG\t0:00:00\t0:00:00\t0\tNO_SERVER",
    "AA0101\t4\t0\t0\tPS\t990301\t0:14:46\t0:15:01\t15\t0:00:00\t0:00:00\t0\tHANG\t0:00:00\t0:00:00\t0\tNO_SERVER",
    "AA0101\t5\t7\t2\tPS\t990301\t23:56:36\t23:56:42\t6\t23:56:42\t23:57:19\t37\tAGENT\t23:57:18\t0:00:29\t191\tGELBER",
    "AA0101\t6\t0\t0\tPS\t990301\t9:10:19\t9:10:31\t12\t0:00:00\t0:00:00\t0\tPHANTOM\t9:10:30\t9:10:33\t3\tNO_SERVER",
]
BAD = {
    "date is not yymmdd": "AA0101\t7\t0\t0\tPS\t991341\t9:00:00\t9:00:10\t10\t0:00:00\t0:00:00\t0\tHANG\t0:00:00\t0:00:00\t0\tNO_SERVER",
    "vru_entry is not a clock time H:MM:SS": "AA0101\t8\t0\t0\tPS\t990301\t9:6x:00\t9:00:10\t10\t0:00:00\t0:00:00\t0\tHANG\t0:00:00\t0:00:00\t0\tNO_SERVER",
    "negative q_time": "AA0101\t9\t0\t0\tPS\t990301\t9:00:00\t9:00:10\t10\t9:00:10\t9:00:05\t-5\tHANG\t0:00:00\t0:00:00\t0\tNO_SERVER",
    "unknown outcome": "AA0101\t10\t0\t0\tPS\t990301\t9:00:00\t9:00:10\t10\t0:00:00\t0:00:00\t0\tBUSY\t0:00:00\t0:00:00\t0\tNO_SERVER",
    "ser_time is not a whole number": "AA0101\t11\t0\t0\tPS\t990301\t9:00:00\t9:00:10\t10\t0:00:00\t0:00:00\t0\tAGENT\t9:00:10\t9:01:00\tabc\tMIKI",
}


def test_technion_malformed_rows_counted_with_line_numbers(tmp_path):
    lines = GOOD[:3] + [BAD["date is not yymmdd"]] + GOOD[3:] + list(BAD.values())[1:]
    path = _technion_rows(lines, tmp_path / "bad.txt.gz")
    log = read_technion(path)
    rep = log.report
    assert rep.rows_read == len(lines)
    found = {line: reason for _, line, reason in rep.malformed}
    # header is line 1: the bad date is the 4th data row -> line 5; the others are the last four rows
    assert found[5] == "date is not yymmdd"
    last = len(lines) + 1  # line number of the last data row
    assert "vru_entry" in found[last - 3] and "ser_time" in found[last]
    assert found[last - 2].startswith("negative q_time")
    assert found[last - 1].startswith("unknown outcome")
    assert len(rep.malformed) == len(BAD)
    assert rep.dropped["PHANTOM (system artefact)"] == 1
    assert len(log.calls) == len(GOOD) - 1
    assert dict(rep.used) == {"served": 3, "abandoned": 1, "abandoned_ivr": 1}
    late = log.calls[log.calls["line"] == 7].iloc[0]  # GOOD[4] is data row 6 (after the bad date) -> line 7
    assert late["answer_at"] == pd.Timestamp("1999-03-01 23:57:19")  # q_start 23:56:42 + q_time 37 s
    assert late["end_at"] == pd.Timestamp("1999-03-02 00:00:30")  # + ser_time 191 s: past midnight, the next day
    assert "line" in rep.text() and "bad.txt.gz:5" in rep.text()
    with pytest.raises(InputError) as err:
        read_technion(path, strict=True)
    msg = str(err.value)
    assert "bad.txt.gz" in msg and "line 5: date is not yymmdd" in msg and "5 malformed" in msg


def test_unreadable_and_empty_files(tmp_path):
    with pytest.raises(InputError, match="missing.txt.gz: not a readable file"):
        read_log(tmp_path / "missing.txt.gz")
    junk = tmp_path / "junk.txt.gz"
    junk.write_bytes(b"\x00\x01 not gzip at all \xff" * 10)
    with pytest.raises(InputError, match="junk.txt.gz: cannot be read"):
        read_log(junk)
    header_only = _technion_rows([], tmp_path / "empty.txt", gz=False)
    with pytest.raises(InputError, match="empty.txt: no usable rows"):
        read_log(header_only)
    only_bad = _technion_rows([BAD["unknown outcome"]], tmp_path / "onlybad.txt", gz=False)
    with pytest.raises(InputError, match="no usable rows .*1 malformed"):
        read_log(only_bad)
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("a\tb\n1\t2\n")
    with pytest.raises(InputError, match="wrong.txt: expected a Technion call log.*missing vru\\+line"):
        read_log(wrong)
    with pytest.raises(InputError, match="log format"):
        read_log(wrong, format="xml")


CSV_TEXT = """arrival_at,queue_at,answer_at,end_at,outcome,agent,type,priority,extra
2024-05-06 09:00:00,2024-05-06 09:00:10,2024-05-06 09:01:00,2024-05-06 09:05:00,served,ann,billing,1,x
2024-05-06 09:02:00,2024-05-06 09:02:05,,2024-05-06 09:04:05,abandoned,,billing,0,x
2024-05-06 09:03:00,,,2024-05-06 09:03:40,abandoned_ivr,,,,x
2024-05-06 09:04:00,2024-05-06 09:04:08.5,2024-05-06 09:04:08.5,2024-05-06 09:10:00,served,bob,sales,2,x
2024-05-06 09:05:00,2024-05-06 09:05:10,2024-05-06 09:06:00,2024-05-06 09:05:30,served,ann,sales,0,x
2024-05-06 09:06:00,2024-05-06 09:06:10,,,served,ann,sales,0,x
2024-05-06 25:00:00,,,,abandoned_ivr,,,,x
2024-05-06 09:07:00,2024-05-06 09:07:10,,2024-05-06 09:08:00,hung_up,,,0,x
2024-05-06 09:08:00,2024-05-06 09:08:10,,2024-05-06 09:09:00,abandoned,,,high,x
"""


def test_generic_csv_reads_outcomes_durations_and_malformed_rows(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text(CSV_TEXT)
    log = read_csv_log(path)
    c = log.calls
    assert list(c["outcome"].astype(str)) == ["served", "abandoned", "abandoned_ivr", "served"]
    assert list(c["ivr_s"]) == [10.0, 5.0, 40.0, 8.5]
    assert list(c["wait_s"]) == [50.0, 120.0, 0.0, 0.0]
    assert list(c["handle_s"]) == [240.0, 0.0, 0.0, 351.5]
    assert list(c["priority"]) == [1, 0, 0, 2]
    reasons = {line: r for _, line, r in log.report.malformed}
    assert reasons == {6: "negative duration: end_at before answer_at", 7: "served without answer_at and end_at",
                       8: "arrival_at is not a date-time YYYY-MM-DD HH:MM:SS",
                       9: reasons[9], 10: "priority is not a whole number"}
    assert reasons[9].startswith("unknown outcome")
    assert any("columns ignored: extra" in k for k in log.report.notes)
    with pytest.raises(InputError, match="log.csv: 5 malformed"):
        read_csv_log(path, strict=True)


def test_generic_csv_without_queue_column(tmp_path):
    path = tmp_path / "noq.csv"
    path.write_text("arrival_at,answer_at,end_at,outcome\n2024-05-06 09:00:00,2024-05-06 09:00:30,"
                    "2024-05-06 09:03:30,served\n2024-05-06 09:01:00,,2024-05-06 09:02:00,abandoned\n")
    c = read_log(path, format="csv").calls
    assert list(c["wait_s"]) == [30.0, 60.0] and list(c["handle_s"]) == [180.0, 0.0]
    assert c["ivr_s"].isna().all()


def test_technion_to_generic_csv_round_trip(march, tmp_path):
    day = march.calls[march.calls["arrival_at"].dt.date == pd.Timestamp("1999-03-03").date()]
    out = write_csv_log(day, tmp_path / "day.csv.gz")
    back = read_log(out, format="csv").calls
    assert len(back) == len(day)
    for col in ("arrival_at", "answer_at", "end_at"):
        assert (back[col].fillna(pd.Timestamp(0)).to_numpy() == day[col].fillna(pd.Timestamp(0)).to_numpy()).all()
    assert (back["outcome"].astype(str).to_numpy() == day["outcome"].astype(str).to_numpy()).all()
    assert np.allclose(back["wait_s"], day["wait_s"]) and np.allclose(back["handle_s"], day["handle_s"])


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 80000), st.floats(0, 60), st.floats(0, 900), st.floats(0.001, 3000),
                          st.sampled_from(["served", "abandoned", "abandoned_ivr"]), st.integers(0, 3)),
                min_size=1, max_size=30))
def test_generic_csv_round_trip_property(tmp_path_factory, rows):
    """Durations survive writing and reading the generic CSV (microsecond resolution)."""
    base = pd.Timestamp("2024-01-01")
    recs = []
    for t, ivr, wait, handle, outcome, prio in rows:
        arrival = base + pd.Timedelta(seconds=t)
        q = arrival + pd.Timedelta(seconds=ivr)
        if outcome == "served":
            a = q + pd.Timedelta(seconds=wait)
            recs.append((arrival, q, a, a + pd.Timedelta(seconds=handle), outcome, prio))
        elif outcome == "abandoned":
            recs.append((arrival, q, pd.NaT, q + pd.Timedelta(seconds=wait), outcome, prio))
        else:
            recs.append((arrival, pd.NaT, pd.NaT, q, outcome, prio))
    calls = pd.DataFrame(recs, columns=["arrival_at", "queue_at", "answer_at", "end_at", "outcome", "priority"])
    path = tmp_path_factory.mktemp("rt") / "x.csv"
    back = read_csv_log(write_csv_log(calls, path)).calls
    assert back["outcome"].astype(str).tolist() == calls["outcome"].tolist()
    assert back["priority"].tolist() == calls["priority"].tolist()
    for i, (_t, ivr, wait, handle, outcome, _) in enumerate(rows):
        r = back.iloc[i]
        assert math.isclose(r["ivr_s"], ivr, abs_tol=2e-6)
        if outcome != "abandoned_ivr":
            assert math.isclose(r["wait_s"], wait, abs_tol=2e-6)
        if outcome == "served":
            assert math.isclose(r["handle_s"], handle, abs_tol=2e-6)
