"""Chart builders return plotly figures whose data we can check."""

from datetime import date
from decimal import Decimal

from vipdesk.insight import charts
from vipdesk.lib.charts import figure_data


def test_it_draws_arr_per_tier():
    fig = charts.arr_by_tier([("Tier 1 Strategic", Decimal(1300000), 2), ("Standard", 0, 5)])
    bar = fig.data[0]
    assert list(bar.x) == ["Tier 1 Strategic", "Standard"]
    assert list(bar.y) == [1300000.0, 0.0]
    assert list(bar.customdata) == [2, 5]


def test_it_colours_first_response_against_the_sla():
    fig = charts.first_response_vs_sla([("T1", 8.3, 30), ("T2", 45.0, 30), ("T3", None, 60)])
    actual, target = fig.data
    assert list(actual.y) == [8.3, 45.0, None]
    assert list(target.y) == [30, 30, 60]
    assert list(actual.marker.color) == [charts.OK, charts.BAD, charts.GREY]
    assert fig.layout.barmode == "group"


def test_it_draws_health_and_risk_history():
    fig = charts.score_history([(date(2026, 11, 1), 70, 30), (date(2026, 11, 2), None, 45)])
    health, risk = fig.data
    assert list(health.x) == ["2026-11-01", "2026-11-02"]
    assert list(health.y) == [70, None] and list(risk.y) == [30, 45]
    assert tuple(fig.layout.yaxis.range) == (0, 100)


def test_it_draws_weekly_active_users_ignoring_junk():
    fig = charts.usage_trend([10, "x", 12, None, 15])
    assert list(fig.data[0].y) == [10, 12, 15]
    assert list(fig.data[0].x)[-1] == "This week"


def test_it_passes_figures_as_plain_json():
    data = figure_data(charts.arr_by_tier([("T1", Decimal(5), 1)]))
    assert data["data"][0]["type"] == "bar"
    assert "layout" in data
