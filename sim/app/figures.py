"""Plotly figures of the lessons, drawn from the numbers that ``sim.app.queues``/``funnel``/``follow`` return (the
``[app]`` extra brings Plotly). Target lines and labels in the planner's words."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sim.app.follow import ZONES

BLUE, ORANGE, GREEN, RED, GREY, PURPLE = "#4c72b0", "#dd8452", "#55a868", "#c44e52", "#999999", "#8172b3"
STATE_COLOURS = {"first try": BLUE, "wrong department": ORANGE, "transferred": PURPLE, "resolved": GREEN,
                 "unresolved": "#ccb974", "abandoned": RED, "abandoned_ivr": RED, "self_served": "#64b5cd",
                 "open": GREY}


def queue_figure(result: dict, agents: int, target_sl: float = 0.80) -> go.Figure:
    """Service level and abandonment against the number of agents: Erlang C and Erlang A curves, the simulated point
    with its 95% CI at the agents chosen, and the 80% target."""
    cv = result["curves"]
    tab = result["table"].set_index("metric")
    fig = make_subplots(rows=1, cols=2, subplot_titles=("service level (answered within target / offered)",
                                                        "share who hang up"))
    fig.add_trace(go.Scatter(x=cv["agents"], y=cv["sl_erlang_c"] * 100, name="Erlang C (nobody hangs up)",
                             line={"color": ORANGE, "dash": "dash"}), 1, 1)
    fig.add_trace(go.Scatter(x=cv["agents"], y=cv["sl_erlang_a"] * 100, name="Erlang A (exact, with patience)",
                             line={"color": BLUE}), 1, 1)
    sim_err = {"type": "data", "array": [tab.at["sl_offered", "half_width"]], "visible": True}
    fig.add_trace(go.Scatter(x=[agents], y=[tab.at["sl_offered", "simulated"]], mode="markers", name="simulated (95% CI)",
                             marker={"color": "black", "size": 10}, error_y=sim_err), 1, 1)
    fig.add_hline(y=target_sl * 100, line={"color": RED, "dash": "dot"}, annotation_text="target 80%", row=1, col=1)
    fig.add_trace(go.Scatter(x=cv["agents"], y=cv["abandon_erlang_a"] * 100, name="Erlang A abandonment",
                             line={"color": BLUE}, showlegend=False), 1, 2)
    ab_err = {"type": "data", "array": [tab.at["abandon_rate", "half_width"]], "visible": True}
    fig.add_trace(go.Scatter(x=[agents], y=[tab.at["abandon_rate", "simulated"]], mode="markers", showlegend=False,
                             marker={"color": "black", "size": 10}, error_y=ab_err), 1, 2)
    fig.update_xaxes(title_text="agents on the phones")
    fig.update_yaxes(title_text="%", row=1, col=1, range=[0, 101])
    fig.update_yaxes(title_text="%", row=1, col=2, rangemode="tozero")
    fig.update_layout(height=380, margin={"t": 40, "b": 40, "l": 40, "r": 10}, legend={"orientation": "h", "y": -0.25})
    return fig


def wait_figure(waits: pd.DataFrame, answer_within_s: float) -> go.Figure:
    """Histogram of the waits of callers who reached an agent and of those who hung up, with the target line."""
    fig = go.Figure()
    for outcome, colour, label in (("served", BLUE, "answered"), ("abandoned", RED, "hung up")):
        w = waits.loc[waits["outcome"] == outcome, "wait_s"]
        fig.add_trace(go.Histogram(x=w, name=f"{label} ({len(w):,})", marker_color=colour, opacity=0.65,
                                   xbins={"start": 0, "size": 10}))
    fig.add_vline(x=answer_within_s, line={"color": RED, "dash": "dot"}, annotation_text=f"{answer_within_s:g} s target")
    fig.update_layout(barmode="overlay", height=300, margin={"t": 30, "b": 40, "l": 40, "r": 10},
                      xaxis_title="seconds waited", yaxis_title="callers", title="how long callers waited")
    return fig


def follow_figure(positions: pd.DataFrame, agents: dict[str, int], title: str = "") -> go.Figure:
    """The replay: one dot per caller in the menus, in a department's queue, with an agent (grey seats are the
    department's agents) or just gone, coloured by the caller's story; play, pause and drag the clock."""
    x_of = {z: i for i, z in enumerate(ZONES)}
    states = [s for s in STATE_COLOURS if s in set(positions["state"])] or ["first try"]
    seats_x, seats_y = [], []
    for d, n in agents.items():
        seats_x += [x_of[f"agents: {d}"]] * n
        seats_y += list(range(n))
    seats = {"type": "scatter", "x": seats_x, "y": seats_y, "mode": "markers", "name": "agent seat",
             "hoverinfo": "skip", "marker": {"symbol": "square-open", "size": 22, "color": GREY}}

    # one trace of callers per frame, coloured per point (frames replace trace 1 only; the legend is static)
    legend = [{"type": "scatter", "x": [None], "y": [None], "mode": "markers", "name": s,
               "marker": {"size": 14, "color": STATE_COLOURS.get(s, GREY)}} for s in states]
    p = positions
    xs = p["zone"].map(x_of).to_numpy()
    ys = p["slot"].to_numpy()
    colour = p["state"].map(lambda s: STATE_COLOURS.get(s, GREY)).to_numpy()
    text = (("caller " + p["contact_id"].astype(str) + "<br>" + p["stage"].astype(str) + " for "
             + p["waited_s"].round(0).astype(int).astype(str) + " s").to_numpy())
    ids = p["contact_id"].astype(str).to_numpy()
    clocks = list(dict.fromkeys(p["clock"]))
    cut = np.flatnonzero(np.r_[True, p["clock"].to_numpy()[1:] != p["clock"].to_numpy()[:-1], True])

    def callers(a: int, b: int) -> dict:
        return {"type": "scatter", "x": xs[a:b].tolist(), "y": ys[a:b].tolist(), "mode": "markers",
                "ids": ids[a:b].tolist(), "text": text[a:b].tolist(), "hovertemplate": "%{text}<extra></extra>",
                "marker": {"size": 14, "color": colour[a:b].tolist()}, "showlegend": False}

    frames = [{"name": c, "data": [callers(a, b)], "traces": [1]} for c, a, b in zip(clocks, cut[:-1], cut[1:])]
    first = frames[0]["data"][0] if frames else callers(0, 0)
    ymax = max(int(positions["slot"].max()) + 1 if len(positions) else 1, max(agents.values(), default=1)) + 0.5
    steps = [{"args": [[c], {"frame": {"duration": 0, "redraw": False}, "mode": "immediate"}], "label": c,
              "method": "animate"} for c in clocks]
    layout = {
        "title": {"text": title}, "height": 520, "margin": {"t": 50, "b": 130, "l": 40, "r": 10},
        "xaxis": {"tickvals": list(range(len(ZONES))), "ticktext": [z.replace(": ", ":<br>") for z in ZONES],
                  "tickangle": 0, "range": [-0.6, len(ZONES) - 0.4]},
        "yaxis": {"title": {"text": "place in the queue / agent seat"}, "range": [-0.7, ymax]},
        "updatemenus": [{"type": "buttons", "x": 0, "y": -0.2, "xanchor": "left", "yanchor": "top", "buttons": [
            {"label": "▶ play", "method": "animate",
             "args": [None, {"frame": {"duration": 400, "redraw": False}, "fromcurrent": True,
                             "transition": {"duration": 250}}]},
            {"label": "⏸ pause", "method": "animate",
             "args": [[None], {"frame": {"duration": 0, "redraw": False}, "mode": "immediate"}]}]}],
        "sliders": [{"steps": steps, "x": 0.15, "len": 0.85, "y": -0.2, "yanchor": "top",
                     "currentvalue": {"prefix": "clock "}}],
    }
    return go.Figure({"data": [seats, first, *legend], "layout": layout, "frames": frames})


def funnel_flow_figure(flow: dict) -> go.Figure:
    """The flow of calls through the funnel as a Sankey diagram (``sim.app.funnel.flow``: the categories of
    ``sim.plots.funnel.call_paths``, mean calls per replication), beside the mean minutes in each stage."""
    from sim.plots.funnel import COLOURS

    nodes, links = flow["nodes"], flow["links"]
    index, labels, colours = {}, [], []
    for col, name, count in zip(nodes["column"], nodes["name"], nodes["calls"]):
        index[(col, name)] = len(labels)
        labels.append(f"{name} ({count:,.0f})")
        colours.append(COLOURS.get(name, GREY))
    src = [index[(a, x)] for a, x in zip(links["from_column"], links["from"])]
    dst = [index[(b, y)] for b, y in zip(links["to_column"], links["to"])]
    val = [float(v) for v in links["calls"]]
    lcol = ["rgba(150,150,150,0.3)"] * len(val)
    times = flow["times"].set_index("stage")["minutes"]
    fig = make_subplots(rows=1, cols=2, column_widths=[0.68, 0.32], horizontal_spacing=0.14, specs=[[{"type": "sankey"}, {"type": "bar"}]],
                        subplot_titles=("calls per replication: IVR → routing → queue → end",
                                        "mean minutes per visit"))
    fig.add_trace(go.Sankey(arrangement="snap", node={"label": labels, "color": colours, "pad": 12},
                            link={"source": src, "target": dst, "value": val, "color": lcol}), 1, 1)
    fig.add_trace(go.Bar(x=times.to_numpy(), y=list(times.index), orientation="h", marker_color=BLUE,
                         text=[f"{v:.1f}" for v in times.to_numpy()], textposition="outside", showlegend=False), 1, 2)
    fig.update_yaxes(autorange="reversed", row=1, col=2)
    fig.update_layout(height=420, margin={"t": 40, "b": 20, "l": 10, "r": 10})
    return fig
