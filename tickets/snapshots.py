"""Page figures too slow for a request, computed by a job into a small table (Snapshot)
and read by the page together with their age.

The jobs run every minute (vipdesk/cron.py; the resolution forecast's every ten, with
its own staleness limit). A page that finds its figures missing (a fresh install,
before the first run) or stale (older than STALE_AFTER: the scheduler or the workers
stopped) asks for a refresh itself, at most once a minute: without
Redis (the embedded demo, which runs no scheduler) that runs at once, inside the
request, on the demo's small data; with Redis it is queued, and the page says that
its figures are being computed, or when they were.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from tickets.models import Snapshot
from vipdesk.lib.jobs import run_or_enqueue

STALE_AFTER = timedelta(minutes=3)  # three missed runs of a job that runs every minute
REFRESH_TIMEOUT = 300


@dataclass(frozen=True)
class Figures:
    """A page's stored figures, or None while they are first being computed."""

    data: dict | None
    computed_at: datetime | None
    now: datetime
    stale_after: timedelta = STALE_AFTER

    @property
    def pending(self) -> bool:
        return self.computed_at is None

    @property
    def age(self) -> timedelta | None:
        return None if self.computed_at is None else max(self.now - self.computed_at, timedelta(0))

    @property
    def age_label(self) -> str:
        """'42 s', '7 min', '3 h 5 min': how long ago they were computed."""
        if self.age is None:
            return ""
        seconds = int(self.age.total_seconds())
        if seconds < 120:
            return f"{seconds} s"
        minutes = seconds // 60
        return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60} min"

    @property
    def stale(self) -> bool:
        return self.age is not None and self.age > self.stale_after


def store(name: str, data: dict, now: datetime) -> None:
    Snapshot.objects.update_or_create(name=name, defaults={"computed_at": now, "data": data})


def read(
    name: str, refresh: Callable[[], object], now: datetime, stale_after: timedelta = STALE_AFTER
) -> Figures:
    """The figures stored under `name` (one query); missing or stale ones (older than
    `stale_after`, for figures refreshed less often than every minute) are asked for
    (`refresh`, a job function taking no argument) and read again."""
    row = Snapshot.objects.filter(name=name).only("computed_at", "data").first()
    if row is None or now - row.computed_at > stale_after:
        run_or_enqueue(refresh, job_id=f"snapshot-{name}-{now:%Y%m%d%H%M}", timeout=REFRESH_TIMEOUT)
        row = Snapshot.objects.filter(name=name).only("computed_at", "data").first()
    if row is None:
        return Figures(None, None, now, stale_after)
    return Figures(row.data, row.computed_at, now, stale_after)
