"""Operations figures computed at scrape time (a prometheus_client custom collector).

A handful of indexed queries per scrape: the intake backlog uses the pending-routing
partial index, recent breaches the breach-time indexes."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Min, Q
from django.utils import timezone
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    SummaryMetricFamily,
)
from redis.exceptions import RedisError
from rq.registry import FailedJobRegistry

from tickets.models import InboxDelivery, Ticket
from vipdesk.lib.jobs import get_queue
from vipdesk.metrics import job_stats

logger = logging.getLogger(__name__)

BREACH_WINDOW = timedelta(hours=1)


class OperationsCollector:
    def collect(self):
        now = timezone.now()
        yield from backlog(now)
        yield breaches(now)
        if settings.REDIS_URL:
            try:
                yield from jobs()
            except RedisError:
                logger.warning("metrics: Redis unreachable, job figures left out", exc_info=True)


def backlog(now):
    found = Ticket.objects.pending_routing().aggregate(n=Count("pk"), oldest=Min("created_at"))
    # Deliveries acknowledged and waiting in the inbox for a drainer count too.
    waiting = InboxDelivery.objects.filter(state=InboxDelivery.State.PENDING).aggregate(
        n=Count("pk"), oldest=Min("received_at")
    )
    yield GaugeMetricFamily(
        "vipdesk_intake_unrouted_tickets",
        "Tickets received but not routed yet (in the inbox or stored).",
        found["n"] + waiting["n"],
    )
    oldest = min((t for t in (found["oldest"], waiting["oldest"]) if t), default=None)
    age = (now - oldest).total_seconds() if oldest else 0
    yield GaugeMetricFamily(
        "vipdesk_intake_oldest_unrouted_age_seconds",
        "Age of the oldest ticket not routed yet (0 when none wait).",
        max(age, 0),
    )


def breaches(now):
    since = now - BREACH_WINDOW
    found = Ticket.objects.filter(
        Q(first_response_breached_at__gt=since) | Q(resolution_breached_at__gt=since)
    ).aggregate(
        first_response=Count("pk", filter=Q(first_response_breached_at__gt=since)),
        resolution=Count("pk", filter=Q(resolution_breached_at__gt=since)),
    )
    family = GaugeMetricFamily(
        "vipdesk_sla_breaches_last_hour",
        "SLAs whose due time passed unmet in the last hour, by SLA.",
        labels=["sla"],
    )
    for sla, count in found.items():
        family.add_metric([sla], count)
    return family


def jobs():
    connection = get_queue("default").connection
    stats = job_stats.read(connection)
    duration = SummaryMetricFamily(
        "vipdesk_job_duration_seconds", "Run time of successful jobs.", labels=["job"]
    )
    failures = CounterMetricFamily(
        "vipdesk_job_failures", "Job attempts that failed (retried or not).", labels=["job"]
    )
    last = GaugeMetricFamily(
        "vipdesk_job_last_success_timestamp_seconds",
        "When each job (scheduled ones included) last succeeded.",
        labels=["job"],
    )
    for name, s in stats.items():
        duration.add_metric([name], s.runs, s.seconds)
        failures.add_metric([name], s.failures)
        if s.last_success is not None:
            last.add_metric([name], s.last_success)
    yield from (duration, failures, last)
    failed = GaugeMetricFamily(
        "vipdesk_rq_failed_jobs", "Jobs in RQ's failed registry (out of retries).", labels=["queue"]
    )
    queued = GaugeMetricFamily(
        "vipdesk_rq_queued_jobs", "Jobs waiting, per queue.", labels=["queue"]
    )
    for name in settings.RQ_QUEUES:
        queue = get_queue(name)
        failed.add_metric([name], FailedJobRegistry(queue=queue).count)
        queued.add_metric([name], queue.count)
    yield from (failed, queued)
