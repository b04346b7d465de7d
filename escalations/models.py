"""Escalations. The playbook (timeline, actions, communication log, goodwill,
post-mortem) extends this model in its own issue."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from accounts.models import Account
from tickets.models import Ticket


class Severity(models.TextChoices):
    CRITICAL = "critical", "Critical"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class SeverityPolicy(models.Model):
    """Response and resolution SLA per escalation severity."""

    severity = models.CharField(max_length=10, choices=Severity.choices, unique=True)
    response_minutes = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    resolution_minutes = models.PositiveIntegerField(validators=[MinValueValidator(1)])

    class Meta:
        verbose_name_plural = "severity policies"
        constraints = [
            models.CheckConstraint(
                condition=Q(response_minutes__gt=0) & Q(resolution_minutes__gt=0),
                name="severity_minutes_positive",
            )
        ]

    def __str__(self) -> str:
        return self.get_severity_display()


class EscalationMatrixLevel(models.Model):
    """Who owns an escalation of a severity at each escalation level (0 = initial owner)."""

    severity = models.CharField(max_length=10, choices=Severity.choices)
    level = models.PositiveSmallIntegerField()
    owners = models.CharField(max_length=200)

    class Meta:
        ordering = ["severity", "level"]
        verbose_name = "escalation matrix level"
        constraints = [
            models.UniqueConstraint(fields=["severity", "level"], name="one_owner_per_level"),
        ]

    def __str__(self) -> str:
        return f"{self.get_severity_display()} level {self.level}: {self.owners}"


class EscalationQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status__in=Escalation.CLOSED_STATUSES)


class Escalation(models.Model):
    class Type(models.TextChoices):
        TECHNICAL = "technical", "Technical"
        COMMERCIAL = "commercial", "Commercial"
        RELATIONSHIP = "relationship", "Relationship"
        EXECUTIVE = "executive", "Executive"
        LEGAL = "legal", "Legal"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        RESOLVED = "resolved", "Resolved"
        CLOSED = "closed", "Closed"

    CLOSED_STATUSES = (Status.RESOLVED, Status.CLOSED)

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="escalations")
    tickets = models.ManyToManyField(Ticket, blank=True, related_name="escalations")
    type = models.CharField(max_length=20, choices=Type.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    summary = models.CharField(max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    level = models.PositiveSmallIntegerField("escalation level", default=0)
    opened_at = models.DateTimeField(db_index=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = EscalationQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at"]
        indexes = [models.Index(fields=["account", "status"], name="escalation_account_idx")]

    def __str__(self) -> str:
        return f"ESC-{self.pk:04d} {self.summary}" if self.pk else self.summary

    @property
    def is_open(self) -> bool:
        return self.status not in self.CLOSED_STATUSES
