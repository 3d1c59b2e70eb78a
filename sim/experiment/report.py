"""A self-contained HTML report of a sweep's store: what was run, every metric against the swept parameter with 95%
CIs (figures embedded as base64 PNG), tables of means and half-widths per design point, and failed runs."""
from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from sim.experiment.analysis import failures as load_failures
from sim.experiment.analysis import load, params_of, point_summary

REPORT_METRICS = ("offered", "sl_offered", "asa_s", "mean_wait_s", "abandon_rate", "occupancy", "mean_queue")
MAX_LINES = 10

CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.5em 0 1em; }
th, td { border: 1px solid #ddd; padding: 0.25em 0.6em; text-align: right; }
th { background: #f3f3f3; } td.l, th.l { text-align: left; }
.figs { display: flex; flex-wrap: wrap; gap: 1em; } .figs img { max-width: 520px; }
.note { color: #666; font-size: 0.9em; }
"""


def _png(fig) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _table(df: pd.DataFrame, left: Sequence[str] = ()) -> str:
    head = "".join(f'<th class="{"l" if c in left else ""}">{html.escape(str(c))}</th>' for c in df.columns)
    rows = []
    for rec in df.itertuples(index=False):
        cells = []
        for c, v in zip(df.columns, rec):
            text = f"{v:.4g}" if isinstance(v, (float, np.floating)) else str(v)
            cells.append(f'<td class="{"l" if c in left else ""}">{html.escape(text)}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def _axis(summary: pd.DataFrame, params: list[str]) -> tuple[str, str | None, pd.DataFrame]:
    """The x axis (first numeric parameter that varies, else the point id) and a label column for the others."""
    varying = [p for p in params if summary[p].nunique(dropna=False) > 1]
    numeric = [p for p in varying if pd.api.types.is_numeric_dtype(summary[p])]
    x = numeric[0] if numeric else "point"
    others = [p for p in varying if p != x]
    if not others:
        return x, None, summary
    label = summary[others].astype(str).apply(lambda r: ", ".join(f"{k}={v}" for k, v in r.items()), axis=1)
    return x, "setting", summary.assign(setting=label)


def build_report(out: str | Path, metrics: Sequence[str] | None = None) -> str:
    """The report of the store ``out`` as one HTML string."""
    from sim.plots.experiment import metric_curve

    table = load(out)
    manifest = table.attrs["manifest"]
    fails = load_failures(out)
    params = params_of(table)
    summary = point_summary(table)
    present = list(summary["metric"].unique())
    metrics = [m for m in (metrics or REPORT_METRICS) if m in present] or present[:6]
    n_points = len(manifest["points"])
    expected = n_points * int(manifest["replications"])
    stored = table.groupby(["point", "replication"]).ngroups if not table.empty else 0
    title = manifest.get("name") or Path(manifest.get("sweep_file", str(out))).stem
    versions = ", ".join(sorted(table["version"].astype(str).unique())) if "version" in table else "?"
    info = pd.DataFrame([
        ("sweep file", manifest.get("sweep_file", "")), ("sweep hash", manifest.get("sweep_hash", "")[:16]),
        ("base scenario", manifest.get("base_scenario", "")),
        ("base scenario hash", manifest.get("base_scenario_hash", "")[:16]),
        ("seed", manifest.get("seed")), ("replications per point", manifest.get("replications")),
        ("design points", n_points), ("runs stored", f"{stored} of {expected}"), ("failed runs", len(fails)),
        ("varied parameters", ", ".join(params) or "none"), ("contactsim version", versions),
        ("created", manifest.get("created_at", "")), ("updated", manifest.get("updated_at", "")),
    ], columns=["", "value"])
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(str(title))}</title>"
             f"<style>{CSS}</style></head><body>",
             f"<h1>Sweep report: {html.escape(str(title))}</h1>", _table(info, left=["", "value"]),
             "<p class='note'>Each design point runs the same replication indices with the same seed (common random "
             "numbers). Each replication is reduced to ratios of totals; the CI is the t-based 95% interval across "
             "replications.</p>"]
    if table.empty:
        parts.append("<p>No finished runs yet.</p>")
    else:
        x, group, shown = _axis(summary, params)
        for channel in sorted(summary["channel"].unique()):
            parts.append(f"<h2>Channel {html.escape(str(channel))}</h2><div class='figs'>")
            for metric in metrics:
                sub = shown[(shown["channel"] == channel) & (shown["metric"] == metric)]
                if sub.empty:
                    continue
                grp = group if group and sub[group].nunique() <= MAX_LINES else None
                fig = metric_curve(sub, x, metric, group=grp, title=f"{channel}: {metric} by {x}")
                parts.append(f"<img alt='{html.escape(metric)}' src='data:image/png;base64,{_png(fig)}'>")
            parts.append("</div>")
            wide = summary[(summary["channel"] == channel) & summary["metric"].isin(metrics)]
            cell = wide.assign(cell=[
                f"{m:.4g} ± {h:.2g}" if np.isfinite(h) else f"{m:.4g}" for m, h in zip(wide["mean"], wide["half_width"])])
            pivot = cell.pivot_table(index=["point"] + params, columns="metric", values="cell", aggfunc="first")
            pivot = pivot[[m for m in metrics if m in pivot.columns]].reset_index()
            n_by_point = wide.groupby("point")["n"].max().rename("n").reset_index()
            pivot = pivot.merge(n_by_point, on="point", how="left")
            parts.append("<p class='note'>mean ± 95% CI half-width</p>" + _table(pivot, left=["point"] + params))
    if len(fails):
        shown_f = fails[["point", "replication", "error"]].copy()
        parts.append(f"<h2>Failed runs ({len(fails)})</h2>" + _table(shown_f, left=["error"]))
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(out: str | Path, path: str | Path | None = None, metrics: Sequence[str] | None = None) -> Path:
    """Write the HTML report of store ``out`` to ``path`` (default ``out/report.html``)."""
    path = Path(path) if path is not None else Path(out) / "report.html"
    text = build_report(out, metrics)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".tmp-{path.name}")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path
