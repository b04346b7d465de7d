"""Server time of the report pages and the reports API, p50/p95 over N requests.

Runs Django's test Client in-process against the PostgreSQL database in DATABASE_URL
(expected: `seed_demo --accounts 100000 --tickets 2000000`):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vipdesk_rp_bench \\
        .venv/bin/python bench/reports.py [--requests 100] [--escalations 50000]

--escalations tops the escalations up to that many (random accounts, types, severities,
times over the last 12 months, re-openings, CSAT, root causes; bulk-inserted once) and
ANALYZEs the table. It logs in as an existing support lead (creating `benchlead` if
there is none) and issues a `bench-reports` API token; nothing else is written.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vipdesk.settings")
os.environ["DEBUG"] = "false"
os.environ["ALLOWED_HOSTS"] = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost") + ",testserver"

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Account  # noqa: E402
from escalations.models import Escalation, Severity  # noqa: E402
from escalations.reports import month_start  # noqa: E402
from tickets.models import ApiToken  # noqa: E402
from vipdesk.insight.rollups import refresh_recent_rollups  # noqa: E402
from vipdesk.lib.roles import Role  # noqa: E402

CATEGORIES = ["Product defect", "Capacity", "Process", "Communication", "Billing system", ""]
FACTORS = ["No monitoring alert", "Missed handoff", "Release without rollback", "Unclear owner"]


def top_up_escalations(target: int) -> int:
    """Bulk-insert escalations until there are `target`; returns how many were added."""
    missing = target - Escalation.objects.count()
    if missing <= 0:
        return 0
    rng = random.Random(14)
    ids = list(Account.objects.values_list("pk", flat=True))
    now = timezone.now()
    rows = []
    for _ in range(missing):
        opened = now - timedelta(days=rng.uniform(0, 365))
        status = rng.choices(["open", "acknowledged", "in_progress", "resolved", "closed"],
                             (5, 5, 5, 35, 50))[0]  # fmt: skip
        acknowledged = opened + timedelta(minutes=rng.uniform(5, 600))
        end = opened + timedelta(hours=rng.uniform(2, 300))
        closed_status = status in Escalation.CLOSED_STATUSES
        rows.append(
            Escalation(
                account_id=rng.choice(ids),
                type=rng.choice(Escalation.Type.values),
                severity=rng.choice(Severity.values),
                status=status,
                summary="Bench escalation",
                opened_at=opened,
                acknowledged_at=acknowledged if status != "open" and acknowledged < now else None,
                resolved_at=end if closed_status and end < now else None,
                closed_at=end + timedelta(hours=6) if status == "closed" and end < now else None,
                reopen_count=rng.choices([0, 1, 2], (85, 12, 3))[0],
                csat=rng.choice([None, None, 3, 4, 5, 2]) if closed_status else None,
                root_cause_category=rng.choice(CATEGORIES),
                contributing_factors="\n".join(rng.sample(FACTORS, rng.randint(0, 2))),
            )
        )
    Escalation.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Escalation._meta.db_table}")
    return missing


def measure(client: Client, path: str, n: int, cold: bool = False, **headers):
    """p50 and p95 in ms and the body size; cold=True empties the cache (the pages'
    built reports, the pools' aggregates) before every request."""

    def get():
        response = client.get(path, **headers)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code == 200, (path, response.status_code)
        return len(body)

    for _ in range(3):
        get()
    times = []
    for _ in range(n):
        if cold:
            cache.clear()
        start = time.perf_counter()
        size = get()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * (n - 1))], size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--escalations", type=int, default=50_000)
    args = parser.parse_args()

    added = top_up_escalations(args.escalations)
    lead = User.objects.filter(groups__name=Role.LEAD).order_by("id").first()
    if lead is None:
        lead, _ = User.objects.get_or_create(username="benchlead", defaults={"first_name": "Bench"})
        lead.groups.add(Group.objects.get(name=Role.LEAD))
    ApiToken.objects.filter(name="bench-reports").delete()
    token = ApiToken.issue("bench-reports")[1]
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    client = Client()
    client.force_login(lead)

    today = timezone.localdate()
    last = month_start(today, 1)
    year_ago = month_start(today, 12)
    busiest = (
        Account.objects.filter(tickets__created_at__gte=timezone.now() - timedelta(days=90))
        .annotate(n=Count("tickets"))
        .order_by("-n")
        .values_list("pk", flat=True)
        .first()
    )
    start = time.perf_counter()
    refresh_recent_rollups()
    refresh_ms = (time.perf_counter() - start) * 1000

    month = f"from={last:%Y-%m-%d}&to={month_start(today):%Y-%m-%d}"
    year = f"from={year_ago:%Y-%m-%d}&to={today + timedelta(days=1):%Y-%m-%d}"
    cases = [
        ("escalation report, default (last 3 months + this)", "/reports/escalations/", {}),
        ("escalation report, 12 months", f"/reports/escalations/?{year}", {}),
        (
            "escalation report, 12 months, cold cache",
            f"/reports/escalations/?{year}",
            {"cold": True},
        ),
        ("escalation report, 12 months, tier 1", f"/reports/escalations/?{year}&tier=1", {}),
        (
            "escalation report, last month, technical critical",
            f"/reports/escalations/?{month}&type=technical&severity=critical",
            {},
        ),
        (
            "escalations behind SLA compliance, last month",
            f"/reports/escalations/escalations/?{month}&rows=judged",
            {},
        ),
        (
            "escalation report metrics CSV, 12 months",
            f"/reports/escalations/metrics.csv?{year}",
            {},
        ),
        ("systemic view (4 quarters)", "/reports/escalations/systemic/", {}),
        (
            "API /api/v1/reports/escalations, 12 months",
            f"/api/v1/reports/escalations?{year}",
            bearer,
        ),
        (
            "API .csv, last month (streamed rows)",
            f"/api/v1/reports/escalations.csv?{month}",
            bearer,
        ),
        (f"monthly VIP report {last:%Y-%m} (rollup)", f"/reports/vip/{last:%Y-%m}/", {}),
        (
            f"monthly VIP report {last:%Y-%m}, cold cache (rollup read)",
            f"/reports/vip/{last:%Y-%m}/",
            {"cold": True},
        ),
        (
            f"monthly VIP report {last:%Y-%m}, service-levels CSV",
            f"/reports/vip/{last:%Y-%m}/service-levels.csv",
            {},
        ),
        (
            "interaction analysis, busiest account (90 days)",
            f"/accounts/{busiest}/interactions/",
            {},
        ),
    ]
    print(
        f"{Account.objects.count():,} accounts, {Escalation.objects.count():,} escalations "
        f"({added:,} added now); {args.requests} requests per page; server time in ms"
    )
    print(f"rollup refresh (this month and the last, the hourly job): {refresh_ms:,.0f} ms")
    print(f"{'page':58} {'p50':>8} {'p95':>8} {'bytes':>10}")
    for label, path, headers in cases:
        p50, p95, size = measure(client, path, args.requests, **headers)
        print(f"{label:58} {p50:8.1f} {p95:8.1f} {size:10,}", flush=True)


if __name__ == "__main__":
    main()
