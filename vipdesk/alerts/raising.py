"""Raising alerts: one in-app Alert per user and reason, delivered after commit.

Raising is idempotent: the (user, dedupe_key) pair is unique, so a retried job or a
second monitor run never alerts twice for the same thing. raise_alerts raises many
at once in a constant number of queries however many alerts there are."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from vipdesk.alerts.delivery import deliver_alert, enqueue_delivery
from vipdesk.alerts.models import Alert
from vipdesk.lib.jobs import enqueue_on_commit


def raise_alert(
    user,
    *,
    kind: str,
    dedupe_key: str,
    title: str,
    body: str = "",
    link: str = "",
    account=None,
    ticket=None,
    now=None,
    deliver: bool = True,
) -> Alert | None:
    """Create the alert unless this user already has one with this key; returns the new
    alert, or None when it already existed (or there is no one to tell).

    deliver=False leaves the e-mail/Slack delivery to the caller, who batches it
    (deliver_alerts) — routing does, one job per batch of tickets."""
    if user is None:
        return None
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                user=user,
                kind=kind,
                dedupe_key=dedupe_key[:200],
                title=title[:300],
                body=body,
                link=link,
                account=account,
                ticket=ticket,
                created_at=now or timezone.now(),
            )
    except IntegrityError:
        return None
    if deliver:
        enqueue_on_commit(deliver_alert, alert.pk, job_id=f"deliver-alert-{alert.pk}", queue="high")
    return alert


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
