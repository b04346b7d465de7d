from datetime import date

from escalations.charts import metric_trend


def test_the_trend_shows_each_month_with_gaps_and_the_target():
    fig = metric_trend([date(2026, 10, 1), date(2026, 11, 1)], [None, 35.33], "MTTR", 24, "hours")
    bars, target = fig.data
    assert list(bars.x) == ["Oct 26", "Nov 26"] and list(bars.y) == [None, 35.33]
    assert list(target.y) == [24, 24]
    assert fig.layout.yaxis.title.text == "hours"
