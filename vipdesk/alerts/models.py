"""Alerts: one notification to one user, raised by any layer.

This app sits on the floor of the layering (next to vipdesk/lib): routing, scoring,
the SLA monitor and reports all raise alerts, so it imports none of them. It points
at its subject loosely: by string model references ("accounts.Account",
"tickets.Ticket"), a kind, a dedupe key and a link.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Alert(models.Model):
    """A notification to one user: shown in-app, e-mailed, optionally posted to Slack.

    `dedupe_key` (e.g. "ticket:42:vip_p2") makes raising the same alert twice a no-op."""

    class Kind(models.TextChoices):
        VIP_TICKET = "vip_ticket", "VIP P2+ ticket"
        CHURN_LANGUAGE = "churn_language", "Churn language"
        EXECUTIVE_CONTACT = "executive_contact", "Executive contact"
        POSSIBLE_VIP = "possible_vip", "Possible VIP — verify identity"
        SLA_WARNING = "sla_warning", "SLA about to breach"
        SLA_BREACH = "sla_breach", "SLA breached"
        RISK_THRESHOLD = "risk_threshold", "Risk threshold crossed"
        RISK_BAND = "risk_band", "Risk-band workflow"
        ESCALATION = "escalation", "Escalation"
        WEEKLY_REPORT = "weekly_report", "Weekly VIP health report"
        MONTHLY_REPORT = "monthly_report", "Monthly VIP support report"
        TASK_OVERDUE = "task_overdue", "Task overdue"
        JOB_STALE = "job_stale", "Background job stale"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alerts"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    dedupe_key = models.CharField(max_length=200)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=300, blank=True)
    account = models.ForeignKey("accounts.Account", null=True, blank=True, on_delete=models.CASCADE)
    ticket = models.ForeignKey("tickets.Ticket", null=True, blank=True, on_delete=models.CASCADE)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # When the recipient must act by (an admin setting of the raiser: the executive-
    # contact notice time, a tier's "escalate within"); shown, and flagged when missed.
    respond_by = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    slack_posted_at = models.DateTimeField(null=True, blank=True)
    # Why the last delivery attempt failed (cleared when one succeeds).
    delivery_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "dedupe_key"], name="alert_once_per_user"),
        ]
        indexes = [
            models.Index(fields=["user", "read_at"], name="alert_unread_idx"),
            # /notifications/ pages a user's alerts newest first; a lead can hold
            # thousands after a weights change (a digest caps new ones, not old ones).
            models.Index(fields=["user", "-created_at", "-id"], name="alert_user_newest_idx"),
            # /healthz counts the alerts whose delivery is failing.
            models.Index(
                fields=["id"], condition=~models.Q(delivery_error=""), name="alert_undelivered_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def overdue(self, now) -> bool:
        return (
            self.respond_by is not None and self.acknowledged_at is None and self.respond_by < now
        )
