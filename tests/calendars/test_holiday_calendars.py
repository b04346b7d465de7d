"""Holiday calendars filled from the `holidays` package, one per team (pool), and the
SLA clock pausing on a generated holiday."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.factories import make_account, make_pool, make_ticket
from tickets.calendars import (
    copy_hours,
    fill_all_holidays,
    fill_holidays,
    load_business_calendars,
)
from tickets.models import Holiday, SupportCalendar
from tickets.routing.actions import make_context, route_tickets

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
TODAY = date(2026, 6, 1)


@pytest.fixture
def uk(db):
    calendar = SupportCalendar.objects.create(
        name="UK support", time_zone="Europe/London", country="GB", subdivision="ENG"
    )
    copy_default_hours(calendar)
    fill_holidays(calendar, TODAY)
    return calendar


@pytest.fixture
def us(db):
    calendar = SupportCalendar.objects.create(
        name="US support", time_zone="America/New_York", country="US", holiday_years_ahead=0
    )
    copy_default_hours(calendar)
    fill_holidays(calendar, TODAY)
    return calendar


def copy_default_hours(calendar):
    copy_hours(SupportCalendar.objects.get(is_default=True), calendar)


def test_the_existing_hours_became_the_default_calendar(db):
    default = SupportCalendar.objects.get(is_default=True)
    assert list(default.hours.values_list("weekday", flat=True)) == [0, 1, 2, 3, 4]


def test_it_generates_a_countrys_holidays_for_the_years_ahead(uk):
    days = dict(uk.holidays.values_list("day", "name"))
    assert days[date(2026, 8, 31)] == "Late Summer Bank Holiday"
    assert days[date(2028, 12, 25)] == "Christmas Day"
    assert not any(d.year == 2029 for d in days)


def test_generating_again_adds_nothing(uk, us):
    before = Holiday.objects.count()
    assert fill_holidays(uk, TODAY) == 0
    assert fill_all_holidays(TODAY) == 0
    assert Holiday.objects.count() == before


def test_an_edited_holiday_survives_regeneration(uk):
    christmas = uk.holidays.get(day=date(2026, 12, 25))
    christmas.name, christmas.day = "Office party", date(2026, 12, 24)
    christmas.save()
    uk.holidays.filter(day=date(2026, 5, 25)).update(observed=False)

    assert fill_holidays(uk, TODAY) == 0

    assert uk.holidays.get(generated_day=date(2026, 12, 25)).name == "Office party"
    assert not uk.holidays.filter(day=date(2026, 12, 25)).exists()
    assert not uk.holidays.get(day=date(2026, 5, 25)).observed


def test_a_handtyped_holiday_on_a_generated_day_wins(db):
    calendar = SupportCalendar.objects.create(name="Berlin", country="DE", subdivision="BE")
    Holiday.objects.create(calendar=calendar, day=date(2026, 12, 25), name="Betriebsferien")
    fill_holidays(calendar, TODAY)
    assert calendar.holidays.get(day=date(2026, 12, 25)).name == "Betriebsferien"


def test_a_new_year_is_generated_as_the_years_turn(us):
    assert not us.holidays.filter(day__year=2027).exists()
    assert fill_all_holidays(date(2027, 1, 1)) > 0
    assert us.holidays.filter(day=date(2027, 11, 25), name="Thanksgiving Day").exists()


def test_each_tier_follows_its_pools_calendar(uk, us):
    make_pool(tier=2, calendar=uk)
    make_pool(tier=3, calendar=us)
    make_pool(tier=3)  # no calendar of its own: follows the tier's
    default, by_tier = load_business_calendars()
    assert default.name == "Default"
    assert {tier: c.name for tier, c in by_tier.items()} == {2: "UK support", 3: "US support"}
    assert date(2026, 8, 31) in by_tier[2].holidays
    assert date(2026, 8, 31) not in by_tier[3].holidays


def test_an_unticked_holiday_keeps_the_team_working(uk):
    make_pool(tier=2, calendar=uk)
    uk.holidays.filter(day=date(2026, 8, 31)).update(observed=False)
    _, by_tier = load_business_calendars()
    assert date(2026, 8, 31) not in by_tier[2].holidays


def route_at(ticket, now):
    route_tickets([ticket.pk], make_context(now))
    ticket.refresh_from_db()
    return ticket


@pytest.mark.parametrize(
    ("created", "uk_due", "us_due"),
    [
        # Monday 31 August 2026: UK Late Summer Bank Holiday, a working day in New York.
        (
            datetime(2026, 8, 31, 9, 0, tzinfo=UTC),
            datetime(2026, 9, 1, 9, 30, tzinfo=LONDON),  # Tuesday opening + 30 min
            datetime(2026, 8, 31, 10, 0, tzinfo=NEW_YORK),  # Monday opening + 60 min
        ),
        # Monday 7 September 2026: US Labor Day, a working day in London.
        (
            datetime(2026, 9, 7, 12, 0, tzinfo=UTC),
            datetime(2026, 9, 7, 13, 30, tzinfo=LONDON),  # 13:00 London + 30 min
            datetime(2026, 9, 8, 10, 0, tzinfo=NEW_YORK),  # Tuesday opening + 60 min
        ),
    ],
    ids=["uk-bank-holiday", "us-labor-day"],
)
def test_the_sla_clock_pauses_on_each_pools_own_holidays(uk, us, created, uk_due, us_due):
    make_pool(name="UK Gold", tier=2, calendar=uk)
    make_pool(name="US Silver", tier=3, calendar=us)
    gold = make_ticket(make_account(arr=200_000), created_at=created)
    silver = make_ticket(make_account(arr=70_000), created_at=created)

    assert route_at(gold, created).tier == 2
    assert gold.sla_first_response_due == uk_due
    assert "business hours, UK support" in " ".join(gold.routing_reasons)
    assert route_at(silver, created).tier == 3
    assert silver.sla_first_response_due == us_due
