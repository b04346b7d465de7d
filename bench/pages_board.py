"""Server time of the CSM and lead pages (at-risk board, account 360, VIP dashboard):
p50/p95 over N requests, beside the same-run floor (bench/pagebench.py).

    DATABASE_URL=postgres://…/vipdesk [REDIS_URL=redis://…/3] \\
        .venv/bin/python bench/pages_board.py [--requests 200]

Meant for `seed_demo` data (`--accounts 100000 --tickets 2000000` for the README's
figures). It logs in as the CSM with the most accounts and a support lead (creating a
`benchlead` if there is none). The dashboard reads its aggregates from the table the
job fills every minute: the bench times that job first, and runs it again whenever
they are about to go stale, as the schedule would. It writes sessions and those
figures; the board's "cold" line drops the flag-precision cache key before each
request (that key only).
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import pagebench  # noqa: E402  (first: sets Django up)

# isort: split
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone

from accounts.feedback import PRECISION_CACHE_KEY
from accounts.models import Account
from bench.pagebench import BARE_ACCOUNT_SCAN, BARE_QUEUE_SCAN, Table, client_for
from bench.pages_queue import keep_fresh, timed_job
from vipdesk.insight import dashboard
from vipdesk.insight.board import SORTS, BoardQuery, board_queryset, cursor_for
from vipdesk.lib.roles import Role


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
        sys.exit("No CSM in this database: run seed_demo first.")
    return csm, lead


def deep_cursor(sort: str, depth: int, user) -> str:
    """The cursor of the row `depth` rows down the unfiltered board (OFFSET here only)."""
    query = BoardQuery(sort=sort)
    row = board_queryset(query, user, timezone.localdate())[depth : depth + 1].first()
    return cursor_for(row, SORTS[sort]) if row else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    pagebench.use_bench_urls()

    csm, lead = pick_users()
    total = Account.objects.count()
    depth = max(0, min(total * 9 // 10, total - 60))
    cursors = {sort: deep_cursor(sort, depth, csm) for sort in ("risk", "health", "renewal")}
    top = Account.objects.order_by("-risk_score", "id").first()
    busiest = (
        Account.objects.annotate(n=Count("tickets")).order_by("-n").values_list("pk", flat=True)[0]
        if total <= 200_000
        else top.pk
    )
    as_csm, as_lead = client_for(csm), client_for(lead)
    table = Table(
        f"CSM and lead pages as {csm.username!r} and {lead.username!r}: {total:,} accounts",
        args.requests,
    )
    timed_job("dashboard figures (vipdesk.insight.dashboard)", dashboard.refresh_figures)
    Table.scan("25 accounts by risk (board index)", BARE_ACCOUNT_SCAN)
    board = "/accounts/at-risk/"
    table.row("board, first page", as_csm, [board])
    table.row("board, first page (htmx partial)", as_csm, [board], {"HX-Request": "true"})
    table.row(
        "board, tier 2 high+critical renewal 90d",
        as_csm,
        [f"{board}?tier=2&level=high&level=critical&renewal=90"],
    )
    table.row("board, mine (CSM home /)", as_csm, ["/"])
    for sort, cursor in cursors.items():
        table.row(
            f"board, keyset page at row {depth:,} ({sort})",
            as_csm,
            [f"{board}?sort={sort}&after={cursor}"],
        )
    table.row("board, sorted by ARR, tier 1", as_csm, [f"{board}?sort=arr&tier=1"])
    table.row(
        "board, first page, flag precision cold",
        as_csm,
        [board],
        before=lambda: cache.delete(PRECISION_CACHE_KEY),
    )
    table.row("account 360, top-risk account", as_csm, [f"/accounts/{top.pk}/"])
    table.row("account 360, busiest account", as_csm, [f"/accounts/{busiest}/"])
    Table.scan("25 open VIP tickets by SLA (dashboard index)", BARE_QUEUE_SCAN)
    table.row(
        "VIP dashboard (lead, /)",
        as_lead,
        ["/"],
        before=keep_fresh(dashboard.FIGURES, dashboard.refresh_figures),
    )


if __name__ == "__main__":
    main()
