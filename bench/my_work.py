"""Server time of “My work” (/my/) per role: p50/p95 over many requests.

    DATABASE_URL=postgres://…/vipdesk [REDIS_URL=redis://…/3] \\
        .venv/bin/python bench/my_work.py [--requests 200]

Meant for a database seeded with `seed_demo --accounts 100000 --tickets 2000000`. It
first runs the task jobs the schedule runs (follow-ups of the last week's VIP tickets,
this period's check-ins, reviews and outreach), prints how long they took and analyzes
the task table; then logs in as the agent with the most open tickets, the CSM with the
most accounts and the lead with the most team tasks, and prints one line per role:
status, SQL queries of one request, the slowest query, p50/p95/max in milliseconds and
the same-run floor (bench/pagebench.py). The jobs write the tasks they find missing.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import pagebench  # noqa: E402  (first: sets Django up)

# isort: split
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from accounts.cadence.jobs import schedule_relationship_tasks
from bench.pagebench import Table, client_for
from tickets.followups.jobs import create_missing_follow_ups
from tickets.models import Ticket
from vipdesk.insight.my_work import my_work
from vipdesk.lib.roles import Role, roles_of
from vipdesk.tasks.models import Task


def busiest(role: str, **annotation) -> User | None:
    ((name, count),) = annotation.items()
    return (
        User.objects.filter(is_active=True, groups__name=role)
        .annotate(**{name: count})
        .order_by(f"-{name}", "pk")
        .first()
    )


def timed(label: str, func) -> None:
    start = time.perf_counter()
    created = func()
    ms = (time.perf_counter() - start) * 1000
    print(f"{'job: ' + label:<44} {'':>6} {'':>7} {created:>5,} tasks {ms:>8.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per role")
    args = parser.parse_args()
    pagebench.use_bench_urls()

    table = Table(
        f"/my/ per role: {Ticket.objects.count():,} tickets, {Task.objects.count():,} tasks",
        args.requests,
    )
    timed("create_missing_follow_ups()", create_missing_follow_ups)
    timed("schedule_relationship_tasks()", schedule_relationship_tasks)
    with connection.cursor() as cursor:  # autovacuum is off on these machines (STACK.md)
        cursor.execute(f"ANALYZE {Task._meta.db_table}")

    users = {
        "agent": busiest(
            Role.AGENT,
            n=Count(
                "agent__tickets",
                filter=Q(agent__tickets__status__in=Ticket.OPEN_STATUSES),
            ),
        ),
        "csm": busiest(Role.CSM, n=Count("csm_accounts")),
        "lead": busiest(Role.LEAD, n=Count("team_tasks")),
    }
    for role, user in users.items():
        if user is None:
            print(f"{role:<8} (no such user: run seed_demo first)")
            continue
        items = len(my_work(user, roles_of(user), timezone.now()).items)
        table.row(f"/my/ {role} {user.username} ({items} items)", client_for(user), ["/my/"])


if __name__ == "__main__":
    main()
