"""A self-contained HTML report of a sweep's store, written to be read and published.

What was run (file names only, never an absolute path), the parameters that truly vary, every headline metric
against the swept parameter with 95% CIs (figures embedded as PNG), a table of means ± CI half-widths per design
point with one number format per column, paired differences with CIs between neighbouring design points and against
a base point (common random numbers: the same replication indices at every point), the sensitivity results of
``contactsim sensitivity`` when present, and failed runs. A section with nothing to show is left out.
"""
from __future__ import annotations

import base64
import html
import io
import os
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import InputError
from sim.experiment import labels as L
from sim.experiment.analysis import failures as load_failures
from sim.experiment.analysis import load, point_summary
from sim.experiment.paired import axis_of, differences, neighbour_pairs, points_of, resolve_base, varied

REPORT_METRICS = ("offered", "sl_offered", "asa_s", "mean_wait_s", "abandon_rate", "occupancy", "mean_queue",
                  "wait_p90_s", "cost", "cost_per_resolved")
MAX_LINES = 10
SENSITIVITY_CSV = "sensitivity.csv"

CSS = """
* { box-sizing: border-box; }
body { font-family: system-ui, sans-serif; margin: 0 auto; padding: 1.5em; max-width: 1100px; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; }
h3 { font-size: 1em; margin-top: 1.4em; }
.scroll { max-width: 100%; overflow-x: auto; }
table { border-collapse: collapse; font-size: 0.8em; margin: 0.5em 0 1em; }
th, td { border: 1px solid #ddd; padding: 0.25em 0.5em; text-align: right; white-space: nowrap; }
td.l { white-space: normal; min-width: 8em; }
th { background: #f3f3f3; white-space: normal; vertical-align: bottom; } td.l, th.l { text-align: left; }
td.sig { font-weight: 600; }
.figs { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 1em; }
.figs img { width: 100%; height: auto; display: block; }
.figs .fig { min-width: 0; }
.note { color: #555; font-size: 0.9em; max-width: 60em; }
code { font-size: 0.9em; color: #555; }
"""


def _png(fig) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


_ABS_PATH = re.compile(r"(?<![\w.])(?:[A-Za-z]:)?(?:[/\\][^\s/\\'\"<>:]+)+[/\\]([^\s/\\'\"<>:]+)")


def no_paths(text: str) -> str:
    """Text with every absolute file path reduced to its last part (a report is published; folders are private)."""
    return _ABS_PATH.sub(r"\1", str(text))


def _esc(text) -> str:
    return html.escape(no_paths(text))


def _table(header: Sequence[str], rows: Sequence[Sequence], left: int = 1, classes: Sequence[Sequence] = ()) -> str:
    """An HTML table inside a horizontally scrolling box (a wide table never widens the page). The first ``left``
    columns are text (left aligned); cells are already formatted strings."""
    head = "".join(f'<th class="{"l" if i < left else ""}">{_esc(h)}</th>' for i, h in enumerate(header))
    body = []
    for r, row in enumerate(rows):
        extra = classes[r] if r < len(classes) else ()
        cells = "".join(f'<td class="{"l" if i < left else ""} {extra[i] if i < len(extra) else ""}">{_esc(v)}</td>'
                        for i, v in enumerate(row))
        body.append(f"<tr>{cells}</tr>")
    return f"<div class='scroll'><table><tr>{head}</tr>{''.join(body)}</table></div>"


def _rel(path: str, start: str) -> str:
    """``path`` relative to ``start`` when both are known, else its file name: a report never names a folder of the
    machine it was made on."""
    if not path:
        return ""
    try:
        rel = os.path.relpath(path, start) if start else Path(path).name
    except ValueError:
        rel = Path(path).name
    return Path(path).name if rel.startswith("..") or os.path.isabs(rel) else rel


def _point_labels(pts: pd.DataFrame, params: list[str]) -> dict[int, str]:
    out = {}
    for rec in pts.to_dict("records"):
        text = ", ".join(f"{L.parameter_label(p)} {L.fmt(rec[p], _decimals_of(pts[p])) if _is_num(pts[p]) else rec[p]}"
                         for p in params)
        out[int(rec["point"])] = text or "base scenario"
    return out


def _is_num(col: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(col) and col.dtype != bool


def _decimals_of(col: pd.Series) -> int:
    vals = col.dropna().astype(float)
    return 0 if (vals == vals.round()).all() else L.decimals_for([], vals)


def _finite(summary: pd.DataFrame) -> pd.DataFrame:
    return summary[np.isfinite(summary["mean"].astype(float))]


def build_report(out: str | Path, metrics: Sequence[str] | None = None, base: int | str | None = None,
                 sensitivity: str | Path | None = None, interactive: bool = False) -> str:
    """The report of the store ``out`` as one HTML string. ``base``: the point differences are taken against (an
    id or ``"KEY=VALUE"``; default point 0). ``sensitivity``: a folder or CSV written by ``contactsim sensitivity``
    (default: ``out/sensitivity/`` when it exists). ``interactive``: Plotly figures (zoom, hover) instead of PNGs;
    needs plotly (the ``[app]`` extra)."""
    if interactive:
        from sim.plots.experiment_interactive import plotly_available

        if not plotly_available():
            raise InputError("--interactive: needs plotly; install it with pip install 'contactsim[app]'")
    table = load(out)
    manifest = table.attrs["manifest"]
    fails = load_failures(out)
    n_points = len(manifest["points"])
    expected = n_points * int(manifest["replications"])
    stored = table.groupby(["point", "replication"]).ngroups if not table.empty else 0
    sweep_file = manifest.get("sweep_file", "")
    title = manifest.get("name") or Path(sweep_file or str(out)).stem
    versions = ", ".join(sorted(table["version"].astype(str).unique())) if len(table) else "–"
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
             f"<meta name='viewport' content='width=device-width, initial-scale=1'><title>{_esc(title)}</title>"
             f"<style>{CSS}</style></head><body>", f"<h1>Sweep report: {_esc(title)}</h1>"]
    moved = varied(table) if len(table) else list(manifest.get("parameters", []))
    fixed = [p for p in manifest.get("parameters", []) if p not in moved]
    info = [("Sweep file", Path(sweep_file).name if sweep_file else "–"),
            ("Base scenario", _rel(manifest.get("base_scenario", ""), str(Path(sweep_file).parent) if sweep_file
                                   else "")),
            ("Seed", str(manifest.get("seed"))), ("Replications per design point", str(manifest.get("replications"))),
            ("Design points", str(n_points)), ("Runs stored", f"{stored} of {expected}"),
            ("Failed runs", str(len(fails))),
            ("Varied parameters", ", ".join(L.parameter_label(p) for p in moved) or "none"),
            ("contactsim version", versions), ("Sweep hash", manifest.get("sweep_hash", "")[:16]),
            ("Base scenario hash", manifest.get("base_scenario_hash", "")[:16]),
            ("Created", manifest.get("created_at", "")), ("Updated", manifest.get("updated_at", ""))]
    parts.append(_table(["", ""], info, left=2))
    parts.append("<p class='note'>Every design point runs the same replication indices with the same seed, so "
                 "replication <i>r</i> meets the same customers at every point (common random numbers). Each "
                 "replication is reduced to ratios of totals; a CI is the t-based 95% interval across replications; "
                 "a difference between two points is paired replication by replication.</p>")
    if table.empty:
        parts.append("<p>No finished runs yet.</p>")
    else:
        parts += _design_section(table, moved, fixed, manifest)
        parts += _metric_sections(table, moved, metrics, interactive)
        parts += _difference_sections(table, moved, metrics, base)
    parts += _sensitivity_section(Path(out), sensitivity)
    if len(fails):
        rows = [(str(r.point), str(r.replication), r.error) for r in fails[["point", "replication", "error"]]
                .itertuples(index=False)]
        parts.append(f"<h2>Failed runs ({len(fails)})</h2>"
                     + _table(["Design point", "Replication", "Error"], rows, left=0))
    parts.append("</body></html>")
    return "\n".join(parts)


def _design_section(table: pd.DataFrame, moved: list[str], fixed: list[str], manifest: dict) -> list[str]:
    twins = table.attrs.get("numeric", {})
    pts = points_of(table)
    rows = []
    for p in moved:
        values = list(dict.fromkeys(pts[p].tolist()))
        shown = ", ".join(str(v) for v in values[:12]) + (f", … ({len(values)} values)" if len(values) > 12 else "")
        rows.append((L.parameter_label(p, twins.get(p)), p, shown))
    out = ["<h2>Design</h2>", _table(["Parameter", "Scenario key", "Values"], rows, left=3)]
    if fixed:
        held = [(L.parameter_label(p), p, str(pts[p].iloc[0])) for p in fixed if p in pts]
        out += ["<p class='note'>Set by the sweep but the same at every design point:</p>",
                _table(["Parameter", "Scenario key", "Value"], held, left=3)]
    return out


def _metric_sections(table: pd.DataFrame, moved: list[str], metrics: Sequence[str] | None,
                     interactive: bool = False) -> list[str]:
    from sim.plots.experiment import metric_curve
    from sim.plots.experiment_interactive import metric_curve_html

    summary = _finite(point_summary(table))
    wanted = list(metrics or REPORT_METRICS)
    present = [m for m in wanted if m in set(summary["metric"])] or list(summary["metric"].unique())[:6]
    x = axis_of(table) or "point"
    twins = table.attrs.get("numeric", {})
    text_of = {v: k for k, v in twins.items()}
    others = [p for p in moved if twins.get(p, p) != x]
    pts = points_of(table)
    labels = _point_labels(pts, moved)
    out = []
    js_embedded = False
    for channel in sorted(summary["channel"].astype(str).unique(), key=lambda c: (c == "all", c)):
        sub = summary[(summary["channel"].astype(str) == channel) & summary["metric"].isin(present)]
        if sub.empty:
            continue
        shown = [m for m in present if m in set(sub["metric"])]
        out.append(f"<h2>{_esc(L.channel_label(channel))}</h2><div class='figs'>")
        xlabel = L.parameter_label(text_of.get(x, x), x if x in text_of else None) if x != "point" else "design point"
        for metric in shown:
            m = sub[sub["metric"] == metric].copy()
            scale = L.metric_scale(metric)
            for col in ("mean", "ci_low", "ci_high"):
                m[col] = m[col].astype(float) * scale
            group = None
            if others:
                m["setting"] = m[others].astype(str).apply(
                    lambda r: ", ".join(f"{L.parameter_label(k)} = {v}" for k, v in r.items()), axis=1)
                group = "setting" if m["setting"].nunique() <= MAX_LINES else None
            ylabel = f"{L.metric_label(metric)}, mean and 95% CI"
            if interactive:
                div = metric_curve_html(m, x, metric, group, L.metric_label(metric, unit=False), xlabel, ylabel,
                                        include_js=not js_embedded)
                js_embedded = True
                out.append(f"<div class='fig' aria-label='{_esc(L.metric_label(metric))} against {_esc(xlabel)}'>"
                           f"{div}</div>")
                continue
            fig = metric_curve(m, x, metric, group=group, title=L.metric_label(metric, unit=False))
            ax = fig.axes[0]
            ax.set_xlabel(xlabel)
            ax.set_ylabel(ylabel)
            out.append(f"<img alt='{_esc(L.metric_label(metric))} against {_esc(xlabel)}' "
                       f"src='data:image/png;base64,{_png(fig)}'>")
        out.append("</div>")
        ns = sorted(set(sub["n"].astype(int)))
        out.append("<h3>By design point (mean ± 95% CI half-width" + (f", {ns[0]} replications each)" if len(ns) == 1
                                                                     else ")") + "</h3>")
        decimals = {mt: L.decimals_for(sub.loc[sub["metric"] == mt, "half_width"].astype(float) * L.metric_scale(mt),
                                       sub.loc[sub["metric"] == mt, "mean"].astype(float) * L.metric_scale(mt))
                    for mt in shown}
        rows = []
        for pid in pts["point"]:
            cells = [str(pid), labels[int(pid)]]
            for mt in shown:
                r = sub[(sub["point"] == pid) & (sub["metric"] == mt)]
                s = L.metric_scale(mt)
                cells.append(L.fmt_ci(float(r["mean"].iloc[0]) * s, float(r["half_width"].iloc[0]) * s, decimals[mt])
                             if len(r) else "–")
            if len(ns) > 1:
                n = sub.loc[sub["point"] == pid, "n"]
                cells.append(str(int(n.max())) if len(n) else "0")
            rows.append(cells)
        out.append(_table(["Point", "Setting", *[L.metric_label(mt) for mt in shown],
                           *(["Replications"] if len(ns) > 1 else [])], rows, left=2))
    return out


def _difference_sections(table: pd.DataFrame, moved: list[str], metrics: Sequence[str] | None,
                         base: int | str | None) -> list[str]:
    if table["replication"].nunique() < 2 or table["point"].nunique() < 2:
        return []
    pts = points_of(table)
    labels = _point_labels(pts, moved)
    by_id = pts.set_index("point")
    present = set(table["metric"])
    wanted = [m for m in (metrics or REPORT_METRICS) if m in present]
    base_id = resolve_base(table, base)
    out = []
    for title, pairs, note in (
            ("Paired differences between neighbouring design points", neighbour_pairs(table),
             "Each row: the next design point along the x axis minus this one, with every other parameter equal; "
             "paired over the same replications."),
            (f"Paired differences against the base point {base_id} ({labels[base_id]})",
             [(base_id, int(p)) for p in pts["point"] if int(p) != base_id],
             "Each row: a design point minus the base point, paired over the same replications.")):
        diffs = differences(table, pairs, wanted)
        diffs = diffs[np.isfinite(diffs["diff"].astype(float))]
        if diffs.empty:
            continue
        out.append(f"<h2>{_esc(title)}</h2><p class='note'>{_esc(note)} <b>Bold</b>: the 95% CI excludes 0. "
                   "Variance ratio: var(difference) / (var(A) + var(B)); below 1, the common random numbers made the "
                   "comparison sharper than two independent estimates would be.</p>")
        for channel in sorted(diffs["channel"].unique(), key=lambda c: (c == "all", c)):
            d = diffs[diffs["channel"] == channel]
            rows, classes = [], []
            for mt in [m for m in wanted if m in set(d["metric"])]:
                dm = d[d["metric"] == mt]
                s = L.metric_scale(mt)
                dec = L.decimals_for(dm["diff_half_width"].astype(float) * s, dm["diff"].astype(float) * s)
                for r in dm.itertuples(index=False):
                    change, held = _change(by_id, moved, r.from_point, r.to_point)
                    rows.append((L.metric_label(mt), f"{r.from_point} → {r.to_point}", change, held,
                                 L.fmt_ci(r.diff * s, r.diff_half_width * s, dec),
                                 f"[{L.fmt(r.diff_ci_low * s, dec)}, {L.fmt(r.diff_ci_high * s, dec)}]",
                                 L.fmt(r.var_ratio, 2)))
                    classes.append(("", "", "", "", "sig" if r.significant else "", "", ""))
            out.append(f"<h3>{_esc(L.channel_label(channel))}</h3>")
            out.append(_table(["Metric", "Points", "Change", "At", "Difference ± half-width", "95% CI",
                               "Variance ratio"], rows, left=4, classes=classes))
    return out


def _change(pts: pd.DataFrame, params: list[str], a: int, b: int) -> tuple[str, str]:
    """What differs between points ``a`` and ``b`` ("phone agents 3 → 4") and what they share."""
    changed, held = [], []
    for p in params:
        va, vb = pts.at[a, p], pts.at[b, p]
        (held if str(va) == str(vb) else changed).append(
            f"{L.parameter_label(p)} {va}" if str(va) == str(vb) else f"{L.parameter_label(p)} {va} → {vb}")
    return "; ".join(changed), "; ".join(held) or "–"


def _sensitivity_section(out: Path, sensitivity: str | Path | None) -> list[str]:
    """The tidy table (``sensitivity.csv``) and figures (``*.png``) of ``contactsim sensitivity``, if any."""
    if sensitivity is None:
        found = out / "sensitivity"
        if not (found / SENSITIVITY_CSV).is_file():
            return []
        sensitivity = found
    path = Path(sensitivity)
    csv = path / SENSITIVITY_CSV if path.is_dir() else path
    from sim.errors import InputError

    try:
        sens = pd.read_csv(csv)
    except (OSError, ValueError) as exc:
        raise InputError(f"{csv}: expected the sensitivity table written by `contactsim sensitivity`, got an "
                         f"unreadable file ({exc})") from None
    parts = ["<h2>Sensitivity</h2>"]
    images = sorted(csv.parent.glob("*.png"))
    if images:
        parts.append("<div class='figs'>" + "".join(
            f"<img alt='{_esc(p.stem)}' src='data:image/png;base64,{base64.b64encode(p.read_bytes()).decode()}'>"
            for p in images) + "</div>")
    text = [c for c in sens.columns if not _is_num(sens[c])]
    nums = [c for c in sens.columns if c not in text]
    dec = {c: L.decimals_for([], sens[c].astype(float)) for c in nums}
    rows = [[str(r[c]) for c in text] + [L.fmt(float(r[c]), dec[c]) for c in nums] for r in sens.to_dict("records")]
    parts.append(_table([*text, *nums], rows, left=len(text)))
    return parts


def write_report(out: str | Path, path: str | Path | None = None, metrics: Sequence[str] | None = None,
                 base: int | str | None = None, sensitivity: str | Path | None = None,
                 interactive: bool = False) -> Path:
    """Write the HTML report of store ``out`` to ``path`` (default ``out/report.html``)."""
    path = Path(path) if path is not None else Path(out) / "report.html"
    text = build_report(out, metrics, base=base, sensitivity=sensitivity, interactive=interactive)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".tmp-{path.name}")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path
