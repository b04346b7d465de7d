"""The backtest page: admins run a draft, compare both sets of figures, save (audited)."""

from datetime import UTC, datetime

import pytest

from accounts.models import PolicyChange, ScoreWeights
from tests.factories import make_account, make_escalation, make_ticket
from vipdesk.insight.backtest_views import DRAFT_FIELDS
from vipdesk.insight.models import BacktestRun

pytestmark = pytest.mark.django_db

PERIOD = {"period_from": "2026-03-01", "period_to": "2026-03-14"}


def draft_data(client, **changes):
    form = client.get("/admin/backtest/").context["weights_form"]
    data = {name: form[name].value() for name in form.fields}
    return {**data, **PERIOD, **changes}


@pytest.fixture
def history():
    account = make_account("Escalated")
    for hour in range(5):
        make_ticket(account, created_at=datetime(2026, 3, 5, 10 + hour, tzinfo=UTC))
    make_escalation(account, opened_at=datetime(2026, 3, 9, 6, tzinfo=UTC))


def run_draft(admin_client, django_capture_on_commit_callbacks, **changes):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post("/admin/backtest/run/", draft_data(admin_client, **changes))
    assert response.status_code == 302
    return BacktestRun.objects.get()


def test_it_runs_a_draft_and_shows_both_sets_of_figures(
    admin_client, history, django_capture_on_commit_callbacks
):
    run = run_draft(admin_client, django_capture_on_commit_callbacks, ticket_frequency_points=90)
    assert run.status == "finished" and run.draft == {"ticket_frequency_points": 90}
    assert set(run.results) == {"saved", "draft"}
    assert run.results["draft"]["70"]["recall"]["72h"] == 1.0
    assert run.results["saved"]["70"]["recall"]["72h"] == 0.0
    page = admin_client.get(f"/admin/backtest/?run={run.pk}")
    assert page.status_code == 200
    lines = dict((label, (s, d)) for label, s, d, _ in page.context["tables"][0]["lines"])
    assert lines["Flagged ≥ 72 hours ahead"] == ("0%", "100%")
    assert b"recall-chart-data" in page.content and b"weekly-chart-data" in page.content
    assert ScoreWeights.load().ticket_frequency_points == 19  # nothing saved yet


def test_saving_a_draft_changes_the_weights_with_an_audit_entry(
    admin_client, admin_user, history, django_capture_on_commit_callbacks
):
    run = run_draft(admin_client, django_capture_on_commit_callbacks, ticket_frequency_points=90)
    response = admin_client.post(f"/admin/backtest/{run.pk}/save/")
    assert response.status_code == 302
    assert ScoreWeights.load().ticket_frequency_points == 90
    change = PolicyChange.objects.get()
    assert change.user == admin_user and change.changes == {"ticket_frequency_points": [19, 90]}


def test_the_csv_lists_each_escalation_with_both_leads(
    admin_client, history, django_capture_on_commit_callbacks
):
    run = run_draft(admin_client, django_capture_on_commit_callbacks, ticket_frequency_points=90)
    response = admin_client.get(f"/admin/backtest/{run.pk}.csv")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].startswith("code,external_id,account,opened_at,saved_first_crossed_at")
    assert lines[1].endswith(",2026-03-06T00:00:00+00:00,78.0")


def test_a_draft_can_change_how_a_factor_is_defined(
    admin_client, history, django_capture_on_commit_callbacks
):
    # 5 tickets in a few hours: a spike only while a spike may be 5 tickets or fewer.
    run = run_draft(
        admin_client,
        django_capture_on_commit_callbacks,
        ticket_frequency_points=90,
        ticket_spike_min_tickets=6,
    )
    assert run.draft == {"ticket_frequency_points": 90, "ticket_spike_min_tickets": 6}
    assert run.results["draft"]["70"]["recall"]["72h"] == 0.0
    page = admin_client.get(f"/admin/backtest/?run={run.pk}")
    assert b"<code>ticket_spike_min_tickets = 6</code>" in page.content
    assert b'name="usage_recent_weeks"' in page.content  # every setting is in the draft form


def test_the_usage_windows_of_a_draft_must_fit_the_weeks_kept(
    admin_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            "/admin/backtest/run/",
            draft_data(admin_client, usage_recent_weeks=4, usage_baseline_weeks=10),
        )
    assert not BacktestRun.objects.exists()


def test_suggested_weights_come_as_a_draft_of_points_and_factor_settings(
    admin_client, history, django_capture_on_commit_callbacks
):
    for _ in range(5):
        make_account()  # quiet accounts: days not followed by an escalation
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post("/admin/backtest/suggest/", PERIOD)
    run = BacktestRun.objects.get()
    assert run.status == "finished" and run.suggested
    assert set(run.draft) <= set(DRAFT_FIELDS)
    assert run.draft and set(run.results) == {"saved", "draft"}


def test_an_invalid_draft_runs_nothing(admin_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post("/admin/backtest/run/", draft_data(admin_client, leadership_threshold=60))
    assert not BacktestRun.objects.exists()


def test_it_is_for_staff_only(client, csm):
    client.force_login(csm)
    assert client.get("/admin/backtest/").status_code == 302  # to the admin login
    assert client.post("/admin/backtest/run/", PERIOD).status_code == 302
    assert not BacktestRun.objects.exists()


def test_writes_require_post(admin_client):
    assert admin_client.get("/admin/backtest/run/").status_code == 405
    assert admin_client.get("/admin/backtest/suggest/").status_code == 405
