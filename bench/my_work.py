"""Server time of “My work” (/my/) per role: p50/p95 over many requests.

    DATABASE_URL=postgres://…/vipdesk .venv/bin/python bench/my_work.py [--requests 200]

Meant for a database seeded with `seed_demo --accounts 100000 --tickets 2000000`. It
first runs the task jobs the schedule runs (follow-ups of the last week's VIP tickets,
this period's check-ins, reviews and outreach), prints how long they took and analyzes
the task table; then logs in as the agent with the most open tickets, the CSM with the
most accounts and the lead with the most team tasks, and prints one line per role:
status, SQL queries of one request, items on the list, p50/p95/max in milliseconds.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vipdesk.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.cadence.jobs import schedule_relationship_tasks  # noqa: E402
from bench.pages_queue import measure  # noqa: E402
from tickets.followups.jobs import create_missing_follow_ups  # noqa: E402
from tickets.models import Ticket  # noqa: E402
from vipdesk.insight.my_work import my_work  # noqa: E402
from vipdesk.lib.roles import Role, roles_of  # noqa: E402
from vipdesk.tasks.models import Task  # noqa: E402


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
    print(f"{label:<40} {created:>8,} tasks in {time.perf_counter() - start:6.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per role")
    args = parser.parse_args()
    settings.DEBUG = False

    print(
        f"vipdesk /my/ bench: {Ticket.objects.count():,} tickets, "
        f"{Task.objects.count():,} tasks in {connection.settings_dict['NAME']!r}"
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
    hosts = [h.lstrip(".") for h in settings.ALLOWED_HOSTS if "*" not in h]
    print(
        f"{'role':<8} {'user':<16} {'status':>7} {'queries':>8} {'items':>6} "
        f"{'p50 ms':>9} {'p95 ms':>9} {'max ms':>9}"
    )
    for role, user in users.items():
        if user is None:
            print(f"{role:<8} (no such user: run seed_demo first)")
            continue
        client = Client(HTTP_HOST=hosts[0] if hosts else "localhost")
        client.force_login(user)
        items = len(my_work(user, roles_of(user), timezone.now()).items)
        r = measure(client, ["/my/"], args.requests)
        print(
            f"{role:<8} {user.username:<16} {r['status']:>7} {r['queries']:>8} {items:>6} "
            f"{r['p50']:>9.1f} {r['p95']:>9.1f} {r['max']:>9.1f}"
        )


if __name__ == "__main__":
    main()
