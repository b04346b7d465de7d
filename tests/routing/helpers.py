"""Pure-data builders for the routing rules (no database)."""

import importlib
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tickets.routing.rules import AccountData, ContactData, Policies, SlaRule, TicketData
from vipdesk.lib.business_hours import BusinessCalendar, always

TZ = ZoneInfo("UTC")
BUSINESS = BusinessCalendar(tz=TZ, hours={d: (time(9), time(18)) for d in range(5)})


_defaults = importlib.import_module("tickets.migrations.0002_default_policies")


def sla_matrix() -> dict:
    """The SPEC default matrix, straight from the migration that loads it."""
    rows = {}
    for tier, prio, first, cal, queue, level, tenure, notify, esc in _defaults.SLA_MATRIX:
        rows[(tier, prio)] = SlaRule(
            tier, prio, first, _defaults.RESOLUTION[prio], cal, queue, level, tenure, notify, esc
        )
    return rows


def policies(**kw) -> Policies:
    kw.setdefault("sla", sla_matrix())
    kw.setdefault("business_calendar", BUSINESS)
    kw.setdefault("always_calendar", always(TZ))
    return Policies(**kw)


# Friday 20 November 2026, 16:47 UTC
FRIDAY_1647 = datetime(2026, 11, 20, 16, 47, tzinfo=UTC)


def ticket(priority="P3", created_at=FRIDAY_1647, **kw) -> TicketData:
    return TicketData(id=kw.pop("id", 1), customer_priority=priority, created_at=created_at, **kw)


def account(tier=4, arr=20_000, renewal_in_days: int | None = 300, **kw) -> AccountData:
    renewal = None if renewal_in_days is None else FRIDAY_1647.date() + timedelta(renewal_in_days)
    kw.setdefault("renewal_date", renewal)
    return AccountData(
        id=kw.pop("id", 7),
        name=kw.pop("name", "Acme"),
        tier=tier,
        arr=arr,
        csm_id=kw.pop("csm_id", 11),
        account_manager_id=kw.pop("am_id", 12),
        **kw,
    )


def contact(title="Engineer", is_executive=False, **kw) -> ContactData:
    return ContactData(
        name=kw.pop("name", "Dana Doe"),
        email=kw.pop("email", "dana@acme.test"),
        title=title,
        is_executive=is_executive,
        **kw,
    )
