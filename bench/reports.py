"""Server time of the report pages and the reports API, p50/p95 over N requests, each
beside a floor measured in the same run: the bare indexed SQL the page cannot do
without (e.g. counting the period's escalations on the opened_at index), so a figure
can be read against the machine's state at that moment.

Runs Django's test Client in-process against the PostgreSQL database in DATABASE_URL
(required; expected: `seed_demo --accounts 100000 --tickets 2000000`), with jobs on
REDIS_URL when it is set (nothing here enqueues; the cache is the process's own):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vipdesk_bench_rp \\
    REDIS_URL=redis://127.0.0.1:6379/4 \\
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

if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    sys.exit("Set DATABASE_URL to the PostgreSQL bench database (see the docstring).")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Account  # noqa: E402
from bench.pagebench import bare_scan  # noqa: E402
from escalations.models import Escalation, Severity  # noqa: E402
from escalations.reports import local_midnight, month_start, refresh_trend  # noqa: E402
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


def _p50_p95(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


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
    return *_p50_p95(times), size


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
    start = time.perf_counter()
    groups = refresh_trend()
    trend_ms = (time.perf_counter() - start) * 1000

    month = f"from={last:%Y-%m-%d}&to={month_start(today):%Y-%m-%d}"
    year = f"from={year_ago:%Y-%m-%d}&to={today + timedelta(days=1):%Y-%m-%d}"
    year_span = [local_midnight(year_ago), local_midnight(today + timedelta(days=1))]
    month_span = [local_midnight(last), local_midnight(month_start(today))]
    esc = Escalation._meta.db_table
    floors = {
        "year": (
            "count the 12 months' escalations (opened_at index)",
            f"SELECT count(*) FROM {esc} WHERE opened_at >= %s AND opened_at < %s",
            year_span,
        ),
        "month rows": (
            "fetch the month's escalation rows with their account",
            f"SELECT e.id, e.type, e.severity, e.status, e.opened_at, e.acknowledged_at, "
            f"e.resolved_at, e.closed_at, e.reopen_count, e.csat, e.summary, a.name, a.tier "
            f"FROM {esc} e JOIN accounts_account a ON a.id = e.account_id "
            f"WHERE e.opened_at >= %s AND e.opened_at < %s ORDER BY e.opened_at, e.id",
            month_span,
        ),
        "month": (
            "count the month's escalations (opened_at index)",
            f"SELECT count(*) FROM {esc} WHERE opened_at >= %s AND opened_at < %s",
            month_span,
        ),
        "rollup": (
            "read the two months' rollup rows",
            "SELECT * FROM insight_monthlyrollup WHERE month IN (%s, %s)",
            [last, month_start(last, 1)],
        ),
        "account": (
            "count the account's tickets of 90 days (account index)",
            "SELECT count(*) FROM tickets_ticket WHERE account_id = %s AND created_at >= %s",
            [busiest, timezone.now() - timedelta(days=90)],
        ),
    }
    cases = [
        ("escalation report, default (last 3 months + this)", "/reports/escalations/", "year", {}),
        ("escalation report, 12 months", f"/reports/escalations/?{year}", "year", {}),
        (
            "escalation report, 12 months, cold cache",
            f"/reports/escalations/?{year}",
            "year",
            {"cold": True},
        ),
        (
            "escalation report, 12 months, tier 1",
            f"/reports/escalations/?{year}&tier=1",
            "year",
            {},
        ),
        (
            "escalation report, last month, technical critical",
            f"/reports/escalations/?{month}&type=technical&severity=critical",
            "month",
            {},
        ),
        (
            "escalations behind SLA compliance, last month",
            f"/reports/escalations/escalations/?{month}&rows=judged",
            "month rows",
            {},
        ),
        (
            "escalation report metrics CSV, 12 months",
            f"/reports/escalations/metrics.csv?{year}",
            "year",
            {},
        ),
        (
            "systemic issues (4 quarters), cold cache",
            "/escalations/systemic/",
            "year",
            {"cold": True},
        ),
        (
            "API /api/v1/reports/escalations, 12 months",
            f"/api/v1/reports/escalations?{year}",
            "year",
            bearer,
        ),
        (
            "API .csv, last month (streamed rows)",
            f"/api/v1/reports/escalations.csv?{month}",
            "month rows",
            bearer,
        ),
        (
            f"monthly VIP report {last:%Y-%m} (rollup)",
            f"/reports/vip/{last:%Y-%m}/",
            "rollup",
            {},
        ),
        (
            f"monthly VIP report {last:%Y-%m}, cold cache",
            f"/reports/vip/{last:%Y-%m}/",
            "rollup",
            {"cold": True},
        ),
        (
            f"monthly VIP report {last:%Y-%m}, service-levels CSV",
            f"/reports/vip/{last:%Y-%m}/service-levels.csv",
            "rollup",
            {},
        ),
    ]
    if busiest is not None:  # no ticket in 90 days: nothing to analyse
        cases.append(
            (
                "interaction analysis, busiest account (90 days)",
                f"/accounts/{busiest}/interactions/",
                "account",
                {},
            )
        )
    db = connection.settings_dict
    print(
        f"database {db['NAME']} on {db['HOST']}:{db['PORT']}; "
        f"REDIS_URL {os.environ.get('REDIS_URL') or '(unset: jobs inline)'}"
    )
    print(
        f"{Account.objects.count():,} accounts, {Escalation.objects.count():,} escalations "
        f"({added:,} added now); {args.requests} requests per page; server time in ms"
    )
    print(f"monthly rollups refresh (this month and the last, hourly job): {refresh_ms:,.0f} ms")
    print(f"escalation trend rollup refresh ({groups:,} groups, every 10 min): {trend_ms:,.0f} ms")
    _, bare, _ = measure(client, "/healthz", args.requests)
    print(f"floor of any request here (GET /healthz, 3 counts): p95 {bare:.1f} ms")
    print(f"{'page':56} {'p50':>7} {'p95':>7} {'floor':>7} {'bytes':>10}  floor: what")
    for label, path, floor_key, headers in cases:
        p50, p95, size = measure(client, path, args.requests, **headers)
        what, sql, params = floors[floor_key]
        base = bare_scan(sql, params, runs=args.requests)[1]
        print(f"{label:56} {p50:7.1f} {p95:7.1f} {base:7.1f} {size:10,}  {what}", flush=True)


if __name__ == "__main__":
    main()
