"""SLA clock arithmetic on a business-hours calendar.

A business-hours clock runs only inside the opening hours of each weekday (in the
calendar's time zone) and stops on holidays; a 24/7 clock never stops. All
arithmetic is done in UTC so DST changes neither add nor lose time: the opening
hours are wall-clock times, converted to UTC day by day.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Longest stretch we search for opening hours before deciding the calendar is empty.
_MAX_DAYS = 3660


@dataclass(frozen=True)
class BusinessCalendar:
    tz: ZoneInfo
    # weekday (0 = Monday) -> (opens, closes); a missing weekday is closed
    hours: dict[int, tuple[time, time]] = field(default_factory=dict)
    holidays: frozenset[date] = frozenset()
    always_open: bool = False
    name: str = ""
    # window() per day, computed once: due times of many tickets (seed_demo writes
    # millions, the router thousands at once) ask for the same few hundred days, and
    # each answer costs two time-zone conversions.
    _windows: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        """The UTC [open, close) interval of a local calendar day, or None if closed."""
        try:
            return self._windows[day]
        except KeyError:
            window = self._windows[day] = self._window(day)
            return window

    def _window(self, day: date) -> tuple[datetime, datetime] | None:
        if self.always_open:
            start = datetime.combine(day, time(0), tzinfo=self.tz).astimezone(UTC)
            end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=self.tz)
            return start, end.astimezone(UTC)
        if day in self.holidays or day.weekday() not in self.hours:
            return None
        opens, closes = self.hours[day.weekday()]
        return (
            datetime.combine(day, opens, tzinfo=self.tz).astimezone(UTC),
            datetime.combine(day, closes, tzinfo=self.tz).astimezone(UTC),
        )

    def is_open(self, moment: datetime) -> bool:
        if self.always_open:
            return True
        window = self.window(moment.astimezone(self.tz).date())
        return window is not None and window[0] <= moment < window[1]


def always(tz: ZoneInfo) -> BusinessCalendar:
    return BusinessCalendar(tz=tz, always_open=True)


def add_minutes(start: datetime, minutes: float, calendar: BusinessCalendar) -> datetime:
    """The moment `minutes` of open time after `start` (a due time)."""
    start = start.astimezone(UTC)
    if calendar.always_open:
        return start + timedelta(minutes=minutes)
    remaining = timedelta(minutes=minutes)
    day = start.astimezone(calendar.tz).date()
    for _ in range(_MAX_DAYS):
        window = calendar.window(day)
        if window is not None:
            begin = max(window[0], start)
            if begin < window[1]:
                if remaining <= window[1] - begin:
                    return begin + remaining
                remaining -= window[1] - begin
        day += timedelta(days=1)
    raise ValueError("The business-hours calendar has no opening hours.")


def open_minutes_between(start: datetime, end: datetime, calendar: BusinessCalendar) -> float:
    """Minutes of open time in [start, end); negative when end is before start."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end < start:
        return -open_minutes_between(end, start, calendar)
    if calendar.always_open:
        return (end - start).total_seconds() / 60
    total = timedelta()
    day = start.astimezone(calendar.tz).date()
    last = end.astimezone(calendar.tz).date()
    while day <= last:
        window = calendar.window(day)
        if window is not None:
            overlap = min(window[1], end) - max(window[0], start)
            if overlap > timedelta():
                total += overlap
        day += timedelta(days=1)
    return total.total_seconds() / 60


def add_business_days(start: datetime, days: int, calendar: BusinessCalendar) -> datetime:
    """The close of the `days`-th business day after `start`'s own day (a "due in N
    business days" deadline); a 24/7 calendar counts every day."""
    day = start.astimezone(calendar.tz).date()
    counted = 0
    for _ in range(_MAX_DAYS):
        day += timedelta(days=1)
        window = calendar.window(day)
        if window is not None:
            counted += 1
            if counted >= days:
                return window[1]
    raise ValueError("The business-hours calendar has no opening hours.")
