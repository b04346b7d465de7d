"""Server time of the queue pages: p50/p95 over many requests with Django's test Client.

    DATABASE_URL=postgres://…/vipdesk .venv/bin/python bench/pages_queue.py [--requests 200]

Meant for a database seeded with `seed_demo --accounts 100000 --tickets 2000000`, but
works on any database with data: it logs in as a support lead (or an admin), picks
existing open VIP ticket ids for /tickets/<id>/ and prints one line per page with the
status, the number of SQL queries of one request, and p50/p95/max in milliseconds.
"""

import argparse
import os
import statistics
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
from django.test import Client  # noqa: E402

from tickets import queues  # noqa: E402
from tickets.models import Ticket  # noqa: E402
from vipdesk.lib.roles import Role  # noqa: E402


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
    if not ids:
        ids = list(Ticket.objects.order_by("-pk").values_list("pk", flat=True)[:n])
    if not ids:
        sys.exit("No tickets in this database: run seed_demo first.")
    return ids


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def measure(client: Client, urls: list[str], requests: int, headers=None) -> dict:
    headers = headers or {}
    executed = []
    with connection.execute_wrapper(
        lambda execute, sql, *a: executed.append(sql) or execute(sql, *a)
    ):
        first = client.get(urls[0], headers=headers)
    timings = []
    statuses = set()
    for i in range(requests):
        url = urls[i % len(urls)]
        start = time.perf_counter()
        response = client.get(url, headers=headers)
        timings.append((time.perf_counter() - start) * 1000)
        statuses.add(response.status_code)
    return {
        "status": ",".join(str(s) for s in sorted(statuses | {first.status_code})),
        "queries": len(executed),
        "p50": statistics.median(timings),
        "p95": percentile(timings, 95),
        "max": max(timings),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per page")
    args = parser.parse_args()

    settings.DEBUG = False
    user = pick_user()
    hosts = [h.lstrip(".") for h in settings.ALLOWED_HOSTS if "*" not in h]
    client = Client(HTTP_HOST=hosts[0] if hosts else "localhost")
    client.force_login(user)
    ticket_ids = pick_ticket_ids()
    pages = [
        ("/queue/", ["/queue/"], None),
        ("/queue/ (htmx rows)", ["/queue/"], {"HX-Request": "true"}),
        ("/queue/?tier=1", ["/queue/?tier=1"], None),
        ("/queue/unmatched/", ["/queue/unmatched/"], None),
        ("/tickets/<id>/", [f"/tickets/{pk}/" for pk in ticket_ids], None),
        ("/pools/", ["/pools/"], None),
        ("/notifications/", ["/notifications/"], None),
    ]
    print(
        f"vipdesk page bench: {args.requests} requests per page as {user.username!r}; "
        f"{Ticket.objects.count():,} tickets in {connection.settings_dict['NAME']!r}"
    )
    print(f"{'page':<24} {'status':>7} {'queries':>8} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9}")
    for label, urls, headers in pages:
        r = measure(client, urls, args.requests, headers)
        print(
            f"{label:<24} {r['status']:>7} {r['queries']:>8} "
            f"{r['p50']:>9.1f} {r['p95']:>9.1f} {r['max']:>9.1f}"
        )


if __name__ == "__main__":
    main()
