"""Resolution forecast for open escalations: the median time the most similar past
escalations took to resolve, with how many it rests on ("7 similar escalations,
median 4.2 days").

Similar means the same type, severity and account tier; with fewer than
MIN_SIMILAR of those, the same type and severity, then the same type. Resolution time
is opened → final resolution (closed where no resolution was recorded), as the
escalation report's MTTR counts it. `forecast` is
pure; `forecasts_for` loads the history once for many escalations."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median

from django.db.models.functions import Coalesce

from escalations.models import Escalation

MIN_SIMILAR = 3
HISTORY_DAYS = 730


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


Key = tuple[str, str, int]  # type, severity, tier


def forecast(key: Key, history: list[tuple[Key, timedelta]]) -> Forecast | None:
    """The forecast for an escalation of `key` from past (key, time to resolve) pairs."""
    kind, severity, tier = key
    steps = [
        (lambda k: k == key, "same type, severity and tier"),
        (lambda k: k[:2] == (kind, severity), "same type and severity"),
        (lambda k: k[0] == kind, "same type"),
    ]
    for alike, label in steps:
        times = [t for k, t in history if alike(k)]
        if len(times) >= MIN_SIMILAR:
            return Forecast(median(times), len(times), label)
    return None


def load_history(now: datetime) -> list[tuple[Key, timedelta]]:
    """Escalations resolved in the last two years: (type, severity, tier), time taken."""
    rows = (
        Escalation.objects.annotate(ended_at=Coalesce("resolved_at", "closed_at"))
        .filter(ended_at__isnull=False, ended_at__gte=now - timedelta(days=HISTORY_DAYS))
        .values_list("type", "severity", "account__tier", "opened_at", "ended_at")
    )
    return [((k, s, tier), ended - opened) for k, s, tier, opened, ended in rows]


def forecasts_for(escalations, now: datetime) -> dict[int, Forecast | None]:
    history = load_history(now)
    return {e.pk: forecast((e.type, e.severity, e.account.tier), history) for e in escalations}
