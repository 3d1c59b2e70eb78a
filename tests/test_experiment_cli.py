"""The sweep, compare and report sub-commands, the HTML report and the experiment figures."""
from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from sim.cli import main
from sim.experiment import compare, load, point_summary
from sim.experiment.labels import decimals_for
from sim.experiment.progress import Progress
from sim.plots.experiment import comparison_chart, metric_curve, precision_trace, replication_spread

TINY = """
schema = 1
[run]
horizon = "2h"
seed = 1
replications = 4
[channels.phone]
arrivals = {{ rate = "60/h" }}
handle_time = {{ dist = "exponential", mean = "200s" }}
patience = {{ dist = "exponential", mean = "300s" }}
[agents.phone]
serves = ["phone"]
count = {agents}
"""

SWEEP = """
[sweep]
name = "team size"
scenario = "tiny.toml"
replications = 3
seed = 4
[parameters]
agents.phone.count = [3, 4, 5]
"""


def files(tmp_path: Path) -> Path:
    (tmp_path / "tiny.toml").write_text(TINY.format(agents=4))
    (tmp_path / "big.toml").write_text(TINY.format(agents=6))
    (tmp_path / "sweep.toml").write_text(SWEEP)
    return tmp_path


def test_sweep_then_report_from_the_command_line(tmp_path, capsys):
    d = files(tmp_path)
    out = d / "out"
    assert main(["sweep", str(d / "sweep.toml"), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    said = capsys.readouterr()
    assert "9 of 9 runs stored (3 design points × 3 replications)" in said.out and said.err == ""
    assert main(["sweep", str(d / "sweep.toml"), "--out", str(out), "--workers", "1"]) == 2
    assert "not empty" in capsys.readouterr().err
    assert main(["sweep", str(d / "sweep.toml"), "--out", str(out), "--resume", "--quiet"]) == 0
    assert "0 finished, 0 failed, 9 already there" in capsys.readouterr().out
    assert main(["report", str(out), "--out", str(d / "r.html")]) == 0
    html = (d / "r.html").read_text()
    images = re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", html)
    assert len(images) >= 4
    assert all(base64.b64decode(img)[:8] == b"\x89PNG\r\n\x1a\n" for img in images)
    assert "http://" not in html and "https://" not in html          # self-contained
    assert "team size" in html and "agents.phone.count" in html and "9 of 9" in html
    # the table in the report shows the same means as the analysis helper
    summ = point_summary(load(out))
    sl_rows = summ[(summ["metric"] == "sl_offered") & (summ["channel"] == "phone")]
    decimals = decimals_for(sl_rows["half_width"] * 100, sl_rows["mean"] * 100)     # shown in %, one format
    sl = sl_rows[sl_rows["point"] == 1]["mean"].iloc[0]
    assert f"{sl * 100:.{decimals}f} ±" in html


def test_bad_sweep_file_is_one_readable_error(tmp_path, capsys):
    d = files(tmp_path)
    (d / "bad.toml").write_text('[sweep]\nscenario = "tiny.toml"\nreplications = 2\nseed = 1\n'
                                '[parameters]\n"agents.phone.count" = []\n')
    assert main(["sweep", str(d / "bad.toml"), "--out", str(d / "o")]) == 2
    err = capsys.readouterr().err
    assert 'bad.toml: parameters."agents.phone.count": expected a non-empty list' in err
    assert "Traceback" not in err
    assert main(["report", str(d)]) == 2
    assert "not a results store" in capsys.readouterr().err


def test_compare_command_prints_paired_differences_and_writes_csv(tmp_path, capsys):
    d = files(tmp_path)
    csv = d / "cmp.csv"
    code = main(["compare", str(d / "tiny.toml"), str(d / "big.toml"), "--replications", "6", "--seed", "8",
                 "--metrics", "mean_wait_s,offered", "--out", str(csv)])
    assert code == 0
    out = capsys.readouterr().out
    assert "6 paired replications, seed 8" in out and "mean_wait_s" in out
    table = pd.read_csv(csv)
    assert set(table["metric"]) == {"mean_wait_s", "offered"}
    assert table.set_index("metric").loc["offered", "diff"] == 0
    assert main(["compare", str(d / "tiny.toml"), str(d / "big.toml"), "--replications", "1"]) == 2


def test_figures_draw_from_tables(tmp_path):
    d = files(tmp_path)
    from sim.experiment import run_sweep

    run_sweep(d / "sweep.toml", d / "out", workers=1)
    table = load(d / "out")
    for fig in (metric_curve(point_summary(table), "agents.phone.count", "asa_s"),
                replication_spread(table, "agents.phone.count", "asa_s"),
                comparison_chart(compare(d / "tiny.toml", d / "big.toml", replications=4).table),
                precision_trace(pd.DataFrame({"replications": [5, 6, 7], "worst_rel_half_width": [0.2, 0.1, 0.04]}),
                                0.05)):
        assert fig.axes and fig.axes[0].has_data()
        plt.close(fig)


def test_progress_bar_on_a_terminal_shows_failures():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    stream = Tty()
    p = Progress(5, stream=stream)
    for ok in (True, False, True, True, True):
        p.update(ok)
    p.close()
    text = stream.getvalue()
    assert "5/5" in text and "failed=1" in text
