"""Routing jobs. Thin: take ids, call tickets.routing_actions, which does the work.

Intake enqueues `route_ticket` after commit with a deterministic id per ticket
version (f"route-ticket-{id}-{version}") and a retry policy. If Redis is down
the ticket stays routed=False and `sweep_pending_routing` (every minute, from
vipdesk/cron.py) routes it. Every job is idempotent: running it twice is harmless.

Settings (getattr defaults): ROUTING_BATCH_SIZE = 100 tickets per transaction,
ROUTING_DRAIN_SECONDS = 60 (a drain then hands over to a new job, well inside the
job timeout), ROUTING_SWEEP_AFTER_SECONDS = 30 (how long a ticket may stay pending
before the sweep takes it).
"""

import time
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import connection

from tickets.models import Ticket
from tickets.routing_actions import make_context, route_tickets
from vipdesk.lib.jobs import run_or_enqueue

BATCH_SIZE = 200


ROUTING_LOCK = "vipdesk.routing.drain"


def route_ticket(ticket_id: int) -> int:
    """Job: make sure this ticket gets routed; returns how many tickets this job routed.

    A routed ticket is up to date (intake sets routed=False whenever something routing
    depends on changes): nothing to do. Otherwise the job drains: under a
    PostgreSQL advisory lock it routes every pending ticket in batches of
    ROUTING_BATCH_SIZE, policies and agents loaded once per batch. A job that finds
    the lock taken returns at once: the holder routes its ticket, because the ticket
    was committed before this job ran, and the holder looks for pending tickets once
    more after releasing the lock. So under load one worker routes big batches and
    the other jobs cost a query each."""
    if not Ticket.objects.filter(pk=ticket_id, routed=False).exists():
        return 0
    deadline = time.monotonic() + getattr(settings, "ROUTING_DRAIN_SECONDS", 60)
    batch_size = getattr(settings, "ROUTING_BATCH_SIZE", 100)
    total, failed = 0, set()
    while True:
        with routing_lock() as acquired:
            if not acquired:
                return total
            routed = route_pending(batch_size=batch_size, failed=failed, deadline=deadline)
        total += routed
        if not routed:
            # What is left is failing or locked by a writer (whose commit enqueues its
            # own job): no point spinning; the sweep is the backstop.
            return total
        pending = (
            Ticket.objects.pending_routing()
            .exclude(pk__in=failed)
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
        )
        if pending is None:
            return total
        if time.monotonic() > deadline:
            # Hand over to a fresh job rather than run past the job timeout.
            run_or_enqueue(
                route_ticket,
                pending,
                job_id=f"route-ticket-{pending}-drain-{time.time_ns()}",
                queue="high",
            )
            return total


@contextmanager
def routing_lock():
    """A session-level PostgreSQL advisory lock (try, never wait); always granted on
    other databases (the embedded SQLite demo routes inline, one process)."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [ROUTING_LOCK])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [ROUTING_LOCK])


def route_pending(
    batch_size: int = BATCH_SIZE,
    older_than: timedelta | None = None,
    failed: set[int] | None = None,
    deadline: float | None = None,
) -> int:
    """Route every ticket with routed=False, in batches, policies and agents loaded
    once; tickets another job holds locked are left to it; a ticket that fails is
    logged and passed over. Returns how many were routed."""
    ctx = make_context()
    failed = set() if failed is None else failed
    pending = Ticket.objects.pending_routing()
    if older_than is not None:
        pending = pending.filter(updated_at__lte=ctx.now - older_than)
    total, last_pk = 0, 0
    while True:
        ids = list(
            pending.filter(pk__gt=last_pk).order_by("pk").values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return total
        total += route_tickets(ids, ctx, skip_locked=True, failed=failed)
        last_pk = ids[-1]
        if deadline is not None and time.monotonic() > deadline:
            return total


def sweep_pending_routing() -> int:
    """Periodic job: route tickets still pending ROUTING_SWEEP_AFTER_SECONDS after their
    last change (their job was lost, e.g. Redis was down). Looks back over everything
    pending, so missed runs are caught up."""
    after = getattr(settings, "ROUTING_SWEEP_AFTER_SECONDS", 30)
    return route_pending(older_than=timedelta(seconds=after))
