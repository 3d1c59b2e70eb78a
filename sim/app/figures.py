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
    seats = go.Scatter(x=seats_x, y=seats_y, mode="markers", name="agent seat", hoverinfo="skip",
                       marker={"symbol": "square-open", "size": 22, "color": GREY})

    def traces(fr: pd.DataFrame) -> list:
        out = [seats]
        for s in states:
            p = fr[fr["state"] == s]
            out.append(go.Scatter(
                x=[x_of[z] for z in p["zone"]], y=p["slot"], mode="markers", name=s, ids=p["contact_id"].astype(str),
                marker={"size": 14, "color": STATE_COLOURS.get(s, GREY)},
                customdata=np.stack([p["contact_id"].astype(str), p["stage"], p["waited_s"].round(0)], axis=-1)
                if len(p) else None,
                hovertemplate="caller %{customdata[0]}<br>%{customdata[1]} for %{customdata[2]} s<extra></extra>"))
        return out

    clocks = list(dict.fromkeys(positions["clock"]))
    groups = {c: g for c, g in positions.groupby("clock", sort=False)}
    empty = positions.iloc[0:0]
    frames = [go.Frame(data=traces(groups.get(c, empty)), name=c) for c in clocks]
    fig = go.Figure(data=frames[0].data if frames else traces(empty), frames=frames)
    ymax = max(int(positions["slot"].max()) + 1 if len(positions) else 1, max(agents.values(), default=1)) + 0.5
    steps = [{"args": [[c], {"frame": {"duration": 0, "redraw": False}, "mode": "immediate"}], "label": c,
              "method": "animate"} for c in clocks]
    fig.update_layout(
        title=title, height=460, margin={"t": 50, "b": 40, "l": 40, "r": 10},
        xaxis={"tickvals": list(range(len(ZONES))), "ticktext": list(ZONES), "range": [-0.6, len(ZONES) - 0.4]},
        yaxis={"title": "place in the queue / agent seat", "range": [-0.7, ymax]},
        updatemenus=[{"type": "buttons", "x": 0, "y": -0.12, "xanchor": "left", "buttons": [
            {"label": "▶ play", "method": "animate",
             "args": [None, {"frame": {"duration": 400, "redraw": False}, "fromcurrent": True,
                             "transition": {"duration": 250}}]},
            {"label": "⏸ pause", "method": "animate",
             "args": [[None], {"frame": {"duration": 0, "redraw": False}, "mode": "immediate"}]}]}],
        sliders=[{"steps": steps, "x": 0.15, "len": 0.85, "y": -0.05, "currentvalue": {"prefix": "clock "}}],
    )
    return fig


def funnel_flow_figure(contacts: pd.DataFrame, legs: pd.DataFrame):
    """The project's own flow figure of the funnel (matplotlib, ``sim.plots.funnel``)."""
    from sim.plots.funnel import funnel_figure

    return funnel_figure(contacts, legs, "phone")
