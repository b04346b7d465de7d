"""Server time of the board, account and dashboard pages, p50/p95 over N requests.

Runs Django's test Client in-process against the PostgreSQL database in DATABASE_URL
(expected: `seed_demo --accounts 100000 --tickets 2000000`, or bench/board_scale_data.sql):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vipdesk_seed \\
        .venv/bin/python bench/pages_board.py [--requests 200]

It logs in as an existing CSM and support lead (creating a `benchlead` if there is none),
which writes sessions; nothing else is written.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vipdesk.settings")
os.environ["DEBUG"] = "false"
os.environ["ALLOWED_HOSTS"] = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost") + ",testserver"

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Account  # noqa: E402
from vipdesk.insight.board import SORTS, BoardQuery, board_queryset, cursor_for  # noqa: E402
from vipdesk.lib.roles import Role  # noqa: E402


def pick_users() -> tuple[User, User]:
    csm = (
        User.objects.filter(groups__name=Role.CSM)
        .annotate(n=Count("csm_accounts"))
        .order_by("-n", "id")
        .first()
    )
    lead = User.objects.filter(groups__name=Role.LEAD).order_by("id").first()
    if lead is None:
        lead, _ = User.objects.get_or_create(username="benchlead", defaults={"first_name": "Bench"})
        lead.groups.add(Group.objects.get(name=Role.LEAD))
    if csm is None:
        sys.exit("No CSM in this database: run seed_demo or bench/board_scale_data.sql first.")
    return csm, lead


def deep_cursor(sort: str, depth: int, user) -> str:
    """The cursor of the row `depth` rows down the unfiltered board (OFFSET here only)."""
    query = BoardQuery(sort=sort)
    row = board_queryset(query, user, timezone.localdate())[depth : depth + 1].first()
    return cursor_for(row, SORTS[sort]) if row else ""


def measure(client: Client, path: str, n: int, cold: bool = False, **headers):
    """p50 and p95 in ms and the response size; cold=True empties the cache (dashboard
    aggregates, flag precision) before every request."""
    for _ in range(5):
        response = client.get(path, **headers)
    assert response.status_code == 200, (path, response.status_code)
    times = []
    for _ in range(n):
        if cold:
            cache.clear()
        start = time.perf_counter()
        response = client.get(path, **headers)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    times.sort()
    return statistics.median(times), times[int(0.95 * (n - 1))], len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    csm, lead = pick_users()
    total = Account.objects.count()
    depth = max(0, min(90_000, total - 60))
    risk_cursor = deep_cursor("risk", depth, csm)
    health_cursor = deep_cursor("health", depth, csm)
    renewal_cursor = deep_cursor("renewal", depth, csm)
    account = Account.objects.order_by("-risk_score", "id").first()
    busiest = (
        Account.objects.annotate(n=Count("tickets")).order_by("-n").values_list("pk", flat=True)[:1]
        if total <= 200_000
        else [account.pk]
    )

    as_csm, as_lead = Client(), Client()
    as_csm.force_login(csm)
    as_lead.force_login(lead)
    cases = [
        ("board, first page", as_csm, "/accounts/at-risk/", {}),
        (
            "board, first page (htmx partial)",
            as_csm,
            "/accounts/at-risk/",
            {"HTTP_HX_REQUEST": "true"},
        ),
        (
            "board, filtered tier 2 high+critical renewal 90d",
            as_csm,
            "/accounts/at-risk/?tier=2&level=high&level=critical&renewal=90",
            {},
        ),
        ("board, mine (CSM home /)", as_csm, "/", {}),
        (
            f"board, keyset page at row {depth:,} (risk)",
            as_csm,
            f"/accounts/at-risk/?after={risk_cursor}",
            {},
        ),
        (
            f"board, keyset page at row {depth:,} (health)",
            as_csm,
            f"/accounts/at-risk/?sort=health&after={health_cursor}",
            {},
        ),
        (
            f"board, keyset page at row {depth:,} (renewal)",
            as_csm,
            f"/accounts/at-risk/?sort=renewal&after={renewal_cursor}",
            {},
        ),
        ("board, sorted by ARR, tier 1", as_csm, "/accounts/at-risk/?sort=arr&tier=1", {}),
        ("account 360, top-risk account", as_csm, f"/accounts/{account.pk}/", {}),
        ("account 360, busiest account", as_csm, f"/accounts/{busiest[0]}/", {}),
        ("VIP dashboard (lead, /)", as_lead, "/", {}),
        ("board, first page, cold cache", as_csm, "/accounts/at-risk/", {"cold": True}),
        ("VIP dashboard, cold cache (once a minute)", as_lead, "/", {"cold": True}),
    ]
    print(f"{total:,} accounts; {args.requests} requests per page; server time in ms")
    print(f"{'page':55} {'p50':>8} {'p95':>8} {'bytes':>9}")
    for label, client, path, headers in cases:
        p50, p95, size = measure(client, path, args.requests, **headers)
        print(f"{label:55} {p50:8.1f} {p95:8.1f} {size:9,}", flush=True)


if __name__ == "__main__":
    main()
