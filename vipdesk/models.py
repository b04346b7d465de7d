"""Background jobs' heartbeats. (The vipdesk app also gets post_migrate through this
module: it creates the role groups.)"""

from datetime import datetime, timedelta

from django.db import models


class JobHeartbeat(models.Model):
    """The last run of one kind of background job (its function's dotted path), written
    by the worker (vipdesk/worker.py) after every job. /healthz and the admin show them;
    a scheduled kind that has not succeeded for two of its periods is stale
    (vipdesk/cron.py), and admins are alerted."""

    kind = models.CharField(max_length=200, unique=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.kind

    @classmethod
    def beat(cls, kind: str, now: datetime, error: str = "") -> None:
        values = {"last_failure_at": now, "last_error": error[-2000:]} if error else {}
        cls.objects.update_or_create(
            kind=kind[:200], defaults=values or {"last_success_at": now, "last_error": ""}
        )

    def is_stale(self, period: timedelta, now: datetime) -> bool:
        """No success for two periods (plus a minute of slack); a kind never seen is not
        stale (a weekly job on a fresh install)."""
        if self.last_success_at is None:
            return self.last_failure_at is not None
        return now - self.last_success_at > 2 * period + timedelta(minutes=1)
