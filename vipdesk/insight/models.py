"""Backtest runs: a draft of the score weights and the figures of replaying a period
with it beside the saved weights (vipdesk/insight/replay.py)."""

from django.conf import settings
from django.db import models


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
