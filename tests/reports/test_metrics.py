"""Each escalation-report metric on the hand-made history of tests/reports/history.py;
the expected figures are worked out in the comments."""

from datetime import UTC, date, datetime

import pytest
from django.http import QueryDict
from django.test import override_settings

from escalations import reports
from tests.factories import make_account, make_escalation
from tests.reports.history import NOW, build


def summary(**params) -> dict:
    q = QueryDict(mutable=True)
    q.update({"from": "2026-11-01", "to": "2026-12-01", **params})
    form = reports.ReportFilters(q)
    assert form.is_valid(), form.errors
    return reports.summary(form, NOW)


@pytest.fixture
def history(db):
    return build()


def test_it_computes_every_figure_of_the_period(history):
    s = summary()
    assert s["count"] == 6  # e1 e2 e3 e4 e5 e9; not the ones before/after the period
    assert s["open"] == 3  # e3 e4 e9
    assert s["first_response_hours"] == pytest.approx((0.5 + 2 + 1 + 1) / 4)  # e1 e2 e4 e9
    # e1 10 h, e2 72 h (final resolution, re-openings included), e5 24 h (closed, no
    # resolution recorded); e9 is open again and is left out.
    assert s["mttr_hours"] == pytest.approx((10 + 72 + 24) / 3)
    # met: e1, e5; missed: e2 (late), e3 and e9 (open past due); e4 open, not due: out.
    assert s["sla_compliance"] == pytest.approx(2 / 5)
    assert s["per_100_accounts"] == pytest.approx(6 * 100 / 4)
    # e2 (re-opened twice, counted once) and e9.
    assert s["reescalation_rate"] == pytest.approx(2 / 6)
    assert s["csat"] == pytest.approx((5 + 3) / 2)


def test_it_answers_nulls_not_zeros_for_an_empty_period(history):
    s = summary(**{"from": "2026-06-01", "to": "2026-07-01"})
    assert s["count"] == 0 and s["open"] == 0
    for key in (
        "first_response_hours",
        "mttr_hours",
        "sla_compliance",
        "reescalation_rate",
        "csat",
    ):
        assert s[key] is None, key
    assert s["per_100_accounts"] == 0  # no escalations over 4 accounts


def test_it_answers_null_per_100_accounts_without_accounts(db):
    assert summary()["per_100_accounts"] is None


def test_an_open_escalation_past_due_is_missed_and_one_not_due_is_left_out(db):
    account = make_account(arr=1000)
    make_escalation(account, severity="high", opened_at=datetime(2026, 11, 17, tzinfo=UTC))
    assert summary()["sla_compliance"] == 0  # due 19 Nov < now (20 Nov)
    make_escalation(account, severity="low", opened_at=datetime(2026, 11, 19, tzinfo=UTC))
    assert summary()["sla_compliance"] == 0  # the low one (due 29 Nov) does not count
    assert summary(severity="low")["sla_compliance"] is None


def test_the_period_is_half_open(history):
    s = summary(**{"from": "2026-11-01", "to": "2026-11-03"})
    assert s["count"] == 1  # e1 at 1 Nov 00:00 counts; e2 at 3 Nov 00:00 does not


@override_settings(TIME_ZONE="America/New_York")
def test_period_dates_are_read_in_the_time_zone(db):
    account = make_account(arr=1000)
    # 31 Oct 23:00 in New York (EDT): before the period.
    make_escalation(account, opened_at=datetime(2026, 11, 1, 3, tzinfo=UTC))
    # 30 Nov 23:00 in New York (EST): inside it.
    make_escalation(account, opened_at=datetime(2026, 12, 1, 4, tzinfo=UTC))
    assert summary()["count"] == 1


def test_it_filters_by_tier(history):
    s = summary(tier="1")  # e1 e2 e9; one Tier-1 account
    assert s["count"] == 3 and s["open"] == 1
    assert s["mttr_hours"] == pytest.approx((10 + 72) / 2)
    assert s["sla_compliance"] == pytest.approx(1 / 3)
    assert s["per_100_accounts"] == pytest.approx(300)
    assert s["reescalation_rate"] == pytest.approx(2 / 3)
    standard = summary(tier="standard")  # e5; two Standard accounts
    assert standard["count"] == 1 and standard["per_100_accounts"] == pytest.approx(50)
    assert standard["first_response_hours"] is None and standard["csat"] is None
    assert standard["mttr_hours"] == pytest.approx(24) and standard["sla_compliance"] == 1


def test_it_filters_by_type_and_severity(history):
    assert summary(type="commercial")["count"] == 1
    high = summary(severity="high")  # e2 (late) and e3 (open, past due)
    assert high["count"] == 2 and high["sla_compliance"] == 0
    assert high["first_response_hours"] == pytest.approx(2)
    assert summary(type="technical", severity="critical")["count"] == 1


def test_it_filters_by_csm(db, csm):
    build(csm=csm)
    q = QueryDict(mutable=True)
    q.update({"from": "2026-11-01", "to": "2026-12-01", "csm": str(csm.pk)})
    form = reports.ReportFilters(q)
    assert form.is_valid(), form.errors
    s = reports.summary(form, NOW)
    assert s["count"] == 3 and s["per_100_accounts"] == pytest.approx(300)  # 1 account


def test_it_reports_the_targets(db):
    assert summary()["targets"] == {
        "mttr_hours": 24,
        "sla_compliance": 0.95,
        "first_response_hours": 1,
        "per_100_accounts": 5,
        "reescalation_rate": 0.10,
        "csat": 4,
    }


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2026-13-01"},
        {"from": "01/11/2026"},
        {"to": "2026-10-01"},
        {"tier": "5"},
        {"type": "billing"},
        {"severity": "urgent"},
    ],
)
def test_it_rejects_bad_dates_and_filters(params):
    q = QueryDict(mutable=True)
    q.update({"from": "2026-11-01", "to": "2026-12-01", **params})
    assert not reports.ReportFilters(q).is_valid()


def test_met_and_missed_follow_the_direction_of_each_target():
    mttr, sla = reports.METRICS[0], reports.METRICS[1]
    assert reports.is_met(mttr, 23.9, 24) is True and reports.is_met(mttr, 24, 24) is False
    assert reports.is_met(sla, 0.96, 0.95) is True and reports.is_met(sla, 0.95, 0.95) is False
    assert reports.is_met(sla, None, 0.95) is None


def test_figures_are_null_when_nothing_to_average():
    f = reports.figures(reports.Totals(), accounts=0)
    assert f["count"] == 0
    assert all(f[k] is None for k in f if k not in ("count", "open"))


def test_each_breakdown_row_equals_the_report_filtered_to_it(history):
    q = QueryDict(mutable=True)
    q.update({"from": "2026-11-01", "to": "2026-12-01"})
    form = reports.ReportFilters(q)
    assert form.is_valid()
    report = reports.build_report(form, NOW)
    by_tier, by_type, by_severity = (dict(b.rows) for b in report.breakdowns)
    tier1 = summary(tier="1")
    assert by_tier["Tier 1 Strategic"] == {k: v for k, v in tier1.items() if k != "targets"}
    assert by_tier["Standard"]["count"] == 1
    high = summary(severity="high")
    assert by_severity["High"]["sla_compliance"] == high["sla_compliance"] == 0
    assert by_severity["High"]["count"] == 2
    assert by_type["Commercial"]["count"] == 1
    assert sum(values["count"] for values in by_type.values()) == 6
    november = dict(report.trend)[date(2026, 11, 1)]
    assert november == {k: v for k, v in summary().items() if k != "targets"}
