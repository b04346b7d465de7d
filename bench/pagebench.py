"""What the page benches share: Django set up against DATABASE_URL / REDIS_URL as given,
a logged-in test Client, timing of N requests, and the same-run floors printed beside
every figure.

Each figure is server time in-process (Django's test Client: middleware, view,
template, SQL), so it leaves out only the HTTP server; "SQL p95" is the 95th
percentile of each request's slowest statement, and "CPU" this process's CPU per
request (the SQL runs in PostgreSQL's). Beside them:

- `trivial page`: the same client asking for a page that renders the site layout
  (base.html: session, user, roles, the navigation's counts) and nothing else. No
  page can be faster; a page's own cost is the difference.
- `bare scan`: one raw indexed SQL statement the page cannot do without (its first
  rows along the index it uses), timed in the same run, so a loaded machine shows
  in the floor too.

Nothing is flushed: the benches write sessions, and escalation_page.py and my_work.py
add their rows (said in their docstrings).
"""

import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vipdesk.settings")
os.environ["DEBUG"] = "false"
os.environ["ALLOWED_HOSTS"] = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost") + ",testserver"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.decorators import login_required  # noqa: E402
from django.db import connection  # noqa: E402
from django.template.response import TemplateResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import include, path  # noqa: E402

import vipdesk.wsgi  # noqa: E402, F401  (start-up as in production: gc.freeze() included)

TRIVIAL_PATH = "/bench/trivial/"
SLOW_QUERY_MS = 50


@login_required
def trivial_page(request):
    return TemplateResponse(request, "base.html", {})


# The project's URLs plus the trivial page (this module is the benches' URLconf).
urlpatterns = [path(TRIVIAL_PATH.strip("/") + "/", trivial_page), path("", include("vipdesk.urls"))]


def use_bench_urls():
    """The benches' URLconf (the project's plus the trivial page), for the whole run."""
    override = override_settings(ROOT_URLCONF="bench.pagebench")
    override.enable()
    return override


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


@dataclass
class Result:
    status: str
    queries: int  # in one request
    slowest_query_ms: float  # p95 over the requests of each one's slowest SQL statement
    p50: float
    p95: float
    max: float
    size: int
    cpu_p50: float  # this process's CPU per request (Python: Django, view, template)


def measure(client: Client, urls: list[str], requests: int, headers=None, before=None) -> Result:
    """Warm up, then time `requests` GETs cycling through `urls`; `before()` runs before
    each timed request, outside the timing."""
    headers = headers or {}
    for url in urls[:3]:
        client.get(url, headers=headers)
    sql_ms: list[float] = []
    timing = [True]  # off while before() runs: its queries are not the page's

    def timed_sql(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            if timing[0]:
                sql_ms.append((time.perf_counter() - start) * 1000)

    with connection.execute_wrapper(timed_sql):
        first = client.get(urls[0], headers=headers)
    queries = len(sql_ms)
    timings, cpu, slowest, statuses = [], [], [], {first.status_code}
    with connection.execute_wrapper(timed_sql):
        for i in range(requests):
            if before:
                timing[0] = False
                before()
                timing[0] = True
            sql_ms.clear()
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(urls[i % len(urls)], headers=headers)
            timings.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
            slowest.append(max(sql_ms, default=0.0))
            statuses.add(response.status_code)
    return Result(
        status=",".join(str(s) for s in sorted(statuses)),
        queries=queries,
        slowest_query_ms=percentile(slowest, 95),
        p50=statistics.median(timings),
        p95=percentile(timings, 95),
        max=max(timings),
        size=len(first.content),
        cpu_p50=statistics.median(cpu),
    )


def bare_scan(sql: str, params=(), runs: int = 50) -> tuple[float, float]:
    """p50/p95 in ms of one raw statement (fetching its rows) on the same connection."""
    timings = []
    with connection.cursor() as cursor:
        for _ in range(runs + 3):
            start = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            timings.append((time.perf_counter() - start) * 1000)
    timings = timings[3:]
    return statistics.median(timings), percentile(timings, 95)


# The index scans the pages stand on (the first page of rows, as the page reads them).
OPEN = "status IN ('new', 'open', 'pending', 'hold')"
BARE_QUEUE_SCAN = (
    "SELECT id FROM tickets_ticket WHERE " + OPEN + " AND (tier IN (1, 2, 3) OR executive_contact)"
    " ORDER BY CASE WHEN first_response_at IS NULL THEN sla_first_response_due"
    " ELSE sla_resolution_due END, id LIMIT 25"
)
BARE_ACCOUNT_SCAN = "SELECT id FROM accounts_account ORDER BY risk_score DESC, id LIMIT 25"


class Table:
    """Prints one line per page: its figures, the trivial page's p95 measured just
    before it, and the ratio."""

    HEADER = (
        f"{'page':<44} {'status':>6} {'queries':>7} {'SQL p95 ms':>11} {'p50 ms':>8} "
        f"{'p95 ms':>8} {'max ms':>8} {'floor p95':>9} {'× floor':>7} {'CPU p50':>7}"
    )

    def __init__(self, title: str, requests: int):
        self.requests = requests
        print(title)
        print(
            f"  database {connection.settings_dict['NAME']!r}, "
            f"Redis {settings.REDIS_URL or '(none: jobs run inline)'}; "
            f"{requests} requests per page, server time in ms; floor = the trivial page "
            f"(layout only) for the same user, measured just before; CPU = this process's "
            f"CPU per request (SQL runs in PostgreSQL's)"
        )
        print(self.HEADER)

    def row(self, label: str, client: Client, urls: list[str], headers=None, before=None):
        floor = measure(client, [TRIVIAL_PATH], max(20, self.requests // 4))
        r = measure(client, urls, self.requests, headers=headers, before=before)
        slow = " !" if r.slowest_query_ms > SLOW_QUERY_MS else ""
        print(
            f"{label[:44]:<44} {r.status:>6} {r.queries:>7} {r.slowest_query_ms:>9.1f}{slow:2}"
            f" {r.p50:>8.1f} {r.p95:>8.1f} {r.max:>8.1f} {floor.p95:>9.1f}"
            f" {r.p95 / floor.p95:>6.1f}× {r.cpu_p50:>7.1f}",
            flush=True,
        )
        return r

    @staticmethod
    def scan(label: str, sql: str, params=()) -> None:
        p50, p95 = bare_scan(sql, params)
        print(f"{'bare scan: ' + label:<44} {'':>6} {1:>7} {'':>11} {p50:>8.1f} {p95:>8.1f}")


def visibility_note(table: str = "tickets_ticket") -> str:
    """How much of the table the visibility map covers: index-only scans need it, and
    nothing vacuums on a machine without autovacuum (STACK.md)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpages, relallvisible FROM pg_class WHERE relname = %s", [table])
        pages, visible = cursor.fetchone() or (0, 0)
    share = 100 * visible / pages if pages else 0
    return f"{table}: {share:.0f}% of pages all-visible (VACUUM sets it; index-only scans need it)"
