"""vipdesk/lib/business_hours.py: weekends, holidays, across midnight, DST in Berlin and
New York, 24/7 across DST (real elapsed time), and add_minutes/open_minutes_between
as inverses of each other."""

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from vipdesk.lib.business_hours import (
    BusinessCalendar,
    add_minutes,
    always,
    open_minutes_between,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
WEEKDAYS = {d: (time(9), time(18)) for d in range(5)}
EVERY_DAY_EARLY = {d: (time(1), time(5)) for d in range(7)}  # open across 02:00–03:00


def cal(tz, hours=WEEKDAYS, holidays=()):
    return BusinessCalendar(tz=tz, hours=hours, holidays=frozenset(holidays))


def local(tz, *args):
    return datetime(*args, tzinfo=tz)


class TestWeekdaysAndWeekends:
    def test_it_counts_within_one_day(self):
        start = local(BERLIN, 2026, 11, 17, 10, 0)  # Tuesday
        assert add_minutes(start, 30, cal(BERLIN)) == local(BERLIN, 2026, 11, 17, 10, 30)

    def test_it_carries_over_midnight_to_the_next_opening(self):
        start = local(BERLIN, 2026, 11, 17, 17, 50)
        assert add_minutes(start, 20, cal(BERLIN)) == local(BERLIN, 2026, 11, 18, 9, 10)

    def test_it_starts_the_clock_at_opening_time(self):
        start = local(BERLIN, 2026, 11, 17, 7, 0)
        assert add_minutes(start, 10, cal(BERLIN)) == local(BERLIN, 2026, 11, 17, 9, 10)

    def test_it_starts_at_the_next_opening_after_closing_time(self):
        start = local(BERLIN, 2026, 11, 17, 22, 0)
        assert add_minutes(start, 10, cal(BERLIN)) == local(BERLIN, 2026, 11, 18, 9, 10)

    def test_it_pauses_the_clock_over_the_weekend(self):
        start = local(BERLIN, 2026, 11, 20, 17, 55)  # Friday
        assert add_minutes(start, 15, cal(BERLIN)) == local(BERLIN, 2026, 11, 23, 9, 10)

    def test_it_starts_a_weekend_ticket_on_monday(self):
        start = local(BERLIN, 2026, 11, 21, 12, 0)  # Saturday
        assert add_minutes(start, 60, cal(BERLIN)) == local(BERLIN, 2026, 11, 23, 10, 0)

    def test_it_spans_several_days(self):
        start = local(BERLIN, 2026, 11, 17, 9, 0)
        # 5 business days of 9 hours = one working week
        assert add_minutes(start, 5 * 9 * 60, cal(BERLIN)) == local(BERLIN, 2026, 11, 23, 18, 0)

    def test_it_ends_exactly_at_closing_time(self):
        start = local(BERLIN, 2026, 11, 17, 17, 0)
        assert add_minutes(start, 60, cal(BERLIN)) == local(BERLIN, 2026, 11, 17, 18, 0)

    def test_it_counts_no_open_minutes_over_a_weekend(self):
        start = local(BERLIN, 2026, 11, 20, 18, 0)
        end = local(BERLIN, 2026, 11, 23, 9, 0)
        assert open_minutes_between(start, end, cal(BERLIN)) == 0

    def test_it_is_open_only_inside_the_hours(self):
        c = cal(BERLIN)
        assert c.is_open(local(BERLIN, 2026, 11, 17, 9, 0))
        assert not c.is_open(local(BERLIN, 2026, 11, 17, 18, 0))
        assert not c.is_open(local(BERLIN, 2026, 11, 21, 12, 0))


class TestHolidays:
    def test_it_skips_a_holiday(self):
        c = cal(BERLIN, holidays=[date(2026, 12, 25)])  # Friday
        start = local(BERLIN, 2026, 12, 24, 17, 30)
        assert add_minutes(start, 60, c) == local(BERLIN, 2026, 12, 28, 9, 30)

    def test_it_skips_consecutive_holidays_and_the_weekend(self):
        c = cal(BERLIN, holidays=[date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 28)])
        start = local(BERLIN, 2026, 12, 23, 17, 0)
        assert add_minutes(start, 120, c) == local(BERLIN, 2026, 12, 29, 10, 0)
        assert open_minutes_between(start, local(BERLIN, 2026, 12, 29, 10, 0), c) == 120

    def test_it_is_closed_on_a_holiday(self):
        c = cal(BERLIN, holidays=[date(2026, 12, 25)])
        assert not c.is_open(local(BERLIN, 2026, 12, 25, 12, 0))

    def test_it_refuses_a_calendar_without_opening_hours(self):
        with pytest.raises(ValueError):
            add_minutes(local(BERLIN, 2026, 1, 1, 9), 10, cal(BERLIN, hours={}))


class TestDaylightSaving:
    # Europe/Berlin: spring forward 2026-03-29 02:00 → 03:00; fall back 2026-10-25 03:00 → 02:00.
    # America/New_York: spring forward 2026-03-08, fall back 2026-11-01.

    @pytest.mark.parametrize(
        "tz,friday,monday",
        [
            (BERLIN, date(2026, 3, 27), date(2026, 3, 30)),
            (BERLIN, date(2026, 10, 23), date(2026, 10, 26)),
            (NEW_YORK, date(2026, 3, 6), date(2026, 3, 9)),
            (NEW_YORK, date(2026, 10, 30), date(2026, 11, 2)),
        ],
    )
    def test_it_keeps_wall_clock_hours_across_a_dst_weekend(self, tz, friday, monday):
        start = datetime.combine(friday, time(17, 30), tzinfo=tz)
        due = add_minutes(start, 60, cal(tz))
        assert due == datetime.combine(monday, time(9, 30), tzinfo=tz)
        assert due.astimezone(tz).time() == time(9, 30)
        assert open_minutes_between(start, due, cal(tz)) == 60

    def test_the_utc_offset_changes_but_not_the_opening_time(self):
        before = cal(BERLIN).window(date(2026, 3, 27))
        after = cal(BERLIN).window(date(2026, 3, 30))
        assert before[0] == datetime(2026, 3, 27, 8, 0, tzinfo=UTC)  # CET, UTC+1
        assert after[0] == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)  # CEST, UTC+2

    @pytest.mark.parametrize(
        "tz,day,open_minutes",
        [
            (BERLIN, date(2026, 3, 29), 180),  # 01:00–05:00 loses the skipped hour
            (BERLIN, date(2026, 10, 25), 300),  # and gains the repeated one
            (NEW_YORK, date(2026, 3, 8), 180),
            (NEW_YORK, date(2026, 11, 1), 300),
        ],
    )
    def test_it_counts_real_minutes_on_the_day_of_the_change(self, tz, day, open_minutes):
        c = cal(tz, hours=EVERY_DAY_EARLY)
        start = datetime.combine(day, time(0), tzinfo=tz)
        end = datetime.combine(day, time(12), tzinfo=tz)
        assert open_minutes_between(start, end, c) == open_minutes
        assert add_minutes(start, open_minutes, c) == datetime.combine(day, time(5), tzinfo=tz)

    def test_it_counts_real_minutes_through_the_skipped_hour(self):
        c = cal(BERLIN, hours=EVERY_DAY_EARLY)
        start = datetime(2026, 3, 29, 1, 30, tzinfo=BERLIN)
        # 30 real minutes after 01:30 CET is 03:00 CEST.
        assert add_minutes(start, 30, c) == datetime(2026, 3, 29, 3, 0, tzinfo=BERLIN)

    def test_it_counts_real_minutes_through_the_repeated_hour(self):
        c = cal(BERLIN, hours=EVERY_DAY_EARLY)
        start = datetime(2026, 10, 25, 1, 30, tzinfo=BERLIN)  # CEST
        due = add_minutes(start, 120, c)
        assert due - start == timedelta(hours=2)
        assert due.astimezone(BERLIN).replace(tzinfo=None) == datetime(2026, 10, 25, 2, 30)
        assert due.astimezone(BERLIN).utcoffset() == timedelta(hours=1)  # the second 02:30


class TestAlwaysOpen:
    @pytest.mark.parametrize(
        "tz,start",
        [
            (BERLIN, datetime(2026, 3, 28, 12, 0)),
            (BERLIN, datetime(2026, 10, 24, 12, 0)),
            (NEW_YORK, datetime(2026, 3, 7, 12, 0)),
            (NEW_YORK, datetime(2026, 10, 31, 12, 0)),
        ],
    )
    def test_it_is_real_elapsed_time_across_dst(self, tz, start):
        start = start.replace(tzinfo=tz)
        due = add_minutes(start, 24 * 60, always(tz))
        assert due - start == timedelta(hours=24)
        assert due.astimezone(tz).hour in (11, 13)  # the wall clock moved by the shift
        assert open_minutes_between(start, due, always(tz)) == 24 * 60

    def test_it_never_pauses(self):
        c = always(BERLIN)
        start = local(BERLIN, 2026, 11, 21, 23, 50)  # Saturday night
        assert add_minutes(start, 20, c) == local(BERLIN, 2026, 11, 22, 0, 10)
        assert c.is_open(start)
        assert c.window(date(2026, 3, 29))[1] - c.window(date(2026, 3, 29))[0] == timedelta(
            hours=23
        )


class TestInverse:
    @pytest.mark.parametrize("tz", [BERLIN, NEW_YORK, ZoneInfo("UTC")])
    @pytest.mark.parametrize("hours", [WEEKDAYS, EVERY_DAY_EARLY, None])
    def test_open_minutes_between_inverts_add_minutes(self, tz, hours):
        rng = random.Random(42)
        c = always(tz) if hours is None else cal(tz, hours, holidays=[date(2026, 10, 26)])
        base = datetime(2026, 3, 1, tzinfo=UTC)
        for _ in range(300):
            start = base + timedelta(minutes=rng.randrange(0, 60 * 24 * 300))
            minutes = rng.choice([1, 15, 30, 60, 240, 600, 1440, 2880, 7200])
            due = add_minutes(start, minutes, c)
            assert open_minutes_between(start, due, c) == pytest.approx(minutes)
            assert open_minutes_between(due, start, c) == pytest.approx(-minutes)
            if hours is not None:
                assert c.is_open(due - timedelta(seconds=1))
