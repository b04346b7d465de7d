"""Business-hours calendars: load them for the SLA clock, fill their public holidays.

Each tier's tickets run on the calendar its pools name (the default calendar when
they name none); 24/7 SLAs never pause. Filling holidays is idempotent: a holiday
already generated for a date is left as the admin edited it (renamed, moved or
unticked), and a hand-typed holiday on the same day wins.
"""

from datetime import date
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone

from tickets.models import AgentPool, BusinessHours, Holiday, SupportCalendar
from vipdesk.lib.business_hours import BusinessCalendar, always
from vipdesk.lib.public_holidays import public_holidays


def zone(calendar: SupportCalendar) -> ZoneInfo:
    return ZoneInfo(calendar.time_zone or settings.TIME_ZONE)


def to_business_calendar(calendar: SupportCalendar) -> BusinessCalendar:
    """Needs the calendar's `hours` and observed `holidays` prefetched."""
    return BusinessCalendar(
        tz=zone(calendar),
        hours={h.weekday: (h.opens, h.closes) for h in calendar.hours.all()},
        holidays=frozenset(h.day for h in calendar.holidays.all()),
        name=calendar.name,
    )


def load_business_calendars() -> tuple[BusinessCalendar, dict[int, BusinessCalendar]]:
    """(default calendar, {tier: its pools' calendar}) in four queries."""
    calendars = {
        c.pk: c
        for c in SupportCalendar.objects.prefetch_related(
            Prefetch("hours", queryset=BusinessHours.objects.order_by("weekday")),
            Prefetch("holidays", queryset=Holiday.objects.filter(observed=True)),
        )
    }
    built = {pk: to_business_calendar(c) for pk, c in calendars.items()}
    default = next(built[pk] for pk, c in calendars.items() if c.is_default)
    by_tier = {
        tier: built[calendar_id]
        for tier, calendar_id in AgentPool.objects.filter(calendar__isnull=False).values_list(
            "tier", "calendar_id"
        )
    }
    return default, by_tier


def always_calendar() -> BusinessCalendar:
    return always(ZoneInfo(settings.TIME_ZONE))


def copy_hours(source: SupportCalendar, target: SupportCalendar) -> None:
    """Give a new calendar the opening hours of another (to edit from there)."""
    BusinessHours.objects.bulk_create(
        [
            BusinessHours(calendar=target, weekday=h.weekday, opens=h.opens, closes=h.closes)
            for h in source.hours.all()
        ],
        ignore_conflicts=True,
    )


def fill_holidays(calendar: SupportCalendar, today: date) -> int:
    """Add the calendar's public holidays from this year to `holiday_years_ahead` years
    ahead; returns how many were new. The calendar must name a country."""
    years = range(today.year, today.year + calendar.holiday_years_ahead + 1)
    found = public_holidays(calendar.country, calendar.subdivision, years)
    before = calendar.holidays.count()
    Holiday.objects.bulk_create(
        [
            Holiday(calendar=calendar, day=d, name=n[:100], generated_day=d)
            for d, n in found.items()
        ],
        ignore_conflicts=True,
    )
    return calendar.holidays.count() - before


def fill_all_holidays(today: date | None = None) -> int:
    """Job (monthly, vipdesk/cron.py): keep every country calendar filled years ahead."""
    today = today or timezone.localdate()
    return sum(fill_holidays(c, today) for c in SupportCalendar.objects.exclude(country=""))


def pool_calendar_error(
    tier: int, calendar: SupportCalendar | None, pool_id: int | None
) -> str | None:
    """Why a pool of `tier` may not name `calendar` (another pool of the tier names a
    different one), or None: a tier's tickets follow one calendar."""
    if calendar is None:
        return None
    other = (
        AgentPool.objects.filter(tier=tier, calendar__isnull=False)
        .exclude(pk=pool_id)
        .exclude(calendar=calendar)
        .select_related("calendar")
        .first()
    )
    if other is None:
        return None
    return f"Pools of one tier share a calendar: “{other.name}” uses {other.calendar.name}."
