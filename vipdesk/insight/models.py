"""The insight pages' own tables: the monthly rollups the report pages read, and
backtest runs (a draft of the score weights and the figures of replaying a period with
it beside the saved weights, vipdesk/insight/replay.py)."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
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
    # Figures as the month stood, recomputed with the rest: retention and churn, the
    # relationship cadence's completion (rollups.month_facts).
    facts = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    # What only exists as "now" (pool load, sponsors, at-risk accounts, NPS, ARR), kept as
    # it was at the month's end: taken by the last refresh before the month ended, or
    # the first one after it (rollups.month_end_snapshot); `snapshot_at` says when.
    snapshot = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    snapshot_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"Rollup {self.month:%Y-%m} ({self.computed_at:%Y-%m-%d %H:%M})"


class BacktestRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        FAILED = "failed", "Failed"

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    period_from = models.DateField()
    period_to = models.DateField()
    # {ScoreWeights field: value}: the draft; empty while "Suggest weights" fits it.
    draft = models.JSONField(default=dict, blank=True)
    suggested = models.BooleanField(default=False, help_text="The draft was fitted, not typed.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # {"saved": {threshold: figures}, "draft": {…}}, see vipdesk/insight/jobs.py.
    results = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    saved_at = models.DateTimeField(null=True, blank=True, help_text="When the draft was saved.")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Backtest {self.period_from} … {self.period_to} ({self.status})"
