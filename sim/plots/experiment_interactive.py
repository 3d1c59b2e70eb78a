"""Interactive figures of a sweep for ``contactsim report --interactive``: the metric-against-parameter curves of
the report drawn with Plotly (zoom, hover for each design point's mean and 95% CI, click a legend entry to hide a
line). Drawn from the summary table only, never the model. Plotly is optional (the ``[app]`` extra)."""
from __future__ import annotations

import pandas as pd


def plotly_available() -> bool:
    try:
        import plotly  # noqa: F401
    except ImportError:
        return False
    return True


def metric_curve_html(summary: pd.DataFrame, x: str, metric: str, group: str | None, title: str, xlabel: str,
                      ylabel: str, include_js: bool) -> str:
    """One ``<div>`` with the mean of ``metric`` against ``x`` and its 95% CI as error bars, a line per channel and
    ``group`` value. ``include_js``: embed plotly.js (once per page, so the report stays self-contained offline)."""
    import plotly.graph_objects as go

    fig = go.Figure()
    keys = ["channel"] + ([group] if group else [])
    for key, g in summary.groupby(keys, sort=True, observed=True):
        key = key if isinstance(key, tuple) else (key,)
        g = g.sort_values(x)
        name = ", ".join(str(k) for k in key)
        mean = g["mean"].astype(float)
        fig.add_trace(go.Scatter(
            x=g[x].tolist(), y=mean.tolist(), mode="lines+markers", name=name,
            error_y={"type": "data", "symmetric": False,
                     "array": (g["ci_high"].astype(float) - mean).fillna(0).tolist(),
                     "arrayminus": (mean - g["ci_low"].astype(float)).fillna(0).tolist()},
            customdata=list(zip(g["ci_low"].astype(float), g["ci_high"].astype(float))),
            hovertemplate=f"{xlabel} = %{{x}}<br>{ylabel}: %{{y:.4g}}<br>95% CI %{{customdata[0]:.4g}} to "
                          "%{customdata[1]:.4g}<extra>%{fullData.name}</extra>"))
    fig.update_layout(title=title, xaxis_title=xlabel, yaxis_title=ylabel, height=360, autosize=True,
                      margin={"l": 60, "r": 20, "t": 50, "b": 50}, showlegend=len(fig.data) > 1,
                      legend={"font": {"size": 10}}, template="plotly_white")
    return fig.to_html(full_html=False, include_plotlyjs=bool(include_js), config={"responsive": True,
                                                                                     "displaylogo": False})
