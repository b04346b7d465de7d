"""Drain jobs: deliveries in the inbox become routed tickets, and stored tickets
pending routing get routed. Thin: the work is tickets.intake.drain and
tickets.routing.actions.

The one way to ask: a writer stores a delivery (tickets/intake/inbox.py) or sets a
ticket's routed=False (the CSV import, attaching an account to an unmatched ticket, an
admin's "route again"), then calls `request_routing_on_commit()`. After the commit,
`request_routing()` makes sure a drainer will look; without Redis (the embedded demo)
it drains inline.

Several drainers run at once, each on batches no other holds (SELECT … FOR UPDATE
SKIP LOCKED), with no global lock. Redis keys only keep the number of jobs small:
ROUTING_REQUESTED ("something is waiting") and one key per drainer slot
(DRAINER_SCHEDULED is slot 0; settings.INTAKE_DRAINERS slots), each with a TTL so a
killed drainer cannot block intake. A request schedules the slot-0 drainer unless it
is scheduled already; a drainer that finds a full batch waiting starts the next free
slot's drainer, so drainers are added while a backlog lasts and let go once it is
gone. A drainer releases its slot atomically and only when no request came since its
last pass, so every request either is seen by a running drainer or schedules a new
one. If Redis is down, nothing is lost: the rows stay pending and
`sweep_pending_routing` (every 30 s, from vipdesk/cron.py) drains them. Every job is
idempotent: running it twice is harmless.

Settings (getattr defaults): ROUTING_BATCH_SIZE = 200 rows or tickets per transaction,
ROUTING_DRAIN_SECONDS = 60 (a drain then hands over to a new job, well inside the job
timeout), ROUTING_SWEEP_AFTER_SECONDS = 30 (how long a row may wait before the sweep
takes it), ROUTING_PASS_SECONDS = 0.25 (a pass that found less than a full batch is
followed by the next one no sooner than this after it began: deliveries gather into
batches instead of being drained a few at a time, each batch's dozen queries shared by
more tickets, for at most this much more delay).
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from redis.exceptions import RedisError

from tickets.intake.drain import drain_inbox
from tickets.models import Ticket
from tickets.routing.actions import Contexts, route_tickets
from vipdesk.lib.jobs import default_retry, get_queue

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
PASS_SECONDS = 0.25


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


def slot_key(slot: int) -> str:
    return DRAINER_SCHEDULED if slot == 0 else f"{DRAINER_SCHEDULED}:{slot}"


def request_routing_on_commit() -> None:
    transaction.on_commit(request_routing, robust=True)


def request_routing() -> None:
    """A delivery or a ticket was committed pending: make sure a drainer will look."""
    if not settings.REDIS_URL:
        drain_all()
        return
    queue = get_queue("high")
    try:
        pipe = queue.connection.pipeline(transaction=False)  # one round trip, no MULTI
        pipe.set(ROUTING_REQUESTED, 1)
        pipe.set(DRAINER_SCHEDULED, 1, nx=True, ex=DRAINER_TTL_SECONDS)
        _, scheduled = pipe.execute()
        if scheduled:
            enqueue_drainer(0)
    except RedisError:
        logger.warning("Redis unavailable: routing left for the sweep", exc_info=True)


def enqueue_drainer(slot: int) -> None:
    get_queue("high").enqueue(
        drain_routing, slot, job_id=f"route-drain-{slot}-{time.time_ns()}", retry=default_retry()
    )


def drain_all(deadline: float | None = None, contexts: Contexts | None = None) -> int:
    """Drain the inbox, then route the stored tickets pending routing."""
    batch_size = getattr(settings, "ROUTING_BATCH_SIZE", BATCH_SIZE)
    contexts = contexts or Contexts()
    drained = drain_inbox(batch_size=batch_size, deadline=deadline, contexts=contexts)
    return drained + route_pending(batch_size=batch_size, deadline=deadline, contexts=contexts)


def drain_routing(slot: int = 0) -> int:
    """Job: drain until a pass finds that nobody asked for more."""
    redis = get_queue("high").connection
    release = redis.register_script(RELEASE_DRAINER)
    deadline = time.monotonic() + getattr(settings, "ROUTING_DRAIN_SECONDS", 60)
    batch_size = getattr(settings, "ROUTING_BATCH_SIZE", BATCH_SIZE)
    key, total = slot_key(slot), 0
    contexts = Contexts()  # across the passes of this job (it hands over within a minute)
    pass_seconds = getattr(settings, "ROUTING_PASS_SECONDS", PASS_SECONDS)
    while True:
        began = time.monotonic()
        redis.delete(ROUTING_REQUESTED)
        redis.expire(key, DRAINER_TTL_SECONDS)
        drained = drain_all(deadline, contexts)
        total += drained
        if drained >= batch_size:
            add_drainer(redis)
        else:
            time.sleep(max(0.0, began + pass_seconds - time.monotonic()))
        if time.monotonic() > deadline:
            # Hand over to a fresh job (still scheduled) rather than run past its timeout.
            enqueue_drainer(slot)
            return total
        if release(keys=[ROUTING_REQUESTED, key]):
            return total


def add_drainer(redis) -> None:
    """A backlog: start the drainer of the next free slot, if any."""
    for slot in range(1, settings.INTAKE_DRAINERS):
        if redis.set(slot_key(slot), 1, nx=True, ex=DRAINER_TTL_SECONDS):
            redis.set(ROUTING_REQUESTED, 1)
            enqueue_drainer(slot)
            return


def route_pending(
    batch_size: int = BATCH_SIZE,
    older_than: timedelta | None = None,
    deadline: float | None = None,
    contexts: Contexts | None = None,
) -> int:
    """Route every stored ticket pending routing, in batches (the routing context
    from `contexts`); tickets another drainer holds are left to it; a ticket that
    fails is marked failed and passed over. Returns how many were routed."""
    pending = Ticket.objects.pending_routing()
    if older_than is not None:
        pending = pending.filter(updated_at__lte=timezone.now() - older_than)
    contexts = contexts or Contexts()
    total, last_pk = 0, 0
    while True:
        ids = list(
            pending.filter(pk__gt=last_pk).order_by("pk").values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return total
        total += route_tickets(ids, contexts.get(), skip_locked=True, pending_only=True)
        last_pk = ids[-1]
        if deadline is not None and time.monotonic() > deadline:
            return total


def sweep_pending_routing() -> int:
    """Periodic job: drain inbox rows and route tickets still pending
    ROUTING_SWEEP_AFTER_SECONDS after their last change (their job was lost, e.g. Redis
    was down, or a drainer died). Looks back over everything pending, so missed runs
    are caught up."""
    after = timedelta(seconds=getattr(settings, "ROUTING_SWEEP_AFTER_SECONDS", 30))
    drained = drain_inbox(received_before=timezone.now() - after)
    return drained + route_pending(older_than=after)
