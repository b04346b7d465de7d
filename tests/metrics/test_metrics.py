"""/metrics: who may read it, and each named series moving when the thing happens."""

from datetime import timedelta
from ipaddress import ip_network

import pytest
from django.test import TestCase
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from tests.factories import make_account, make_ticket
from tests.intake.test_jobs import use_test_redis
from tickets.models import Ticket
from vipdesk.lib.jobs import get_queue
from vipdesk.worker import Worker

TOKEN = "metrics-test-token"


@pytest.fixture(autouse=True)
def metrics_token(settings):
    settings.METRICS_TOKEN = TOKEN


def scrape(client) -> dict:
    """{(sample name, sorted labels): value} of one scrape."""
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.content.decode())
        for s in family.samples
    }


def value(samples: dict, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0)


def explode():
    raise RuntimeError("boom")


class TestAccess:
    def test_it_refuses_anonymous_requests(self, client, db):
        response = client.get("/metrics")
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'

    def test_it_refuses_a_wrong_token(self, client, db):
        response = client.get("/metrics", headers={"Authorization": "Bearer guess"})
        assert response.status_code == 401

    def test_a_signed_in_user_still_needs_the_token(self, client, admin_user):
        client.force_login(admin_user)
        assert client.get("/metrics").status_code == 401

    def test_it_answers_the_token(self, client, db):
        response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/plain; version=")

    def test_it_answers_an_allowed_network_without_token(self, client, db, settings):
        settings.METRICS_ALLOWED_NETWORKS = [ip_network("10.0.0.0/8")]
        assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
        assert client.get("/metrics", REMOTE_ADDR="192.168.1.1").status_code == 401

    def test_it_refuses_everyone_when_nothing_is_configured(self, client, db, settings):
        settings.METRICS_TOKEN = ""
        assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 401

    def test_it_requires_get(self, client, db):
        response = client.post("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.status_code == 405


def test_request_latency_is_counted_per_view(client, db):
    name = "django_http_requests_latency_seconds_by_view_method_count"
    before = value(scrape(client), name, view="healthz", method="GET")
    client.get("/healthz")
    assert value(scrape(client), name, view="healthz", method="GET") == before + 1


def test_the_backlog_counts_unrouted_tickets_and_the_oldest_age(client, db):
    samples = scrape(client)
    assert value(samples, "vipdesk_intake_unrouted_tickets") == 0
    assert value(samples, "vipdesk_intake_oldest_unrouted_age_seconds") == 0
    make_ticket(created_at=timezone.now() - timedelta(minutes=10))
    make_ticket()
    samples = scrape(client)
    assert value(samples, "vipdesk_intake_unrouted_tickets") == 2
    assert 600 <= value(samples, "vipdesk_intake_oldest_unrouted_age_seconds") < 660
    Ticket.objects.update(routed=True)
    assert value(scrape(client), "vipdesk_intake_unrouted_tickets") == 0


def test_breaches_of_the_last_hour_are_counted_per_sla(client, db):
    now = timezone.now()
    make_ticket(first_response_breached_at=now - timedelta(minutes=5))
    make_ticket(first_response_breached_at=now - timedelta(hours=2))  # too old
    make_ticket(
        first_response_breached_at=now - timedelta(minutes=50),
        resolution_breached_at=now - timedelta(minutes=1),
    )
    samples = scrape(client)
    assert value(samples, "vipdesk_sla_breaches_last_hour", sla="first_response") == 2
    assert value(samples, "vipdesk_sla_breaches_last_hour", sla="resolution") == 1


def test_the_scrape_costs_the_same_few_queries(client, db, django_assert_num_queries):
    make_ticket()
    # Stored tickets pending routing, deliveries waiting in the inbox, recent breaches.
    with django_assert_num_queries(3):
        scrape(client)


@pytest.mark.rq
def test_jobs_report_durations_failures_and_last_success(client, db, settings, redis_connection):
    use_test_redis(settings)
    ticket = make_ticket(make_account(arr=200_000))
    high, default = get_queue("high"), get_queue("default")
    high.enqueue("tickets.routing.jobs.drain_routing")
    default.enqueue("vipdesk.insight.jobs.rescore_requested")  # what routing asked for
    default.enqueue(explode)
    worker = Worker([high, default], connection=high.connection)
    with TestCase.captureOnCommitCallbacks(execute=True):
        worker.work(burst=True)
    ticket.refresh_from_db()
    assert ticket.routed

    samples = scrape(client)
    route = "tickets.routing.jobs.drain_routing"
    rescore = "vipdesk.insight.jobs.rescore_requested"
    failing = "tests.metrics.test_metrics.explode"
    assert value(samples, "vipdesk_job_duration_seconds_count", job=route) == 1
    assert value(samples, "vipdesk_job_duration_seconds_sum", job=route) > 0
    assert value(samples, "vipdesk_job_duration_seconds_count", job=rescore) == 1
    assert value(samples, "vipdesk_job_last_success_timestamp_seconds", job=route) == (
        pytest.approx(timezone.now().timestamp(), abs=60)
    )
    assert value(samples, "vipdesk_job_failures_total", job=failing) == 1
    assert value(samples, "vipdesk_job_failures_total", job=route) == 0
    assert value(samples, "vipdesk_rq_failed_jobs", queue="default") == 1
    assert value(samples, "vipdesk_rq_queued_jobs", queue="high") == 0
    assert (
        "vipdesk_job_last_success_timestamp_seconds",
        (("job", failing),),
    ) not in samples
