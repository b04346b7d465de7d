"""The insight pages' own tables: the monthly rollups the report pages read."""

from django.db import models


class MonthlyRollup(models.Model):
    """One month's ticket figures per tier and its missed VIP SLAs, computed by
    vipdesk/insight/rollups.py so the monthly report never scans a month of tickets per
    request. `computed_at` is shown on the page; a stale rollup says so."""

    month = models.DateField(unique=True, help_text="The month's first day.")
    computed_at = models.DateTimeField()
    tiers = models.JSONField(default=list)  # [TierRow fields] (accounts/dashboard.py)
    tickets_with_sla = models.PositiveIntegerField(default=0)
    tickets_missed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"Rollup {self.month:%Y-%m} ({self.computed_at:%Y-%m-%d %H:%M})"
