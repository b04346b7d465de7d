"""Resolution forecast for open escalations: the median time the most similar past
escalations took to resolve, with how many it rests on ("7 similar escalations
(same type and severity), median 4.2 days").

Similar means the same type, severity, account tier and root-cause category (as the
reports define it, `ROOT_CAUSE`; only when the open escalation has one); with fewer
than MIN_SIMILAR of those, the same type, severity and tier, then the same type and
severity, then the same type (`steps`). Resolution time is opened → final resolution
(closed where no resolution was recorded), as the escalation report's MTTR counts it,
over the escalations that ended in the last HISTORY_DAYS.

`groups` and `forecast` are pure. Reading two years of escalations is too slow for a
request (≈ 1 s at 50,000), so a job (`refresh_figures`, every REFRESH_MINUTES,
vipdesk/cron.py) stores every group's median and count as page figures
(tickets/snapshots.py) and the page and the alert job look their groups up there."""

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median

from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from escalations.models import Escalation
from escalations.reports import ROOT_CAUSE
from tickets import snapshots

MIN_SIMILAR = 3
HISTORY_DAYS = 730
FIGURES = "escalation-forecast"
REFRESH_MINUTES = 10
STALE_AFTER = timedelta(minutes=3 * REFRESH_MINUTES)  # three missed runs


@dataclass(frozen=True)
class Forecast:
    median: timedelta
    based_on: int
    alike: str  # what the similar escalations share

    @property
    def text(self) -> str:
        days = self.median.total_seconds() / 86400
        return f"{self.based_on} similar escalations ({self.alike}), median {days:.1f} days"

    def due(self, opened_at: datetime) -> datetime:
        return opened_at + self.median


Key = tuple[str, str, int, str]  # type, severity, tier, root-cause category ("" if none)


@dataclass(frozen=True)
class Group:
    median: timedelta
    count: int


def steps(key: Key) -> list[tuple[tuple, str]]:
    """The similarity groups an escalation of `key` belongs to, most specific first,
    each with what its members share."""
    kind, severity, tier, cause = key
    found = [
        ((kind, severity, tier), "same type, severity and tier"),
        ((kind, severity), "same type and severity"),
        ((kind,), "same type"),
    ]
    if cause:
        found.insert(0, (key, "same type, severity, tier and root cause"))
    return found


def groups(history: Iterable[tuple[Key, timedelta]]) -> dict[tuple, Group]:
    """Every similarity group's median and count from past (key, time to resolve)
    pairs; groups too small to forecast from are left out."""
    times: dict[tuple, list[timedelta]] = defaultdict(list)
    for key, taken in history:
        for similar, _ in steps(key):
            times[similar].append(taken)
    return {g: Group(median(t), len(t)) for g, t in times.items() if len(t) >= MIN_SIMILAR}


def forecast(key: Key, group: Callable[[tuple], Group | None]) -> Forecast | None:
    """The forecast for an escalation of `key`: the most specific of its similarity
    groups with MIN_SIMILAR members (`group` looks one up, None when unknown)."""
    for similar, label in steps(key):
        found = group(similar)
        if found is not None and found.count >= MIN_SIMILAR:
            return Forecast(found.median, found.count, label)
    return None


def with_keys(escalations: QuerySet) -> QuerySet:
    """`escalations` with what `key_of` reads (the account, the root-cause category)."""
    return escalations.select_related("account").annotate(cause=ROOT_CAUSE)


def key_of(e: Escalation) -> Key:
    return (e.type, e.severity, e.account.tier, e.cause or "")


def load_history(now: datetime) -> list[tuple[Key, timedelta]]:
    """Escalations that ended in the last HISTORY_DAYS: their key, the time taken."""
    rows = (
        Escalation.objects.annotate(ended_at=Coalesce("resolved_at", "closed_at"), cause=ROOT_CAUSE)
        .filter(ended_at__isnull=False, ended_at__gte=now - timedelta(days=HISTORY_DAYS))
        .values_list("type", "severity", "account__tier", "cause", "opened_at", "ended_at")
    )
    return [((k, s, tier, c or ""), ended - opened) for k, s, tier, c, opened, ended in rows]


def _name(similar: tuple) -> str:
    return json.dumps(list(similar))


def refresh_figures(now: datetime | None = None) -> int:
    """Job: store every similarity group's median and count (one read, one write);
    returns how many groups were stored."""
    now = now or timezone.now()
    found = groups(load_history(now))
    data = {_name(g): [s.median.total_seconds(), s.count] for g, s in found.items()}
    snapshots.store(FIGURES, {"groups": data}, now)
    return len(found)


@dataclass(frozen=True)
class Forecasts:
    """The stored groups (with their age), for forecasting any number of escalations."""

    figures: snapshots.Figures

    def group(self, similar: tuple) -> Group | None:
        row = (self.figures.data or {}).get("groups", {}).get(_name(similar))
        return None if row is None else Group(timedelta(seconds=row[0]), row[1])

    def of(self, e: Escalation) -> Forecast | None:
        """`e`'s forecast (`e` from `with_keys`); None while the figures are first
        being computed."""
        return forecast(key_of(e), self.group)


def stored(now: datetime) -> Forecasts:
    """The stored groups (one query; computed first where they never were, as page
    figures are)."""
    return Forecasts(snapshots.read(FIGURES, refresh_figures, now, stale_after=STALE_AFTER))
