"""Every job kind leaves a heartbeat; a scheduled kind that stops succeeding is shown
stale on /healthz and in the admin, and admins are alerted once per episode."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rq import Queue

from tests.factories import make_user
from vipdesk.alerts.models import Alert
from vipdesk.cron import check_heartbeats, stale_jobs
from vipdesk.models import JobHeartbeat
from vipdesk.worker import Worker

SWEEP = "tickets.routing.jobs.sweep_pending_routing"
WEEKLY = "vipdesk.insight.weekly_report.send_weekly_reports"
MONITOR = "tickets.sla.jobs.monitor_slas"


def ok_job():
    return 1


def bad_job():
    raise RuntimeError("boom")


@pytest.mark.django_db(transaction=True)
@pytest.mark.rq
def test_the_worker_records_a_heartbeat_per_job_kind(redis_connection):
    queue = Queue("default", connection=redis_connection)
    queue.enqueue(ok_job)
    queue.enqueue(bad_job)
    Worker([queue], connection=redis_connection).work(burst=True)
    ok = JobHeartbeat.objects.get(kind="tests.jobs.test_heartbeats.ok_job")
    bad = JobHeartbeat.objects.get(kind="tests.jobs.test_heartbeats.bad_job")
    assert ok.last_success_at and not ok.last_error
    assert bad.last_success_at is None and "RuntimeError: boom" in bad.last_error


@pytest.mark.django_db
def test_a_scheduled_kind_is_stale_after_missing_two_periods():
    now = timezone.now()
    JobHeartbeat.objects.create(kind=SWEEP, last_success_at=now - timedelta(seconds=119))
    JobHeartbeat.objects.create(kind=MONITOR, last_success_at=now - timedelta(minutes=4))
    JobHeartbeat.objects.create(kind=WEEKLY, last_success_at=now - timedelta(days=8))
    JobHeartbeat.objects.create(kind="not.scheduled", last_success_at=now - timedelta(days=30))
    assert [b.kind for b in stale_jobs(now)] == [MONITOR]


@pytest.mark.django_db
def test_admins_are_alerted_once_and_healthz_says_degraded(client, admin_user, csm):
    now = timezone.now()
    JobHeartbeat.objects.create(
        kind=MONITOR, last_success_at=now - timedelta(minutes=10), last_error="ConnectionError"
    )
    assert client.get("/healthz").json()["stale_jobs"] == [MONITOR]
    assert client.get("/healthz").json()["status"] == "degraded"
    superuser = make_user("root", is_superuser=True)
    assert check_heartbeats(now) == 2
    assert check_heartbeats(now) == 0
    alerted = set(Alert.objects.filter(kind="job_stale").values_list("user", flat=True))
    assert alerted == {admin_user.pk, superuser.pk}


@pytest.mark.django_db
def test_the_admin_lists_heartbeats_with_staleness(client, admin_user):
    JobHeartbeat.objects.create(kind=MONITOR, last_success_at=timezone.now() - timedelta(hours=1))
    client.force_login(admin_user)
    page = client.get("/admin/vipdesk/jobheartbeat/")
    assert page.status_code == 200 and MONITOR in page.text
    assert 'alt="True"' in page.text  # stale
