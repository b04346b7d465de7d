"""Raising many alerts at once (the SLA monitor, risk-threshold crossings): the same
once-per-(user, dedupe_key) guarantee as tickets.alerts.raise_alert, in a constant
number of queries however many alerts there are."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from tickets.alerts import enqueue_delivery, raise_alert
from tickets.models import Alert


@dataclass(frozen=True)
class AlertSpec:
    user_id: int
    kind: str
    dedupe_key: str
    title: str
    body: str = ""
    link: str = ""
    account_id: int | None = None
    ticket_id: int | None = None


def raise_alerts(specs: list[AlertSpec], now=None) -> list[Alert]:
    """Create the alerts no user has yet; returns the new ones, delivered by one job
    after commit."""
    now = now or timezone.now()
    unique: dict[tuple[int, str], AlertSpec] = {}
    for spec in specs:
        if spec.user_id is not None:
            unique.setdefault((spec.user_id, spec.dedupe_key[:200]), spec)
    if not unique:
        return []
    existing = set(
        Alert.objects.filter(
            user_id__in={u for u, _ in unique}, dedupe_key__in={k for _, k in unique}
        ).values_list("user_id", "dedupe_key")
    )
    new = [
        Alert(
            user_id=user_id,
            kind=spec.kind,
            dedupe_key=key,
            title=spec.title[:300],
            body=spec.body,
            link=spec.link,
            account_id=spec.account_id,
            ticket_id=spec.ticket_id,
            created_at=now,
        )
        for (user_id, key), spec in unique.items()
        if (user_id, key) not in existing
    ]
    if not new:
        return []
    try:
        with transaction.atomic():
            created = Alert.objects.bulk_create(new)
    except IntegrityError:
        # Raced with another writer: fall back to one-by-one, which skips duplicates.
        created = []
        for alert in new:
            made = raise_alert(
                alert.user,
                kind=alert.kind,
                dedupe_key=alert.dedupe_key,
                title=alert.title,
                body=alert.body,
                link=alert.link,
                account=alert.account,
                ticket=alert.ticket,
                now=now,
            )
            if made:
                created.append(made)
        return created
    enqueue_delivery([alert.pk for alert in created])
    return created
