"""State changes on alerts, each a conditional UPDATE."""

from datetime import datetime

from django.utils import timezone

from vipdesk.alerts.models import Alert


def mark_alert_read(alert: Alert, now: datetime | None = None) -> None:
    Alert.objects.filter(pk=alert.pk, read_at__isnull=True).update(read_at=now or timezone.now())


def acknowledge_alert(alert: Alert, now: datetime | None = None) -> None:
    now = now or timezone.now()
    Alert.objects.filter(pk=alert.pk, read_at__isnull=True).update(read_at=now)
    Alert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(acknowledged_at=now)


def mark_all_read(user, now: datetime | None = None) -> int:
    return Alert.objects.filter(user=user, read_at__isnull=True).update(
        read_at=now or timezone.now()
    )
