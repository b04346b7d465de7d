"""What every chart shares: colours, the base layout and the hand-over to the page.

Chart builders are pure functions returning a plotly Figure (vipdesk/insight/charts.py,
escalations/charts.py); views pass `figure_data(fig)` through `json_script` and
static/js/charts.js draws it with the vendored plotly.min.js (no inline scripts, so the
CSP stays strict)."""

import json

import plotly.graph_objects as go

BRAND = "#3b4cca"
GREY = "#9aa3ae"
OK = "#1d7a46"
BAD = "#b42318"

BASE_LAYOUT = dict(
    margin=dict(l=60, r=20, t=50, b=50),
    height=320,
    font=dict(family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size=13),
    paper_bgcolor="#ffffff",
    plot_bgcolor="#ffffff",
    legend=dict(orientation="h", y=-0.2),
)


def figure_data(fig: go.Figure) -> dict:
    """The figure as plain JSON data for json_script."""
    return json.loads(fig.to_json())
