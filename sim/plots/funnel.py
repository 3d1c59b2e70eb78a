"""The flow through the phone funnel, drawn from the result tables only (``contacts`` and ``legs``).

``funnel_figure(contacts, legs, channel)``: left, an alluvial diagram of the attempts (mean per replication) from the
trunk (busy signal or a line) through the IVR (hang-up, self-service, right or wrong department, pressed 0) and the
queue (callback, abandoned, right agent first or a transfer) to the end (resolved, unresolved, abandoned); right, the
mean time spent in each stage. ``write_funnel_figures(contacts, legs, out_dir)`` writes one per funnel channel.
"""
from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path as MPath

COLOURS = {
    "inbound calls": "#4c72b0", "busy signal": "#c44e52", "a line": "#4c72b0", "hung up in IVR": "#c44e52",
    "self-served": "#55a868", "still in IVR": "#bbbbbb", "to a queue": "#4c72b0", "right department": "#55a868",
    "wrong department": "#dd8452", "pressed 0": "#8172b3", "queue": "#4c72b0", "callback": "#937860",
    "abandoned": "#c44e52", "still waiting": "#bbbbbb", "right agent first": "#55a868",
    "transferred": "#dd8452", "resolved": "#55a868", "unresolved": "#ccb974", "open": "#bbbbbb",
}


def call_paths(contacts: pd.DataFrame, legs: pd.DataFrame) -> pd.DataFrame:
    """Each inbound attempt's category in each column (None once it has ended)."""
    c = contacts[contacts["origin"].astype(str) != "callback"]
    out = c["outcome"].astype(str).to_numpy()
    n = len(c)
    ql = legs.loc[legs["stage"].astype(str).isin(["queue", "overflow"]), ["replication", "contact_id"]]
    in_queue = pd.MultiIndex.from_frame(c[["replication", "contact_id"]]).isin(
        pd.MultiIndex.from_frame(ql.drop_duplicates()))
    ivr = np.full(n, None, dtype=object)
    live = out != "blocked"
    ivr[live] = "still in IVR"
    ivr[live & in_queue] = "to a queue"
    ivr[out == "abandoned_ivr"] = "hung up in IVR"
    ivr[out == "self_served"] = "self-served"
    queued = ivr == "to a queue"
    mis = c["misrouted"].astype("boolean")
    routing = np.full(n, None, dtype=object)
    routing[queued] = "queue"
    routing[queued & mis.fillna(False).to_numpy(bool)] = "wrong department"
    routing[queued & mis.eq(False).fillna(False).to_numpy(bool)] = "right department"
    routing[queued & c["zero_out"].fillna(False).to_numpy(bool)] = "pressed 0"
    first = c["first_answer_at_s"].to_numpy(float)
    right = c["right_answer_at_s"].to_numpy(float)
    queue = np.full(n, None, dtype=object)
    queue[queued & (out == "callback")] = "callback"
    queue[queued & np.isnan(first) & (out == "abandoned")] = "abandoned"
    queue[queued & np.isnan(first) & (out == "open")] = "still waiting"
    reached = queued & ~np.isnan(first)
    queue[reached & (first == right)] = "right agent first"
    queue[reached & ~(first == right)] = "transferred"
    end = np.full(n, None, dtype=object)
    res = c["resolved"].fillna(False).to_numpy(bool)
    end[reached & (out == "served") & res] = "resolved"
    end[reached & (out == "served") & ~res] = "unresolved"
    end[reached & (out == "abandoned")] = "abandoned"
    end[reached & (out == "open")] = "open"
    trunk = np.where(out == "blocked", "busy signal", "a line")
    return pd.DataFrame({"calls": np.full(n, "inbound calls", dtype=object), "trunk": trunk, "IVR": ivr,
                         "routing": routing, "queue": queue, "end": end})


def stage_times(legs: pd.DataFrame) -> pd.Series:
    """Mean minutes per stage: time in the IVR per call (greeting, menus, self-service), and per visit of each other
    stage (finished legs only)."""
    done = legs.dropna(subset=["end_at_s"])
    dur = done["end_at_s"] - done["start_at_s"]
    stage = done["stage"].astype(str)
    out = {}
    ivr = stage.isin(["greeting", "menu", "self_service", "ivr"])
    call = [done["replication"], done["contact_id"]]
    if ivr.any():
        out["IVR (per call)"] = dur[ivr].groupby([k[ivr] for k in call]).sum().mean()
    q = stage == "queue"
    first_q = q & (done["leg"] == done["leg"].where(q).groupby(call).transform("min"))
    for label, mask in (("first wait", first_q), ("wait after a transfer", q & ~first_q),
                        ("wait once overflowed", stage == "overflow"), ("diagnosis", stage == "diagnosis"),
                        ("service", stage == "service"), ("callback delay", stage == "callback_queue")):
        if mask.any():
            out[label] = dur[mask].mean()
    return pd.Series(out, dtype=float) / 60.0


def _flows(paths: pd.DataFrame, weight: float):
    cols = list(paths.columns)
    nodes = []
    for col in cols:
        counts = paths[col].dropna().value_counts() * weight
        order = [k for k in COLOURS if k in counts.index] + [k for k in counts.index if k not in COLOURS]
        nodes.append([(k, counts[k]) for k in order])
    links = []
    for a, b in zip(cols[:-1], cols[1:]):
        sub = paths[[a, b]].dropna()
        links.append((sub.groupby([a, b]).size() * weight).to_dict())
    return nodes, links


def funnel_figure(contacts: pd.DataFrame, legs: pd.DataFrame, channel: str | None = None, title: str = ""):
    """The funnel of one channel (the only funnel channel when ``channel`` is None)."""
    if channel is not None:
        contacts = contacts[contacts["channel"].astype(str) == channel]
        keys = pd.MultiIndex.from_frame(contacts[["replication", "contact_id"]])
        legs = legs[pd.MultiIndex.from_frame(legs[["replication", "contact_id"]]).isin(keys)]
    reps = max(contacts["replication"].nunique(), 1)
    paths = call_paths(contacts, legs)
    nodes, links = _flows(paths, 1.0 / reps)
    total = sum(v for _, v in nodes[0]) or 1.0
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(15, 7), gridspec_kw={"width_ratios": [3.2, 1]})
    gap, width = 0.02 * total, 0.18
    pos = []
    for x, col in enumerate(nodes):
        y = 0.0
        here = {}
        for name, v in col:
            here[name] = [y, y + v, y, y]  # bottom, top, next outgoing, next incoming
            ax.add_patch(Rectangle((x - width / 2, y), width, v, color=COLOURS.get(name, "#999999"), lw=0))
            ax.text(x + width / 2 + 0.03, y + v / 2, f"{name}\n{v:,.0f} ({v / total:.0%})", va="center",
                    fontsize=8)
            y += v + gap
        pos.append(here)
    for x, flow in enumerate(links):
        for (a, b), v in sorted(flow.items(), key=lambda kv: (pos[x][kv[0][0]][0], pos[x + 1][kv[0][1]][0])):
            ya = pos[x][a][2]
            yb = pos[x + 1][b][3]
            pos[x][a][2] += v
            pos[x + 1][b][3] += v
            x0, x1 = x + width / 2, x + 1 - width / 2
            xm = (x0 + x1) / 2
            verts = [(x0, ya), (xm, ya), (xm, yb), (x1, yb), (x1, yb + v), (xm, yb + v), (xm, ya + v), (x0, ya + v),
                     (x0, ya)]
            codes = [MPath.MOVETO, MPath.CURVE4, MPath.CURVE4, MPath.CURVE4, MPath.LINETO, MPath.CURVE4, MPath.CURVE4,
                     MPath.CURVE4, MPath.CLOSEPOLY]
            ax.add_patch(PathPatch(MPath(verts, codes), color=COLOURS.get(b, "#999999"), alpha=0.35, lw=0))
    ymax = max(max(h[1] for h in col.values()) for col in pos if col)
    ax.set_xlim(-0.3, len(nodes) - 0.3)
    ax.set_ylim(ymax * 1.02, -0.02 * ymax)
    ax.set_xticks(range(len(nodes)))
    ax.set_xticklabels(["calls", "trunk", "IVR", "routing", "queue", "end"])
    ax.tick_params(axis="x", length=0)
    ax.set_yticks([])
    for side in ("left", "right", "top", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_title(title or f"{channel or 'phone'}: {total:,.0f} inbound calls per replication (mean over {reps})",
                 loc="left")
    times = stage_times(legs)
    bx.barh(times.index[::-1], times.to_numpy()[::-1], color="#4c72b0")
    for i, v in enumerate(times.to_numpy()[::-1]):
        bx.text(v, i, f" {v:.1f}", va="center", fontsize=8)
    bx.set_xlabel("mean minutes per visit")
    bx.set_title("time in each stage", loc="left")
    for side in ("right", "top"):
        bx.spines[side].set_visible(False)
    fig.tight_layout()
    return fig


def write_funnel_figures(contacts: pd.DataFrame, legs: pd.DataFrame | None, out_dir: Path) -> list[Path]:
    """``funnel_<channel>.png`` for every channel whose calls went through a funnel (contacts with an origin)."""
    if legs is None or "origin" not in contacts or "stage" not in legs:
        return []
    paths = []
    fun = contacts[contacts["origin"].notna() & contacts["contact_id"].isin(legs["contact_id"])]
    for channel in sorted(map(str, fun["channel"].astype(object).unique())):
        fig = funnel_figure(contacts, legs[legs["stage"].notna()], channel)
        path = Path(out_dir) / f"funnel_{channel}.png"
        fig.savefig(path, dpi=110, bbox_inches="tight")
        plt.close(fig)
        paths.append(path)
    return paths
