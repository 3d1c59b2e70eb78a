"""The researcher's sweep outputs: numeric parameter columns, missing cost, kept interval tables and extra metrics,
paired differences between design points, and the HTML report opened in a real headless Chromium."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.experiment import load, load_kept, run_sweep
from sim.experiment.paired import differences, neighbour_pairs, resolve_base
from sim.experiment.report import no_paths, write_report
from tests.browser import browser  # noqa: F401 — the fixture
from tests.test_experiment_sweep import TINY

SWEEP = """
[sweep]
name = "team size and patience"
scenario = "tiny.toml"
replications = 3
seed = 7
keep = ["intervals", "wait_p90_s"]
[parameters]
agents.phone.count = [3, 4, 5]
"channels.phone.patience.mean" = ["200s", "10min"]
"channels.phone.arrivals.rate" = "60/h"       # set, but the same at every point: not varied
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    d = tmp_path_factory.mktemp("study")
    (d / "tiny.toml").write_text(TINY)
    (d / "sweep.toml").write_text(SWEEP)
    out = d / "out"
    res = run_sweep(d / "sweep.toml", out, workers=1)
    assert res.finished == 6 * 3 and res.failed == 0
    return d, out


# --- tidy numeric results --------------------------------------------------------------------------------------

def test_load_gives_durations_in_seconds_and_rates_per_hour_beside_the_text(store):
    _, out = store
    t = load(out)
    cols = list(t.columns)
    key = "channels.phone.patience.mean"
    assert cols[cols.index(key) + 1] == f"{key}_s"                       # the twin sits beside the text
    assert dict(zip(t[key], t[f"{key}_s"])) == {"200s": 200.0, "10min": 600.0}
    assert t[f"{key}_s"].dtype == float
    assert set(t["channels.phone.arrivals.rate_per_h"]) == {60.0}
    assert t.attrs["numeric"] == {key: f"{key}_s", "channels.phone.arrivals.rate": "channels.phone.arrivals.rate_per_h"}
    assert pd.api.types.is_integer_dtype(t["agents.phone.count"])           # numbers stay numbers, no twin
    assert "agents.phone.count_s" not in t


def test_cost_is_missing_not_zero_when_no_cost_is_configured(store, tmp_path):
    _, out = store
    t = load(out)
    money = t[t["metric"].isin(["cost", "cost_per_resolved"])]
    assert len(money) and money["value"].isna().all()
    assert t.loc[~t["metric"].isin(["cost", "cost_per_resolved", "wait_p90_s"]), "value"].notna().all()
    # with a cost configured the money is there
    (tmp_path / "tiny.toml").write_text(TINY.replace("count = 4", "count = 4\ncost_per_hour = 30.0"))
    sw = sim.experiment.Sweep.build(tmp_path / "tiny.toml", {"agents.phone.count": [3]}, replications=2, seed=1)
    run_sweep(sw, tmp_path / "out", workers=1)
    cost = load(tmp_path / "out").query("metric == 'cost' and channel == 'all'")["value"]
    assert np.allclose(cost, 3 * 2 * 30.0)                                # 3 agents × 2 h × 30 per hour


def test_a_sweep_keeps_interval_tables_per_run_in_the_same_store(store):
    d, out = store
    iv = load_kept(out, "intervals")
    assert sorted((out / "kept" / "intervals").glob("*.parquet")) and len(iv)
    per_run = iv.groupby(["point", "replication"]).size()
    assert len(per_run) == 18 and per_run.nunique() == 1                   # every run, the same 4 half-hours each
    assert set(iv["interval_start_at_s"]) == {0.0, 1800.0, 3600.0, 5400.0}
    # identical to what a plain run of that point gives
    sc = sim.load_scenario(d / "tiny.toml", {"agents.phone.count": 5, "channels.phone.patience.mean": "10min",
                                             "channels.phone.arrivals.rate": "60/h"})
    direct = sim.run(sc, replications=[2], seed=7).intervals
    mine = iv[(iv["agents.phone.count"] == 5) & (iv["channels.phone.patience.mean"] == "10min")
              & (iv["replication"] == 2)]
    for col in ("offered", "answered", "abandoned", "wait_sum_s"):
        np.testing.assert_array_equal(mine[col].to_numpy(), direct[col].to_numpy())
    assert "channels.phone.patience.mean_s" in iv
    with pytest.raises(sim.InputError, match="keeps: intervals"):
        load_kept(out, "agents")


def test_a_named_extra_metric_is_stored_like_any_metric(store):
    d, out = store
    t = load(out)
    p90 = t[(t["metric"] == "wait_p90_s") & (t["channel"] == "phone")]
    assert len(p90) == 18
    sc = sim.load_scenario(d / "tiny.toml", {"agents.phone.count": 3, "channels.phone.patience.mean": "200s",
                                             "channels.phone.arrivals.rate": "60/h"})
    c = sim.run(sc, replications=[1], seed=7).contacts
    expect = np.percentile(c.loc[c["answer_at_s"].notna(), "wait_s"], 90)
    got = p90[(p90["point"] == 0) & (p90["replication"] == 1)]["value"].iloc[0]
    assert got == pytest.approx(expect)


def test_unknown_keep_names_and_changed_keep_on_resume_are_clear_errors(store, tmp_path):
    d, out = store
    bad = tmp_path / "bad.toml"
    bad.write_text(SWEEP.replace('keep = ["intervals", "wait_p90_s"]', 'keep = ["intervals", "p90"]')
                   .replace("tiny.toml", str(d / "tiny.toml")))
    with pytest.raises(sim.ScenarioError, match=r"sweep.keep\[1\]: expected one of intervals"):
        sim.experiment.load_sweep(bad)
    other = tmp_path / "other.toml"
    other.write_text(SWEEP.replace('keep = ["intervals", "wait_p90_s"]', 'keep = ["intervals"]')
                     .replace("tiny.toml", str(d / "tiny.toml")))
    with pytest.raises(sim.InputError, match="keep"):
        run_sweep(other, out, workers=1, resume=True)


# --- paired differences ----------------------------------------------------------------------------------------

def test_neighbour_pairs_step_the_x_axis_with_the_other_parameters_held(store):
    _, out = store
    t = load(out)
    # points: (3, 200s)=0 (3, 10min)=1 (4, 200s)=2 (4, 10min)=3 (5, 200s)=4 (5, 10min)=5; x = agents
    assert neighbour_pairs(t) == [(0, 2), (1, 3), (2, 4), (3, 5)]
    assert resolve_base(t, "agents.phone.count=4, channels.phone.patience.mean=10min") == 3
    assert resolve_base(t, None) == 0 and resolve_base(t, "5") == 5
    with pytest.raises(sim.InputError, match="matching 2 points"):
        resolve_base(t, "agents.phone.count=4")


def test_paired_differences_are_taken_replication_by_replication(store):
    _, out = store
    t = load(out)
    d = differences(t, [(0, 2)], ["asa_s"])
    row = d[d["channel"] == "phone"].iloc[0]
    a = t[(t.point == 0) & (t.metric == "asa_s") & (t.channel == "phone")].set_index("replication")["value"]
    b = t[(t.point == 2) & (t.metric == "asa_s") & (t.channel == "phone")].set_index("replication")["value"]
    diff = (b - a).to_numpy()
    from scipy import stats

    half = stats.t.ppf(0.975, len(diff) - 1) * diff.std(ddof=1) / np.sqrt(len(diff))
    assert row["diff"] == pytest.approx(diff.mean()) and row["diff_half_width"] == pytest.approx(half)
    assert row["var_ratio"] == pytest.approx(diff.var(ddof=1) / (a.var(ddof=1) + b.var(ddof=1)))
    assert row["diff"] < 0                       # one more agent: shorter answer times for the same customers


# --- the report ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def report(store):
    _, out = store
    return write_report(out, base="agents.phone.count=4, channels.phone.patience.mean=200s")


def test_report_text_has_no_absolute_path_no_mixed_formats_and_only_varied_parameters(store, report):
    d, out = store
    text = report.read_text()
    assert str(d) not in text and "/tmp/" not in text and str(Path.home()) + "/" not in text
    assert not re.search(r"\d[eE][+-]\d", re.sub(r"base64,[A-Za-z0-9+/=]+", "", text))  # no 1.2e+02
    assert "Channel all" not in text and "Whole centre" not in text      # cost unknown: nothing to show there
    varied_row = re.search(r"Varied parameters</td><td[^>]*>([^<]*)<", text).group(1)
    assert varied_row == "phone agents, phone patience mean"
    assert "held fixed" not in text and "same at every design point" in text and "phone arrivals rate" in text
    assert "Service level (of offered) (%)" in text and "Average speed of answer (s)" in text
    assert "against the base point 2" in text and "neighbouring design points" in text
    # one metric, one number format: every mean ± half-width of a metric shows the same number of decimals (a
    # metric is a column of the per-point tables and a group of rows, named in the first cell, of the differences)
    checked = 0
    for table in re.findall(r"<table>.*?</table>", text, flags=re.S):
        header = re.findall(r"<th[^>]*>(.*?)</th>", table)
        cells = [re.findall(r"<td[^>]*>(.*?)</td>", r) for r in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)[1:]]
        by_metric = header[0] == "Metric"
        groups: dict = {}
        for row in cells:
            for i, v in enumerate(row):
                m = re.match(r"^[−\d,]+(?:\.(\d+))? ± ", v)
                if m:
                    groups.setdefault((row[0] if by_metric else header[i], i), set()).add(len(m.group(1) or ""))
        assert all(len(decs) == 1 for decs in groups.values()), groups
        checked += len(groups)
    assert checked >= 10


def test_no_paths_keeps_file_names_only():
    assert no_paths("FileNotFoundError: /home/ana/study/forecast.csv not found") == \
        "FileNotFoundError: forecast.csv not found"
    assert no_paths("ratio 3/4 of 60/h") == "ratio 3/4 of 60/h"


def test_report_shows_sensitivity_results_when_present(store, tmp_path):
    _, out = store
    sens = tmp_path / "sens"
    sens.mkdir()
    pd.DataFrame({"driver": ["agents.phone.count", "channels.phone.patience.mean"], "mu_star": [0.31234, 0.0456],
                  "sigma": [0.012, 0.0031]}).to_csv(sens / "sensitivity.csv", index=False)
    text = write_report(out, tmp_path / "r.html", metrics=["offered"], sensitivity=sens).read_text()
    assert "<h2>Sensitivity</h2>" in text and "0.312" in text and "channels.phone.patience.mean" in text
    section = text.split("<h2>Sensitivity</h2>")[1]
    assert re.findall(r"<td[^>]*>(0\.\d+)</td>", section)[:4] == ["0.3123", "0.012000", "0.0456", "0.003100"]
    (out / "sensitivity").mkdir()                                            # found in the store by default
    (sens / "sensitivity.csv").replace(out / "sensitivity" / "sensitivity.csv")
    try:
        assert "<h2>Sensitivity</h2>" in write_report(out, tmp_path / "found.html", metrics=["offered"]).read_text()
    finally:
        (out / "sensitivity" / "sensitivity.csv").unlink()
        (out / "sensitivity").rmdir()


JS_CHECKS = """
const doc = document.documentElement;
const sections = [...document.querySelectorAll('h2')].map(h => {
  let n = h.nextElementSibling, content = 0;
  while (n && n.tagName !== 'H2') {
    content += n.querySelectorAll('img, td').length + (n.tagName === 'IMG' ? 1 : 0);
    n = n.nextElementSibling;
  }
  return [h.textContent, content];
});
const last = [...document.body.children].filter(e => e.getBoundingClientRect().height > 0).pop();
const bottom = last.getBoundingClientRect().bottom + window.scrollY;
const wide = [...document.querySelectorAll('img, table, p, h1, h2')].filter(
  e => e.closest('.scroll') === null && e.getBoundingClientRect().right > doc.clientWidth + 1).length;
return {sections: sections, scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth,
        scrollHeight: doc.scrollHeight, bottom: bottom, wide: wide, text: document.body.innerText,
        images: [...document.images].filter(i => i.naturalWidth > 0).length};
"""


@pytest.mark.parametrize("width", [1400, 800])
def test_report_in_headless_chromium_has_no_empty_section_no_overflow_no_blank_page(store, report, browser,  # noqa: F811
                                                                                   width):
    d, _ = store
    browser.set_window_size(width, 1000)
    browser.get(report.resolve().as_uri())
    got = browser.execute_script(JS_CHECKS)
    assert got["sections"] and all(n > 0 for _, n in got["sections"]), got["sections"]
    assert got["scrollWidth"] <= got["clientWidth"], (got["scrollWidth"], got["clientWidth"])
    assert got["wide"] == 0
    assert got["scrollHeight"] - got["bottom"] < 120, (got["scrollHeight"], got["bottom"])   # no blank page below
    assert got["images"] >= 6 and str(d) not in got["text"] and "/tmp/" not in got["text"]


def test_interactive_report_draws_plotly_figures_that_answer_hover_in_headless_chromium(store, browser,  # noqa: F811
                                                                                      tmp_path):
    """``--interactive``: every metric figure is a Plotly chart (plotly.js embedded once, so the page works
    offline), with one trace per line and the design points' means as its y values; no overflow at 800 px."""
    _, out = store
    path = write_report(out, tmp_path / "interactive.html", metrics=["asa_s", "sl_offered"],
                        base="agents.phone.count=4, channels.phone.patience.mean=200s", interactive=True)
    text = path.read_text()
    assert text.count("* plotly.js v") == 1 and not re.search(r"<script[^>]*\ssrc=", text)   # embedded, once
    assert "<img alt='Average speed of answer" not in text           # figures are charts, not images
    browser.set_window_size(800, 1000)
    browser.get(path.resolve().as_uri())
    got = browser.execute_script("""
      const plots = [...document.querySelectorAll('.js-plotly-plot')];
      return {n: plots.length, traces: plots.map(p => p.data.length),
              y: plots.map(p => p.data.map(t => t.y.length)), drawn: document.querySelectorAll('.main-svg').length,
              scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth};
    """)
    assert got["n"] == 2 and got["drawn"] >= 2                        # ASA and SL on the phone channel
    assert got["traces"] == [2, 2]                                      # one line per patience setting
    assert got["y"] == [[3, 3], [3, 3]]                                 # three team sizes on each line
    assert got["scrollWidth"] <= got["clientWidth"]
    t = load(out)
    asa = t[(t.metric == "asa_s") & (t.channel == "phone")].groupby("point")["value"].mean()
    shown = browser.execute_script("return document.querySelectorAll('.js-plotly-plot')[0].data"
                                   ".map(t => t.y).flat();")
    assert sorted(round(v, 6) for v in shown) == sorted(round(v, 6) for v in asa)


def test_interactive_report_without_plotly_is_one_clear_line(store, tmp_path, monkeypatch):
    import sim.plots.experiment_interactive as interactive

    monkeypatch.setattr(interactive, "plotly_available", lambda: False)
    with pytest.raises(sim.InputError, match=r"--interactive: needs plotly; install it with pip install"):
        write_report(store[1], tmp_path / "x.html", interactive=True)
