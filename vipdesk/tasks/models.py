"""Tasks: something one person must do by a due time, raised by any layer.

Like alerts, this app sits low (STYLE.md "Something every layer raises (alerts,
tasks) sits low"): ticket follow-ups (tickets/followups/), account reviews,
check-ins and outreach (accounts/cadence/) all create Tasks, so it imports none of
them. It points at its subject loosely: string model references, a kind, a key and
a link. Overdue tasks alert their owner, then the lead (vipdesk/tasks/jobs.py).
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone


class TaskPolicy(models.Model):
    """Singleton (pk=1): when an overdue task goes up to the lead."""

    lead_alert_after_minutes = models.PositiveIntegerField(
        "alert the lead after (minutes overdue)",
        default=240,
        validators=[MinValueValidator(1)],
        help_text="The owner is alerted as soon as a task is overdue; the lead this much later.",
    )

    class Meta:
        verbose_name = "task policy"
        verbose_name_plural = "task policy"

    def __str__(self) -> str:
        return "Task policy"

    @classmethod
    def load(cls) -> "TaskPolicy":
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


class TaskQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=Task.Status.OPEN)

    def overdue(self, now):
        return self.open().filter(due_at__lte=now)


class Task(models.Model):
    class Kind(models.TextChoices):
        EXECUTIVE_FOLLOW_UP = "executive_follow_up", "Follow up with the executive contact"
        FOLLOW_UP_CHECK = "follow_up_check", "Follow-up check"
        PERSONAL_CALL = "personal_call", "Personal call"
        RESOLUTION_SUMMARY = "resolution_summary", "Resolution summary e-mail"
        CHECK_IN = "check_in", "Monthly check-in"
        BUSINESS_REVIEW = "business_review", "Quarterly business review"
        EXECUTIVE_REVIEW = "executive_review", "Annual executive review"
        OUTREACH = "outreach", "Proactive outreach"
        ABUSE_REVIEW = "abuse_review", "Abusive-contact review"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        SKIPPED = "skipped", "Skipped"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    # Each key is used once, ever: a rule re-run never re-creates a task, done or not.
    # E.g. "ticket:42:personal_call", "account:7:business_review:2026-Q4".
    key = models.CharField(max_length=200, unique=True)
    title = models.CharField(max_length=300)
    draft = models.TextField(blank=True, help_text="A starting point, edited before use.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="team_tasks",
        help_text="Alerted when the owner lets the task run overdue.",
    )
    account = models.ForeignKey(
        "accounts.Account", null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )
    link = models.CharField(max_length=300, blank=True)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    skip_reason = models.CharField(max_length=500, blank=True)
    owner_alerted_at = models.DateTimeField(null=True, blank=True)
    lead_alerted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="skipped") | ~Q(skip_reason=""),
                name="task_skipped_with_reason",
            ),
        ]
        indexes = [
            models.Index(
                fields=["owner", "due_at"], condition=Q(status="open"), name="task_open_owner_idx"
            ),
            models.Index(
                fields=["lead", "due_at"], condition=Q(status="open"), name="task_open_lead_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, now) -> bool:
        return self.status == self.Status.OPEN and self.due_at <= now
