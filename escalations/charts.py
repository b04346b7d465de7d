"""Escalation report charts: pure functions from plain data to a plotly Figure (see
vipdesk/lib/charts.py)."""

from datetime import date

import plotly.graph_objects as go

from vipdesk.lib.charts import BASE_LAYOUT, BRAND, GREY


def metric_trend(
    months: list[date], values: list[float | None], title: str, target: float, unit: str
) -> go.Figure:
    """One metric per month (bars, a gap where there was nothing to measure) and its
    target as a dashed line."""
    x = [m.strftime("%b %y") for m in months]
    return go.Figure(
        data=[
            go.Bar(x=x, y=values, name=title, marker_color=BRAND),
            go.Scatter(
                x=x,
                y=[target] * len(x),
                name="Target",
                mode="lines",
                line=dict(color=GREY, dash="dash"),
            ),
        ],
        layout=dict(
            BASE_LAYOUT,
            height=260,
            margin=dict(l=50, r=10, t=40, b=60),
            title=dict(text=title, font=dict(size=14)),
            yaxis=dict(title=dict(text=unit)),
            xaxis=dict(type="category", tickangle=-45),
            showlegend=False,
        ),
    )
