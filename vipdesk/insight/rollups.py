"""Monthly rollups: a month's ticket figures per tier (accounts/dashboard.py tier_rows)
and its missed VIP SLAs, stored in MonthlyRollup so the monthly report reads one row per
month instead of scanning a month of tickets per request.

The job (vipdesk/cron.py, hourly) recomputes this month and the last: late CSAT and
resolutions still change them. Older months are computed once, when first asked for.
A rollup of a month the job keeps fresh is stale when older than STALE_AFTER (the job
has not run); the page says when it was computed either way."""

from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from escalations.reports import local_midnight, month_start, next_month
from tickets.models import Ticket
from vipdesk.insight.dashboard import TierRow, tier_rows
from vipdesk.insight.models import MonthlyRollup

REFRESHED_MONTHS = 2
STALE_AFTER = timedelta(hours=2)
REPORT_CACHE_SECONDS = 300
BREACHED = Q(first_response_breached_at__isnull=False) | Q(resolution_breached_at__isnull=False)


def vip_tickets_with_sla(month: date) -> QuerySet:
    """VIP tickets created in the month that have an SLA."""
    return Ticket.objects.vip().filter(
        created_at__gte=local_midnight(month),
        created_at__lt=local_midnight(next_month(month)),
        sla_first_response_due__isnull=False,
    )


def report_cache_key(month: date) -> str:
    """Where the month's built report is cached (vipdesk/insight/monthly.py)."""
    return f"reports:vip-monthly:{month:%Y-%m}"


def refresh(month: date, now: datetime) -> MonthlyRollup:
    """Compute and store the month's rollup (5 queries), and drop the cached reports
    that read it (the month's and the next month's, which compares with it)."""
    counts = vip_tickets_with_sla(month).aggregate(
        n=Count("pk"), missed=Count("pk", filter=BREACHED)
    )
    rows = tier_rows(local_midnight(month), local_midnight(next_month(month)))
    rollup, _ = MonthlyRollup.objects.update_or_create(
        month=month,
        defaults=dict(
            computed_at=now,
            tiers=[r.as_json() for r in rows],
            tickets_with_sla=counts["n"],
            tickets_missed=counts["missed"],
        ),
    )
    cache.delete_many([report_cache_key(month), report_cache_key(next_month(month))])
    return rollup


def refresh_recent_rollups(now: datetime | None = None) -> int:
    """Job: recompute this month's and last month's rollups."""
    now = now or timezone.now()
    this_month = month_start(timezone.localdate(now))
    for back in range(REFRESHED_MONTHS):
        refresh(month_start(this_month, back), now)
    return REFRESHED_MONTHS


def rollups_for(months: list[date], now: datetime) -> dict[date, MonthlyRollup]:
    """The rollups of these months (one query), computing those missing."""
    found = {r.month: r for r in MonthlyRollup.objects.filter(month__in=months)}
    for month in months:
        if month not in found:
            found[month] = refresh(month, now)
    return found


def tiers_of(rollup: MonthlyRollup) -> list[TierRow]:
    return [TierRow.from_json(row) for row in rollup.tiers]


def is_stale(rollup: MonthlyRollup, now: datetime) -> bool:
    kept_fresh = rollup.month >= month_start(timezone.localdate(now), REFRESHED_MONTHS - 1)
    return kept_fresh and now - rollup.computed_at > STALE_AFTER
