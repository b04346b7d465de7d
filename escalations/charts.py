"""Escalation report charts: pure functions from plain data to a plotly Figure (drawn by
static/js/charts.js, like accounts/charts.py)."""

from datetime import date

import plotly.graph_objects as go

from accounts.charts import BASE_LAYOUT, BRAND, GREY


def metric_trend(
    months: list[date], values: list[float | None], title: str, target: float | None, unit: str
) -> go.Figure:
    """One metric per month (bars, a gap where there was nothing to measure) and its
    target as a dashed line."""
    x = [m.strftime("%Y-%m") for m in months]
    data = [go.Bar(x=x, y=values, name=title, marker_color=BRAND)]
    if target is not None:
        data.append(
            go.Scatter(
                x=x,
                y=[target] * len(x),
                name="Target",
                mode="lines",
                line=dict(color=GREY, dash="dash"),
            )
        )
    return go.Figure(
        data=data,
        layout=dict(
            BASE_LAYOUT,
            height=260,
            title=dict(text=title),
            yaxis=dict(title=dict(text=unit)),
            xaxis=dict(type="category"),
        ),
    )
