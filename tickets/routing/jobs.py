"""Routing jobs. Thin: take ids, call tickets.routing.actions, which does the work.

The one way to ask for routing: a writer sets the ticket's routed=False and calls
`request_routing_on_commit()` (intake for every source, the CSV import, attaching an
account to an unmatched ticket). After the commit, `request_routing()` makes sure a
drainer will look; without Redis (the embedded demo) it routes inline. One drainer job at a time
(`drain_routing`) routes every pending ticket in batches, so RQ's per-job cost is
paid per drain, not per ticket. Two Redis keys coordinate it: ROUTING_REQUESTED
("a ticket is waiting") and DRAINER_SCHEDULED ("a drainer will look", with a TTL
so a killed drainer cannot block routing). The drainer releases DRAINER_SCHEDULED
atomically and only when no request came since its last pass, so every request
either is seen by the running drainer or schedules a new one. If Redis is down
the ticket stays routed=False and `sweep_pending_routing` (every 30 s, from
vipdesk/cron.py) routes it. Every job is idempotent: running it twice is harmless.

Settings (getattr defaults): ROUTING_BATCH_SIZE = 100 tickets per transaction,
ROUTING_DRAIN_SECONDS = 60 (a drain then hands over to a new job, well inside the
job timeout), ROUTING_SWEEP_AFTER_SECONDS = 30 (how long a ticket may stay pending
before the sweep takes it).
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from redis.exceptions import RedisError

from tickets.models import Ticket
from tickets.routing.actions import make_context, route_tickets
from vipdesk.lib.jobs import default_retry, get_queue
from vipdesk.lib.locks import advisory_lock

logger = logging.getLogger(__name__)

BATCH_SIZE = 200


ROUTING_LOCK = "vipdesk.routing.drain"
ROUTING_REQUESTED = "vipdesk:routing:requested"
DRAINER_SCHEDULED = "vipdesk:routing:drainer-scheduled"
DRAINER_TTL_SECONDS = 120
# Let the drainer go only if nobody asked for routing since its last pass.
RELEASE_DRAINER = """
if redis.call('exists', KEYS[1]) == 0 then
    redis.call('del', KEYS[2])
    return 1
end
return 0
"""


def request_routing_on_commit() -> None:
    transaction.on_commit(request_routing, robust=True)


def request_routing() -> None:
    """A ticket was committed pending routing: make sure a drainer will route it."""
    if not settings.REDIS_URL:
        route_pending()
        return
    queue = get_queue("high")
    try:
        pipe = queue.connection.pipeline()
        pipe.set(ROUTING_REQUESTED, 1)
        pipe.set(DRAINER_SCHEDULED, 1, nx=True, ex=DRAINER_TTL_SECONDS)
        _, scheduled = pipe.execute()
        if scheduled:
            queue.enqueue(
                drain_routing, job_id=f"route-drain-{time.time_ns()}", retry=default_retry()
            )
    except RedisError:
        logger.warning("Redis unavailable: routing left for the sweep", exc_info=True)


def drain_routing() -> int:
    """Job: route pending tickets until a pass finds that nobody asked for more."""
    redis = get_queue("high").connection
    release = redis.register_script(RELEASE_DRAINER)
    deadline = time.monotonic() + getattr(settings, "ROUTING_DRAIN_SECONDS", 60)
    batch_size = getattr(settings, "ROUTING_BATCH_SIZE", 100)
    total = 0
    while True:
        redis.delete(ROUTING_REQUESTED)
        redis.expire(DRAINER_SCHEDULED, DRAINER_TTL_SECONDS)
        with advisory_lock(ROUTING_LOCK) as acquired:
            if acquired:
                total += route_pending(batch_size=batch_size, deadline=deadline)
            else:
                # Another drainer holds it (its key's TTL lapsed): look again after it.
                redis.set(ROUTING_REQUESTED, 1)
                time.sleep(0.05)
        if time.monotonic() > deadline:
            # Hand over to a fresh job (still scheduled) rather than run past its timeout.
            get_queue("high").enqueue(
                drain_routing, job_id=f"route-drain-{time.time_ns()}", retry=default_retry()
            )
            return total
        if release(keys=[ROUTING_REQUESTED, DRAINER_SCHEDULED]):
            return total


def route_pending(
    batch_size: int = BATCH_SIZE,
    older_than: timedelta | None = None,
    deadline: float | None = None,
) -> int:
    """Route every pending ticket, in batches, policies and agents loaded once; tickets
    another job holds locked are left to it; a ticket that fails is marked failed and
    passed over. Returns how many were routed."""
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
        if deadline is not None and time.monotonic() > deadline:
            return total


def sweep_pending_routing() -> int:
    """Periodic job: route tickets still pending ROUTING_SWEEP_AFTER_SECONDS after their
    last change (their job was lost, e.g. Redis was down). Looks back over everything
    pending, so missed runs are caught up."""
    after = getattr(settings, "ROUTING_SWEEP_AFTER_SECONDS", 30)
    return route_pending(older_than=timedelta(seconds=after))
