"""Routing jobs. Thin: take ids, call tickets.actions, which does the work.

Intake enqueues `route_ticket` after commit with a deterministic id per ticket
version (f"route-ticket-{id}-{version}") and a retry policy. If Redis is down
the ticket stays routed=False and `sweep_pending_routing` (every minute, from
vipdesk/cron.py) routes it. Every job is idempotent: running it twice is harmless.
"""

from datetime import timedelta

from django.conf import settings

from tickets.actions import make_context, route_tickets
from tickets.models import Ticket

BATCH_SIZE = 200


def route_ticket(ticket_id: int) -> int:
    """Job: route this ticket if it is still pending, together with up to
    ROUTING_BATCH_SIZE - 1 other pending tickets (oldest first), policies and agents
    loaded once. Their own jobs then find them routed and return at once, so under
    load the per-job cost (policy queries, job overhead) is paid once per batch.
    Tickets another worker holds locked are left to it (SKIP LOCKED).

    A routed ticket is up to date: intake sets routed=False whenever something
    routing depends on changes. Returns how many tickets this job routed."""
    if not Ticket.objects.filter(pk=ticket_id, routed=False).exists():
        return 0
    size = getattr(settings, "ROUTING_BATCH_SIZE", 100)
    others = (
        Ticket.objects.pending_routing()
        .exclude(pk=ticket_id)
        .order_by("pk")
        .values_list("pk", flat=True)[: max(size - 1, 0)]
    )
    return route_tickets([ticket_id, *others], skip_locked=True)


def route_pending(batch_size: int = BATCH_SIZE, older_than: timedelta | None = None) -> int:
    """Route every ticket with routed=False, in batches, policies and agents loaded
    once; tickets another job holds locked are left to it. Returns how many were routed."""
    ctx = make_context()
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
        total += route_tickets(ids, ctx, skip_locked=True)
        last_pk = ids[-1]


def sweep_pending_routing() -> int:
    """Periodic job: route tickets still pending ROUTING_SWEEP_AFTER_SECONDS after their
    last change (their job was lost, e.g. Redis was down). Looks back over everything
    pending, so missed runs are caught up."""
    after = getattr(settings, "ROUTING_SWEEP_AFTER_SECONDS", 30)
    return route_pending(older_than=timedelta(seconds=after))
