"""Chart builders of the insight pages: pure functions from plain data to a plotly
Figure (vipdesk/lib/charts.py hands them to the page)."""

from datetime import date, datetime

import plotly.graph_objects as go

from vipdesk.lib.charts import BAD, BASE_LAYOUT, BRAND, GREY, OK


def arr_by_tier(tiers: list[tuple[str, float, int]]) -> go.Figure:
    """tiers: [(label, ARR, accounts)] → bar chart of ARR per tier."""
    labels = [label for label, _, _ in tiers]
    fig = go.Figure(
        data=[
            go.Bar(
                x=labels,
                y=[float(arr) for _, arr, _ in tiers],
                customdata=[n for _, _, n in tiers],
                marker_color=BRAND,
                hovertemplate="%{x}<br>ARR $%{y:,.0f}<br>%{customdata} accounts<extra></extra>",
                name="ARR",
            )
        ],
        layout=dict(BASE_LAYOUT, title=dict(text="ARR by tier"), yaxis=dict(tickprefix="$")),
    )
    return fig


def first_response_vs_sla(tiers: list[tuple[str, float | None, int | None]]) -> go.Figure:
    """tiers: [(label, avg first response minutes, SLA minutes)] → grouped bars."""
    labels = [label for label, _, _ in tiers]
    actual = [None if v is None else round(v, 1) for _, v, _ in tiers]
    target = [sla for _, _, sla in tiers]
    colors = [
        GREY if a is None or t is None else (OK if a <= t else BAD)
        for a, t in zip(actual, target, strict=True)
    ]
    return go.Figure(
        data=[
            go.Bar(x=labels, y=actual, name="Avg first response (min)", marker_color=colors),
            go.Bar(x=labels, y=target, name="SLA target, P3 (min)", marker_color=GREY),
        ],
        layout=dict(
            BASE_LAYOUT,
            title=dict(text="First response vs SLA, last 30 days (wall clock)"),
            barmode="group",
            yaxis=dict(title=dict(text="minutes")),
        ),
    )


def score_history(points: list[tuple[date, int | None, int]]) -> go.Figure:
    """points: [(day, health, risk)] oldest first → health and risk lines."""
    days = [d.isoformat() for d, _, _ in points]
    return go.Figure(
        data=[
            go.Scatter(
                x=days,
                y=[h for _, h, _ in points],
                name="Health",
                mode="lines+markers",
                line=dict(color=OK, width=2),
            ),
            go.Scatter(
                x=days,
                y=[r for _, _, r in points],
                name="Risk",
                mode="lines+markers",
                line=dict(color=BAD, width=2),
            ),
        ],
        layout=dict(
            BASE_LAYOUT,
            title=dict(text="Health and risk history"),
            yaxis=dict(range=[0, 100], title=dict(text="score")),
            hovermode="x unified",
        ),
    )


def usage_trend(weekly_active_users: list) -> go.Figure:
    """Weekly active users, oldest first → a small bar series."""
    values = [v for v in weekly_active_users if isinstance(v, int | float)]
    return go.Figure(
        data=[
            go.Bar(
                x=[
                    f"W-{len(values) - i - 1}" if i < len(values) - 1 else "This week"
                    for i in range(len(values))
                ],
                y=values,
                marker_color=BRAND,
                name="Weekly active users",
            )
        ],
        layout=dict(BASE_LAYOUT, title=dict(text="Weekly active users"), height=260),
    )


def sentiment_trend(
    tickets: list[tuple[datetime, float]], windows: list[tuple[datetime, float | None]]
) -> go.Figure:
    """tickets: [(created, sentiment)] and windows: [(window end, average)] → each
    ticket's sentiment as a dot and the 30-day averages as a line (−1 to 1)."""
    return go.Figure(
        data=[
            go.Scatter(
                x=[t.isoformat() for t, _ in tickets],
                y=[s for _, s in tickets],
                name="Ticket sentiment",
                mode="markers",
                marker=dict(color=GREY, size=7),
            ),
            go.Scatter(
                x=[t.isoformat() for t, _ in windows],
                y=[s for _, s in windows],
                name="30-day average",
                mode="lines+markers",
                line=dict(color=BRAND, width=3),
            ),
        ],
        layout=dict(
            BASE_LAYOUT,
            title=dict(text="Sentiment of the customer's tickets"),
            yaxis=dict(range=[-1, 1], title=dict(text="VADER compound")),
        ),
    )


LEAD_LABELS = {"24h": "≥ 24 hours", "72h": "≥ 72 hours", "7d": "≥ 7 days"}


def recall_by_lead(series: list[tuple[str, dict[str, float | None]]]) -> go.Figure:
    """series: [(name, {"24h"|"72h"|"7d": recall 0–1})] → recall against lead time."""
    colors = [GREY, BRAND, OK, BAD]
    return go.Figure(
        data=[
            go.Scatter(
                x=[LEAD_LABELS[k] for k in LEAD_LABELS],
                y=[
                    None if recall.get(k) is None else round(100 * recall[k], 1)
                    for k in LEAD_LABELS
                ],
                name=name,
                mode="lines+markers",
                line=dict(color=colors[i % len(colors)], width=2),
            )
            for i, (name, recall) in enumerate(series)
        ],
        layout=dict(
            BASE_LAYOUT,
            title=dict(text="Escalations flagged ahead (recall against lead time)"),
            yaxis=dict(range=[0, 100], title=dict(text="% of escalations"), ticksuffix="%"),
        ),
    )


def alerts_per_week(series: list[tuple[str, dict[str, int]]]) -> go.Figure:
    """series: [(name, {week start ISO date: new alerts})] → grouped weekly bars."""
    weeks = sorted({week for _, counts in series for week in counts})
    colors = [GREY, BRAND]
    return go.Figure(
        data=[
            go.Bar(
                x=weeks,
                y=[counts.get(week, 0) for week in weeks],
                name=name,
                marker_color=colors[i % len(colors)],
            )
            for i, (name, counts) in enumerate(series)
        ],
        layout=dict(
            BASE_LAYOUT,
            title=dict(text="New alerts per week"),
            barmode="group",
            yaxis=dict(title=dict(text="alerts")),
        ),
    )
