"""Tickets, the agents who work them and routing policies."""

import hashlib
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from accounts.executives import DEFAULT_EXECUTIVE_TITLES
from accounts.models import VIP_TIERS, Account, Contact, Tier
from vipdesk.tasks.models import Task


class Priority(models.TextChoices):
    P1 = "P1", "P1 Urgent"
    P2 = "P2", "P2 High"
    P3 = "P3", "P3 Normal"
    P4 = "P4", "P4 Low"


class Queue(models.TextChoices):
    SENIOR = "senior", "Senior"
    ENTERPRISE = "enterprise", "Enterprise"
    PRIORITY = "priority", "Priority"
    GENERAL = "general", "General"
    UNMATCHED = "unmatched", "Unmatched"


class AgentLevel(models.IntegerChoices):
    L1 = 1, "L1"
    L2 = 2, "L2"
    SENIOR = 3, "Senior"


class Calendar(models.TextChoices):
    BUSINESS_HOURS = "business", "Business hours"
    ALWAYS = "24x7", "24/7"


class SlaPolicy(models.Model):
    """One cell of the SLA matrix: tier × effective priority."""

    tier = models.PositiveSmallIntegerField(choices=Tier.choices)
    priority = models.CharField(max_length=2, choices=Priority.choices)
    first_response_minutes = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    resolution_minutes = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    calendar = models.CharField(max_length=10, choices=Calendar.choices)
    queue = models.CharField(max_length=20, choices=Queue.choices)
    min_agent_level = models.PositiveSmallIntegerField(
        choices=AgentLevel.choices, default=AgentLevel.L1
    )
    min_tenure_months = models.PositiveSmallIntegerField(default=0)
    notify_csm = models.BooleanField("notify CSM", default=False)
    open_escalation = models.BooleanField(default=False)

    class Meta:
        ordering = ["tier", "priority"]
        verbose_name = "SLA policy"
        verbose_name_plural = "SLA matrix"
        constraints = [
            models.UniqueConstraint(fields=["tier", "priority"], name="one_sla_per_tier_priority"),
            models.CheckConstraint(
                condition=Q(first_response_minutes__gt=0) & Q(resolution_minutes__gt=0),
                name="sla_minutes_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_tier_display()} {self.priority}"


class RoutingPolicy(models.Model):
    """Singleton (pk=1): routing numbers that are not per tier × priority."""

    vip_renewal_boost_days = models.PositiveSmallIntegerField(
        "VIP renewal boost window (days)", default=90
    )
    any_renewal_boost_days = models.PositiveSmallIntegerField(
        "any-account renewal boost window (days)", default=60
    )
    vip_share_cap_pct = models.PositiveSmallIntegerField(
        "VIP share cap (%)",
        default=40,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Most of an agent's open load that may be VIP tickets.",
    )
    executive_notify_minutes = models.PositiveSmallIntegerField(default=5)
    executive_follow_up_hours = models.PositiveSmallIntegerField(default=24)
    tier1_acknowledgement_minutes = models.PositiveSmallIntegerField(
        "Tier-1 acknowledgement (minutes)",
        default=15,
        validators=[MinValueValidator(1)],
        help_text="Never make a Tier-1 VIP wait longer for a first response; "
        "longer waits are counted per agent on the pools page.",
    )
    sla_warning_minutes = models.PositiveIntegerField(
        "SLA warning window (minutes)",
        default=10,
        validators=[MinValueValidator(1)],
        help_text="Alert and escalate when an SLA will breach within this many minutes.",
    )
    abuse_review_hours = models.PositiveSmallIntegerField(
        "abusive-contact review within (hours)",
        default=4,
        validators=[MinValueValidator(1)],
        help_text="A manager reviews an agent's abusive-contact report within this time.",
    )
    executive_titles = models.TextField(
        default=DEFAULT_EXECUTIVE_TITLES,
        help_text="Comma-separated words or phrases that mark a contact as an executive.",
    )

    class Meta:
        verbose_name = "routing policy"
        verbose_name_plural = "routing policy"

    def __str__(self) -> str:
        return "Routing policy"

    @classmethod
    def load(cls) -> "RoutingPolicy":
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


class ChurnPhrase(models.Model):
    class Kind(models.TextChoices):
        DIRECT = "direct", "Direct"
        INDIRECT = "indirect", "Indirect"

    phrase = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    weight = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "phrase"]
        constraints = [
            models.CheckConstraint(condition=~Q(phrase=""), name="churnphrase_not_empty"),
        ]

    def __str__(self) -> str:
        return self.phrase

    def save(self, *args, **kwargs):
        self.phrase = " ".join(self.phrase.split()).lower()
        super().save(*args, **kwargs)


class SupportCalendar(models.Model):
    """A team's business-hours calendar: opening hours per weekday and holidays, in
    its time zone. Pools point at one (each tier follows its pools' calendar); the
    default one serves every tier whose pools name none."""

    name = models.CharField(max_length=100, unique=True)
    time_zone = models.CharField(
        max_length=64, blank=True, help_text="IANA name, e.g. Europe/London. Empty: TIME_ZONE."
    )
    country = models.CharField(
        max_length=3,
        blank=True,
        help_text="Fill the holidays from this country's public holidays.",
    )
    subdivision = models.CharField(
        max_length=10, blank=True, help_text="State or region code, e.g. ENG or CA."
    )
    holiday_years_ahead = models.PositiveSmallIntegerField(
        default=2,
        validators=[MaxValueValidator(10)],
        help_text="Public holidays are generated for this year and this many years ahead.",
    )
    is_default = models.BooleanField(
        "default calendar", default=False, help_text="For tiers whose pools name no calendar."
    )

    class Meta:
        ordering = ["-is_default", "name"]
        verbose_name = "business-hours calendar"
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_calendar"
            ),
        ]

    def __str__(self) -> str:
        return self.name


def default_calendar() -> int | None:
    """The default calendar's id: what hours and holidays belong to unless chosen."""
    return SupportCalendar.objects.filter(is_default=True).values_list("pk", flat=True).first()


class BusinessHours(models.Model):
    """Opening hours per weekday (0 = Monday) in the calendar's time zone; a weekday
    without a row is closed."""

    calendar = models.ForeignKey(
        SupportCalendar, on_delete=models.CASCADE, related_name="hours", default=default_calendar
    )
    weekday = models.PositiveSmallIntegerField(
        choices=[
            (i, d)
            for i, d in enumerate(
                ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
            )
        ],
    )
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["calendar", "weekday"]
        verbose_name_plural = "business hours"
        constraints = [
            models.UniqueConstraint(fields=["calendar", "weekday"], name="one_hours_per_weekday"),
            models.CheckConstraint(
                condition=Q(closes__gt=models.F("opens")), name="business_hours_close_after_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class Holiday(models.Model):
    calendar = models.ForeignKey(
        SupportCalendar, on_delete=models.CASCADE, related_name="holidays", default=default_calendar
    )
    day = models.DateField()
    name = models.CharField(max_length=100)
    observed = models.BooleanField(
        default=True, help_text="Untick to keep the team working that day."
    )
    # The date the public-holiday source gave (empty for a holiday typed by hand):
    # regenerating never re-adds a generated holiday that was moved, renamed or unticked.
    generated_day = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "day"], name="one_holiday_per_day"),
            models.UniqueConstraint(
                fields=["calendar", "generated_day"], name="one_generated_holiday_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.name}"


class FollowUpPolicy(models.Model):
    """When a VIP ticket's follow-up task falls due: one row per kind × tier (no row,
    no task). The follow-up check counts from the first response, the call and the
    summary from the resolution (tickets/followups/rules.py)."""

    KINDS = [
        (k.value, k.label)
        for k in (Task.Kind.FOLLOW_UP_CHECK, Task.Kind.PERSONAL_CALL, Task.Kind.RESOLUTION_SUMMARY)
    ]

    kind = models.CharField(max_length=30, choices=KINDS)
    tier = models.PositiveSmallIntegerField(choices=[(t.value, t.label) for t in VIP_TIERS])
    due_within_minutes = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    calendar = models.CharField(max_length=10, choices=Calendar.choices)

    class Meta:
        ordering = ["kind", "tier"]
        verbose_name = "follow-up policy"
        verbose_name_plural = "follow-up policies"
        constraints = [
            models.UniqueConstraint(fields=["kind", "tier"], name="one_follow_up_policy_per_tier"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.get_tier_display()}"


class Agent(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    level = models.PositiveSmallIntegerField(choices=AgentLevel.choices, default=AgentLevel.L1)
    tenure_start = models.DateField()
    vip_share_cap_pct = models.PositiveSmallIntegerField(
        "VIP share cap (%)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Empty: the routing policy's cap.",
    )
    capacity = models.PositiveSmallIntegerField(
        default=8, help_text="Open tickets this agent can carry before counting as busy."
    )
    on_shift = models.BooleanField(default=True)

    class Meta:
        ordering = ["user__username"]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.username


class PtoPeriod(models.Model):
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="pto")
    starts = models.DateField()
    ends = models.DateField(help_text="Last day off (inclusive).")
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["starts"]
        verbose_name = "PTO period"
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__gte=models.F("starts")), name="pto_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agent} off {self.starts}–{self.ends}"


class AgentPool(models.Model):
    name = models.CharField(max_length=100, unique=True)
    tier = models.PositiveSmallIntegerField(choices=Tier.choices)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_pools",
    )
    members = models.ManyToManyField(Agent, related_name="pools", blank=True)
    calendar = models.ForeignKey(
        SupportCalendar,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pools",
        help_text="Business hours and holidays for this tier's tickets. Empty: the "
        "calendar another pool of the tier names, else the default one.",
    )

    class Meta:
        ordering = ["tier", "name"]
        permissions = [("manage_pools", "Can manage VIP agent pools")]

    def __str__(self) -> str:
        return self.name


def current_sla_due() -> models.Case:
    """SQL for Ticket.sla_due: first-response due until answered, then resolution due."""
    return models.Case(
        models.When(first_response_at__isnull=True, then=models.F("sla_first_response_due")),
        default=models.F("sla_resolution_due"),
    )


class Confirmation(models.TextChoices):
    EMAIL = "email", "E-mail"
    PHONE = "phone", "Phone call"
    CHAT = "chat", "Chat"
    MEETING = "meeting", "Meeting"


def is_vip_ticket(tier: int | None, executive_contact: bool) -> bool:
    """The one meaning of "VIP ticket" (SPEC): the account is Tier 1–3, or the contact
    is an executive. Takes plain values, so the router can ask about unsaved data."""
    return tier in VIP_TIERS or executive_contact


def vip_ticket_q(prefix: str = "") -> Q:
    """is_vip_ticket in SQL; `prefix` reaches tickets through a relation ("tickets__")."""
    return Q(**{f"{prefix}tier__in": VIP_TIERS}) | Q(**{f"{prefix}executive_contact": True})


def handled_in_q(tiers) -> Q:
    """Ticket.handling_tier in `tiers`, in SQL: an executive contact counts as Tier 1."""
    q = Q(tier__in=tiers, executive_contact=False)
    return q | Q(executive_contact=True) if Tier.STRATEGIC in tiers else q


class TicketQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=Ticket.OPEN_STATUSES)

    def vip(self):
        return self.filter(vip_ticket_q())

    def pending_routing(self):
        """Waiting to be routed; a ticket routing failed on waits for an admin instead."""
        return self.filter(routed=False, routing_error="")

    def routing_failed(self):
        return self.filter(routed=False).exclude(routing_error="")


class Ticket(models.Model):
    class Source(models.TextChoices):
        ZENDESK = "zendesk", "Zendesk"
        API = "api", "API"
        CSV = "csv", "CSV import"
        DEMO = "demo", "Demo data"

    class Status(models.TextChoices):
        NEW = "new", "New"
        OPEN = "open", "Open"
        PENDING = "pending", "Pending"
        HOLD = "hold", "On hold"
        SOLVED = "solved", "Solved"
        CLOSED = "closed", "Closed"

    OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING, Status.HOLD)

    source = models.CharField(max_length=10, choices=Source.choices)
    external_id = models.CharField(max_length=100)
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    requester_name = models.CharField(max_length=200, blank=True)
    requester_email = models.EmailField(blank=True)
    requester_title = models.CharField(max_length=200, blank=True)
    organization_name = models.CharField(max_length=200, blank=True)
    subject = models.CharField(max_length=500)
    body = models.TextField(blank=True)
    tags = models.JSONField(default=list, blank=True)
    customer_priority = models.CharField(max_length=2, choices=Priority.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    created_at = models.DateTimeField(db_index=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    assigned_agent = models.ForeignKey(
        Agent, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    csat = models.PositiveSmallIntegerField(
        "CSAT (1–5)", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    # How a VIP ticket was closed (tickets/actions.py: resolve_ticket): the customer's
    # confirmation (who, how) or the reason for closing without it.
    confirmed_by = models.CharField("confirmed by (customer)", max_length=200, blank=True)
    confirmed_via = models.CharField(max_length=10, choices=Confirmation.choices, blank=True)
    closing_reason = models.TextField("closed without confirmation because", blank=True)

    # Derived by routing (tickets/routing/rules.py); `routed` is False until then.
    routed = models.BooleanField(default=False)
    routed_at = models.DateTimeField(null=True, blank=True)
    # Why routing failed on this ticket (it is then left out of routing until an admin
    # routes it again or a new delivery changes it); empty otherwise.
    routing_error = models.TextField(blank=True)
    tier = models.PositiveSmallIntegerField(choices=Tier.choices, null=True, blank=True)
    effective_priority = models.CharField(max_length=2, choices=Priority.choices, blank=True)
    queue = models.CharField(max_length=20, choices=Queue.choices, blank=True)
    executive_contact = models.BooleanField(default=False)
    possible_vip = models.BooleanField(
        "possible VIP — verify identity",
        default=False,
        help_text="Requester's name matches an executive contact but the address does not.",
    )
    sla_first_response_due = models.DateTimeField(null=True, blank=True)
    sla_resolution_due = models.DateTimeField(null=True, blank=True)
    first_response_breached_at = models.DateTimeField(null=True, blank=True)
    resolution_breached_at = models.DateTimeField(null=True, blank=True)
    # Set by the SLA monitor (tickets/sla/jobs.py) when it warned and escalated, once per
    # SLA; sla_warning_level counts those warnings (0–2). Not the Escalation model.
    first_response_warned_at = models.DateTimeField(null=True, blank=True)
    resolution_warned_at = models.DateTimeField(null=True, blank=True)
    sla_warning_level = models.PositiveSmallIntegerField("SLA warning level", default=0)
    churn_signals = models.JSONField(default=list, blank=True)
    churn_points = models.PositiveSmallIntegerField(default=0)
    sentiment = models.FloatField(null=True, blank=True)
    # The customer's messages summed up by routing (customer_message_stats), so scoring
    # reads them from the ticket instead of joining every message.
    customer_messages = models.PositiveIntegerField(default=0)
    customer_message_chars = models.PositiveIntegerField(default=0)
    first_customer_message_at = models.DateTimeField(null=True, blank=True)
    last_customer_message_at = models.DateTimeField(null=True, blank=True)
    routing_reasons = models.JSONField(default=list, blank=True)
    # Set by routing when the SLA matrix asks for an escalation ({type, severity,
    # summary}); the escalations layer opens it and clears this (escalations/jobs.py).
    escalation_request = models.JSONField(null=True, blank=True)

    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="ticket_source_unique"),
        ]
        indexes = [
            # An account's tickets by time; it also holds every column the rescore's
            # ticket aggregate reads (vipdesk/insight/features.py), which then scans
            # this index, in parallel, instead of the wide table.
            models.Index(
                fields=["account", "created_at"],
                include=[
                    "id",
                    "resolved_at",
                    "status",
                    "effective_priority",
                    "customer_priority",
                    "churn_points",
                    "sentiment",
                    "first_response_breached_at",
                    "resolution_breached_at",
                    "csat",
                    "customer_messages",
                    "customer_message_chars",
                    "first_customer_message_at",
                    "last_customer_message_at",
                ],
                name="ticket_account_time_idx",
            ),
            # A champion's latest ticket before a moment (vipdesk/insight/features.py).
            models.Index(fields=["contact", "created_at"], name="ticket_contact_time_idx"),
            models.Index(
                fields=["queue", "status", "sla_first_response_due"], name="ticket_queue_idx"
            ),
            models.Index(fields=["assigned_agent", "status"], name="ticket_agent_idx"),
            # The follow-up job looks back a week at answered and resolved tickets.
            models.Index(fields=["first_response_at"], name="ticket_first_response_idx"),
            models.Index(fields=["resolved_at"], name="ticket_resolved_idx"),
            models.Index(
                fields=["routed"], condition=Q(routed=False), name="ticket_pending_routing_idx"
            ),
            models.Index(
                fields=["id"],
                condition=Q(escalation_request__isnull=False),
                name="ticket_escalation_request_idx",
            ),
            # The dashboard's "active VIP tickets": open VIP tickets by current deadline.
            models.Index(
                current_sla_due(),
                "id",
                name="ticket_open_vip_due_idx",
                condition=Q(status__in=["new", "open", "pending", "hold"])  # OPEN_STATUSES
                & (Q(tier__in=[1, 2, 3]) | Q(executive_contact=True)),  # vip_ticket_q()
            ),
            # The pools page's waiting list: open VIP tickets not answered yet, by their
            # first-response due time (the forecast's order), 500 at most.
            models.Index(
                fields=["sla_first_response_due", "id"],
                name="ticket_waiting_vip_due_idx",
                condition=Q(status__in=["new", "open", "pending", "hold"])  # OPEN_STATUSES
                & Q(first_response_at__isnull=True)
                & (Q(tier__in=[1, 2, 3]) | Q(executive_contact=True)),  # vip_ticket_q()
            ),
            # Each agent's open load and its VIP part (staffing/capacity.py open_loads),
            # read from the index alone.
            models.Index(
                fields=["assigned_agent", "tier", "executive_contact"],
                name="ticket_open_load_idx",
                condition=Q(status__in=["new", "open", "pending", "hold"])  # OPEN_STATUSES
                & Q(assigned_agent__isnull=False),
            ),
            # The VIP queue: open tickets, most urgent SLA first, one page at a time.
            models.Index(
                current_sla_due(),
                "id",
                name="ticket_open_sla_due_idx",
                condition=Q(status__in=["new", "open", "pending", "hold"]),  # OPEN_STATUSES
            ),
            # The last 30 days' tickets with churn language, whose phrases the
            # rescore collects (vipdesk/insight/features.py).
            models.Index(
                fields=["created_at"],
                condition=Q(churn_points__gt=0),
                name="ticket_churn_time_idx",
            ),
            # Recent breaches, for /metrics (vipdesk/metrics/collector.py).
            models.Index(
                fields=["first_response_breached_at"],
                condition=Q(first_response_breached_at__isnull=False),
                name="ticket_first_breach_idx",
            ),
            models.Index(
                fields=["resolution_breached_at"],
                condition=Q(resolution_breached_at__isnull=False),
                name="ticket_resolution_breach_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_vip(self) -> bool:
        return is_vip_ticket(self.tier, self.executive_contact)

    @property
    def handling_tier(self) -> int | None:
        """The tier whose people handle it: Tier 1 for an executive contact (SPEC), else
        the account's tier (handled_in_q in SQL)."""
        return Tier.STRATEGIC if self.executive_contact else self.tier

    @property
    def sla_due(self):
        """The deadline that matters now: first response until answered, then resolution."""
        return self.sla_resolution_due if self.first_response_at else self.sla_first_response_due


def customer_message_stats(messages) -> dict:
    """Ticket fields summing up its customer messages, from (author, body, created_at)
    of each of its messages: how many, their length in characters, the first and last."""
    customer = [(body, at) for author, body, at in messages if author == "customer"]
    times = [at for _, at in customer]
    return {
        "customer_messages": len(customer),
        "customer_message_chars": sum(len(body) for body, _ in customer),
        "first_customer_message_at": min(times, default=None),
        "last_customer_message_at": max(times, default=None),
    }


class TicketMessage(models.Model):
    class Author(models.TextChoices):
        CUSTOMER = "customer", "Customer"
        AGENT = "agent", "Agent"

    # Internal warm-handoff notes (tickets/actions.py: assign_ticket) carry this prefix.
    HANDOFF_PREFIX = "vipdesk-handoff-"

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    external_id = models.CharField(max_length=100, blank=True)
    author = models.CharField(max_length=10, choices=Author.choices, default=Author.CUSTOMER)
    author_name = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "external_id"],
                condition=~Q(external_id=""),
                name="ticket_message_external_unique",
            )
        ]

    def __str__(self) -> str:
        return f"Message on ticket {self.ticket_id}"

    @property
    def is_handoff(self) -> bool:
        return self.external_id.startswith(self.HANDOFF_PREFIX)


class AbuseReport(models.Model):
    """An agent's report that a contact is abusive (seed 002 "VIP customer becomes
    toxic"): logged, shown on the contact's tickets, and reviewed by a manager through
    a review task (key f"abuse:{pk}"): done upholds it, skipped-with-reason dismisses it."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="abuse_reports")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="abuse_reports")
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    reason = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.contact} reported on #{self.ticket_id}"

    @property
    def review_key(self) -> str:
        return f"abuse:{self.pk}"


class Reassignment(models.Model):
    """A VIP ticket moving from one agent to another; warm when the handoff note
    (a message on the thread) introduced the new agent."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="reassignments")
    from_agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="+")
    to_agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    handoff_note = models.OneToOneField(
        TicketMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"#{self.ticket_id}: {self.from_agent} → {self.to_agent}"

    @property
    def warm(self) -> bool:
        return self.handoff_note_id is not None


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the token is shown once."""

    name = models.CharField(max_length=100, unique=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, name: str, created_by=None) -> tuple["ApiToken", str]:
        token = "vd_" + secrets.token_urlsafe(32)
        obj = cls.objects.create(
            name=name, token_hash=cls.hash(token), prefix=token[:8], created_by=created_by
        )
        return obj, token


class Snapshot(models.Model):
    """Figures too slow to compute in a request (a month of tickets per agent, every
    open ticket per pool), computed by a job every minute and read by their page with
    their age (tickets/snapshots.py). One row per page; tickets is the lowest app both
    the pools page and the VIP dashboard reach."""

    name = models.CharField(max_length=50, unique=True)
    computed_at = models.DateTimeField()
    data = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"{self.name} ({self.computed_at:%Y-%m-%d %H:%M:%S})"


class InboxDelivery(models.Model):
    """A ticket delivery stored as it came (the webhook's body, the API's fields), one
    row per (source, external_id): intake writes it and answers; a drainer
    (tickets/intake/drain.py) turns it into the ticket, routed, in batches.

    `ticket_id` is the id the ticket has or will have (reserved at the first delivery,
    so the answer can give it before the ticket exists). `deliveries` holds every
    delivery not drained yet, each {"sent_at", "payload"}: a redelivery arriving before
    the drain adds to it, so nothing is lost; the drainer applies the ticket's fields
    from the newest one (by sent_at; an older delivery arriving late never overwrites
    a newer one already applied, `applied_sent_at`) and the comments of all. Done rows
    are kept: they hold the ticket's id for the next delivery."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    source = models.CharField(max_length=10, choices=Ticket.Source.choices)
    external_id = models.CharField(max_length=100)
    ticket_id = models.BigIntegerField("ticket", db_index=True)
    deliveries = models.JSONField(default=list)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    error = models.TextField(blank=True)
    received_at = models.DateTimeField()
    # SHA-256 of the last delivery's payload: the same payload again, once drained,
    # changes nothing and asks for no drain.
    last_hash = models.CharField(max_length=64, blank=True)
    applied_sent_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = "inbox delivery"
        verbose_name_plural = "inbox"
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="inbox_source_unique"),
        ]
        indexes = [
            models.Index(fields=["id"], condition=Q(state="pending"), name="inbox_pending_idx"),
            models.Index(fields=["id"], condition=Q(state="failed"), name="inbox_failed_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.external_id}"
