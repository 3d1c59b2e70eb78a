"""What every lesson page shares: the text blocks, the precision switch, timing, the metric table and the scenario
download (Streamlit)."""
from __future__ import annotations

import math
import os
import time

import pandas as pd
import streamlit as st

from sim.app import grid
from sim.app.scenarios import to_toml

QUICK, PRECISE = 4, 20  # replications while exploring, and on demand
SMALL = "CONTACTSIM_APP_SMALL"  # set to 1: 1 replication while exploring, 2 on demand (the app's tests)


def lesson(title: str, intro: str) -> None:
    st.title(title)
    st.markdown(intro)


def replications(key: str, quick: int = QUICK, precise: int = PRECISE) -> int:
    """The precision switch: ``quick`` replications while the controls move (answers within a second), ``precise``
    when asked for (tighter confidence intervals, a few seconds)."""
    if os.environ.get(SMALL) == "1":
        quick, precise = 1, 2
    more = st.toggle(f"More replications ({precise} instead of {quick})", key=key,
                     help="Every setting's results are kept: going back to a setting already seen is instant.")
    return precise if more else quick


def controls(ratio: float = 2.4):
    """The page's layout: the controls on the left (returned first), the results on the right."""
    left, right = st.columns([1, ratio])
    left.subheader("Controls")
    return left, right


def result(name: str, inputs, run, replications: int, precise: bool):
    """The lesson's result at ``inputs``: the precomputed grid point when the controls are on the grid (and more
    replications were not asked for), else ``run(inputs, replications)`` (cached per setting); with a caption saying
    which and how long it took."""
    t = time.perf_counter()
    out = None if precise else grid.lookup(name, inputs)
    if out is not None:
        seconds = time.perf_counter() - t
        n = grid.meta(name).get("replications")
        st.caption(f"Precomputed: {n} replications at this setting, read in {seconds:.2f} s "
                   "(experiments/app_grids.py). Settings off the grid are simulated live.")
        return out
    out = run(inputs, replications)
    took(time.perf_counter() - t, replications)
    return out


def timed(fn, *args, **kwargs):
    """(result, seconds) of a cached computation; a setting seen before comes back at once."""
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t


def took(seconds: float, replications: int | None = None) -> None:
    what = f"{replications} replications" if replications else "the run"
    st.caption(f"Computed {what} in {seconds:.2f} s (a setting seen before is kept and comes back at once).")


def fmt(value: float, unit: str, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, float) and math.isinf(value):
        return "∞"
    if unit == "$":
        return f"{'−' if value < 0 else ''}${abs(value):,.{digits}f}"
    return f"{value:,.{digits}f}{' ' + unit if unit and unit != '%' else unit}"


def short(label: str, width: int = 22) -> str:
    """A label broken onto lines of about ``width`` characters (figure titles), without its parenthesis."""
    words, lines = label.split(" (")[0].split(), [""]
    for w in words:
        if lines[-1] and len(lines[-1]) + len(w) > width:
            lines.append("")
        lines[-1] = f"{lines[-1]} {w}".strip()
    return "<br>".join(lines)


def ci_text(mean: float, half: float, unit: str, digits: int = 1) -> str:
    if half is None or math.isnan(half):
        return fmt(mean, unit, digits)
    return f"{fmt(mean, unit, digits)} ± {half:,.{digits}f}"


def metric(where, label: str, mean: float, half: float | None = None, unit: str = "", digits: int = 1) -> None:
    """A number card: the value large, its 95% CI half-width (when there is one) small beneath."""
    ci = None if half is None or math.isnan(half) else f"± {half:,.{digits}f} (95% CI)"
    where.metric(label, fmt(mean, unit, digits), delta=ci, delta_color="off", delta_arrow="off")


def metric_table(table: pd.DataFrame, columns: dict[str, str]) -> None:
    """The lesson's table: the simulated mean ± 95% CI half-width, then the exact columns named in ``columns``."""
    shown = pd.DataFrame({"measure": table["label"],
                          "simulated (95% CI)": [ci_text(m, h, u, 1 if u else 2) for m, h, u in
                                                 zip(table["simulated"], table["half_width"], table["unit"])]})
    for col, name in columns.items():
        shown[name] = [fmt(v, u, 1 if u else 2) for v, u in zip(table[col], table["unit"])]
    st.dataframe(shown, hide_index=True, width="stretch")


def question(text: str, notice: str) -> None:
    st.subheader("A question for students")
    st.markdown(text)
    with st.expander("What to notice", expanded=False):
        st.markdown(notice)


def download(raw: dict, file_name: str, header: str) -> None:
    """The scenario behind the page, as a TOML file ``contactsim run`` opens (also shown, to copy)."""
    text = to_toml(raw, header)
    st.subheader("The scenario behind this page")
    st.download_button("Download the scenario (TOML)", text, file_name=file_name, mime="application/toml",
                       key=f"download_{file_name}")
    st.caption(f"Run it with `contactsim run {file_name} --out out/{file_name.removesuffix('.toml')}`.")
    with st.expander("Show the TOML"):
        st.code(text, language="toml")
