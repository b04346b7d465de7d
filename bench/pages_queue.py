"""Server time of the support pages (queue, unmatched, ticket, pools, notifications):
p50/p95 over N requests, beside the same-run floor (bench/pagebench.py).

    DATABASE_URL=postgres://…/vipdesk [REDIS_URL=redis://…/3] \\
        .venv/bin/python bench/pages_queue.py [--requests 200]

Meant for `seed_demo` data (`--accounts 100000 --tickets 2000000` for the figures in
the README). It logs in as a support lead (or an admin) and picks open VIP tickets for
/tickets/<id>/. The pools page reads its slow figures from the table the aggregates job
fills every minute: the bench runs that job first (and prints how long it took), then
again whenever they are about to go stale, as the schedule would. It writes sessions
and those figures, nothing else.
"""

import argparse
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import pagebench  # noqa: E402  (first: sets Django up)

# isort: split
from django.contrib.auth.models import User
from django.utils import timezone

from bench.pagebench import BARE_QUEUE_SCAN, Table, client_for, visibility_note
from tickets import queues
from tickets.models import Snapshot, Ticket
from tickets.snapshots import STALE_AFTER
from tickets.staffing import pools
from vipdesk.lib.roles import Role

BARE_WAITING_SCAN = (
    "SELECT id FROM tickets_ticket WHERE " + pagebench.OPEN + " AND first_response_at IS NULL"
    " AND (tier IN (1, 2, 3) OR executive_contact) ORDER BY sla_first_response_due, id LIMIT 500"
)


def pick_user() -> User:
    user = (
        User.objects.filter(is_active=True, groups__name=Role.LEAD).order_by("pk").first()
        or User.objects.filter(is_active=True, groups__name=Role.ADMIN).order_by("pk").first()
        or User.objects.filter(is_active=True, is_superuser=True).order_by("pk").first()
    )
    if user is None:
        sys.exit("No support lead or admin user in this database: run seed_demo first.")
    return user


def pick_ticket_ids(n: int = 50) -> list[int]:
    ids = list(
        queues.vip_tickets().order_by("sla_first_response_due").values_list("pk", flat=True)[:n]
    )
    return ids or list(Ticket.objects.order_by("-pk").values_list("pk", flat=True)[:n])


def timed_job(label: str, job) -> float:
    start = time.perf_counter()
    job()
    seconds = time.perf_counter() - start
    print(f"{'job: ' + label:<44} {'':>6} {'':>7} {'':>11} {seconds * 1000:>8.0f} ms", flush=True)
    return seconds


def keep_fresh(name: str, job):
    """Run the figures' job when they would go stale within a minute (the schedule's
    job, out of the timed request)."""

    def before():
        row = Snapshot.objects.filter(name=name).values_list("computed_at", flat=True).first()
        if row is None or timezone.now() - row > STALE_AFTER - timedelta(minutes=1):
            job()

    return before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per page")
    args = parser.parse_args()
    pagebench.use_bench_urls()

    user = pick_user()
    client = client_for(user)
    ticket_ids = pick_ticket_ids()
    if not ticket_ids:
        raise SystemExit("No tickets in this database: run seed_demo first.")
    agent = (
        Ticket.objects.filter(pk__in=ticket_ids, assigned_agent__isnull=False)
        .values_list("assigned_agent__user__last_name", flat=True)
        .first()
    )
    table = Table(
        f"support pages as {user.username!r}: {Ticket.objects.count():,} tickets, "
        f"{Ticket.objects.open().count():,} open; {visibility_note()}",
        args.requests,
    )
    timed_job("pools figures (tickets.staffing.pools)", pools.refresh_figures)
    Table.scan("25 open VIP tickets by SLA (queue index)", BARE_QUEUE_SCAN)
    table.row("/queue/", client, ["/queue/"])
    table.row("/queue/ (htmx rows, every 15 s)", client, ["/queue/"], {"HX-Request": "true"})
    table.row("/queue/?tier=1", client, ["/queue/?tier=1"])
    if agent:
        table.row(f"/queue/?agent={agent}", client, [f"/queue/?agent={agent}"])
    table.row("/queue/unmatched/", client, ["/queue/unmatched/"])
    table.row("/tickets/<id>/", client, [f"/tickets/{pk}/" for pk in ticket_ids])
    Table.scan("500 waiting VIP tickets by due (pools index)", BARE_WAITING_SCAN)
    table.row(
        "/pools/", client, ["/pools/"], before=keep_fresh(pools.FIGURES, pools.refresh_figures)
    )
    table.row("/notifications/", client, ["/notifications/"])


if __name__ == "__main__":
    main()
