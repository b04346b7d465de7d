"""Raising alerts: one in-app Alert per user and reason, delivered after commit.

Raising is idempotent: the (user, dedupe_key) pair is unique, so a retried job or a
second monitor run never alerts twice for the same thing. raise_alerts is the one
way to create alerts (routing, scoring, the SLA monitor, reports): it raises many at
once in a constant number of queries, and delivers the new ones (e-mail, Slack) in
one job after commit unless told not to."""

from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from vipdesk.alerts.delivery import enqueue_delivery
from vipdesk.alerts.models import Alert


@dataclass(frozen=True)
class AlertSpec:
    user_id: int | None  # None: nobody to tell, skipped
    kind: str
    dedupe_key: str
    title: str
    body: str = ""
    link: str = ""
    account_id: int | None = None
    ticket_id: int | None = None
    respond_within_minutes: int | None = None  # sets Alert.respond_by


def raise_alerts(specs: list[AlertSpec], now=None, *, deliver: bool = True) -> list[Alert]:
    """Create the alerts no user has yet; returns the new ones, delivered by one job
    after commit (deliver=False: the caller delivers them itself, as the weekly report
    does with its own e-mail)."""
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
            respond_by=(
                None
                if spec.respond_within_minutes is None
                else now + timedelta(minutes=spec.respond_within_minutes)
            ),
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
        # Raced with another writer: one at a time, skipping the duplicates.
        created = []
        for alert in new:
            try:
                with transaction.atomic():
                    alert.save(force_insert=True)
            except IntegrityError:
                continue
            created.append(alert)
    if deliver:
        enqueue_delivery([alert.pk for alert in created])
    return created
