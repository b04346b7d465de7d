"""Escalations and their append-only event log (the timeline, the SLA clocks and the
reports read the events; the timestamps on Escalation are written in the same
transaction as their event)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
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
    customer_update_minutes = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Update the customer at least this often (empty: no update clock).",
    )
    post_mortem_required = models.BooleanField(
        default=False, help_text="It cannot close without a complete post-mortem."
    )
    checkpoint_days = models.PositiveSmallIntegerField(
        default=7,
        validators=[MinValueValidator(1)],
        help_text="The resolution timeline draft updates the customer this often (days).",
    )

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


class PlaybookPolicy(models.Model):
    """The playbook's numbers and words (one row, admin-edited; SPEC defaults)."""

    acknowledge_minutes = models.PositiveIntegerField(
        default=60, validators=[MinValueValidator(1)], help_text="Acknowledge within this."
    )
    breach_warning_minutes = models.PositiveIntegerField(
        default=60,
        validators=[MinValueValidator(1)],
        help_text="Move an escalation up one level when a response or resolution breach is "
        "this close (or already happened), once per breach.",
    )
    reopen_days = models.PositiveIntegerField(
        default=90, validators=[MinValueValidator(1)], help_text="Re-open within this."
    )
    commercial_words = models.TextField(
        default="billing, invoice, charge, refund, contract, price",
        help_text="A ticket mentioning one of these (comma-separated) opens a Commercial "
        "escalation; otherwise Technical.",
    )
    sla_opening_max_tier = models.PositiveSmallIntegerField(
        default=1,
        help_text="Tickets of this tier or a better one, unresolved past their resolution "
        "SLA, open an escalation (0: never).",
    )
    sla_opening_severity = models.CharField(
        max_length=10, choices=Severity.choices, default=Severity.HIGH
    )

    class Meta:
        verbose_name_plural = "playbook policy"

    def __str__(self) -> str:
        return "Playbook policy"

    @classmethod
    def load(cls) -> "PlaybookPolicy":
        return cls.objects.order_by("pk").first() or cls()


class MatrixRole(models.TextChoices):
    CSM = "csm", "CSM"
    CS_MANAGER = "cs_manager", "CS Manager"
    VP_CS = "vp_cs", "VP CS"
    VP_ENG = "vp_eng", "VP Eng"
    CRO = "cro", "CRO"
    CTO = "cto", "CTO"


class RoleHolder(models.Model):
    """Who holds a matrix role (the CSM is always the account's own CSM)."""

    role = models.CharField(max_length=20, choices=MatrixRole.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="matrix_roles"
    )

    class Meta:
        ordering = ["role", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["role", "user"], name="one_role_per_user"),
            models.CheckConstraint(condition=~Q(role="csm"), name="csm_is_the_accounts"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.user}"


class TypeOwners(models.Model):
    """The teams that typically own an escalation of a type (shown on the page)."""

    type = models.CharField(max_length=20, unique=True)
    teams = models.CharField(max_length=200)

    class Meta:
        verbose_name_plural = "type owners"
        ordering = ["type"]

    def __str__(self) -> str:
        return f"{self.type}: {self.teams}"


class GoodwillKind(models.TextChoices):
    CREDIT = "credit", "Service credit"
    EXTENSION = "extension", "Contract extension"
    PREMIUM_SUPPORT = "premium_support", "Premium support"


class GoodwillApprovalRule(models.Model):
    """Who approves a goodwill offer of a kind up to an amount (empty: any amount);
    the rule with the smallest limit covering the offer applies."""

    kind = models.CharField(max_length=20, choices=GoodwillKind.choices)
    max_amount = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, help_text="US dollars."
    )
    approver = models.CharField(
        max_length=20, choices=[c for c in MatrixRole.choices if c[0] != MatrixRole.CSM]
    )

    class Meta:
        ordering = ["kind", models.F("max_amount").asc(nulls_last=True)]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "max_amount"],
                name="one_goodwill_rule_per_limit",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        limit = f"up to ${self.max_amount:,}" if self.max_amount is not None else "any amount"
        return f"{self.get_kind_display()} {limit}: {self.get_approver_display()}"


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
        IN_PROGRESS = "in_progress", "In progress"
        RESOLVED = "resolved", "Resolved"
        CLOSED = "closed", "Closed"

    class Source(models.TextChoices):
        PERSON = "person", "Opened by a person"
        API = "api", "API"
        ROUTING = "routing", "Routing (Tier-2 P1)"
        SLA = "sla", "Ticket past its SLA"
        IMPORT = "import", "Imported"

    # "Not open": neither counts as an open escalation anywhere.
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
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.PERSON)
    external_id = models.CharField(
        max_length=100, blank=True, help_text="Id in a previous tool (import_escalations)."
    )
    opened_at = models.DateTimeField(db_index=True)
    # First acknowledgement; never cleared.
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    # Latest resolution and closing; both cleared on re-opening (history stays in events).
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Latest re-opening: the live SLA clocks restart from it; reports judge from opened_at.
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopen_count = models.PositiveIntegerField(default=0)
    # The last logged communication with the customer (the Critical update clock).
    last_customer_update_at = models.DateTimeField(null=True, blank=True)
    # The due time each automatic level-up was made for: once per breach.
    auto_raised_response_due = models.DateTimeField(null=True, blank=True)
    auto_raised_resolution_due = models.DateTimeField(null=True, blank=True)
    csat = models.PositiveSmallIntegerField(
        "post-escalation CSAT",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    customer_statement = models.TextField(blank=True)
    business_impact = models.TextField(blank=True)
    users_affected = models.PositiveIntegerField(null=True, blank=True)
    initial_assessment = models.TextField(blank=True)
    root_cause_category = models.CharField(max_length=100, blank=True)
    contributing_factors = models.TextField(blank=True)
    root_cause = models.TextField(blank=True)
    customer_confirmed = models.BooleanField(
        default=False, help_text="The customer confirmed the resolution."
    )
    close_reason = models.TextField(
        blank=True, help_text="Why it closed without the customer's confirmation."
    )
    problem = models.ForeignKey(
        "ProblemGroup",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="escalations",
        help_text="Escalations linked as the same problem (the systemic-issue finder).",
    )

    objects = EscalationQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at"]
        indexes = [
            models.Index(fields=["account", "status"], name="escalation_account_idx"),
            models.Index(fields=["owner", "status"], name="escalation_owner_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="escalation_external_id_unique",
            ),
            models.CheckConstraint(
                condition=Q(csat__isnull=True) | Q(csat__gte=1, csat__lte=5),
                name="escalation_csat_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.summary}" if self.pk else self.summary

    @property
    def code(self) -> str:
        return self.code_of(self.pk)

    @staticmethod
    def code_of(pk: int) -> str:
        """The code people quote (ESC-0042), from the id alone (the report CSVs)."""
        return f"ESC-{pk:04d}"

    @property
    def is_open(self) -> bool:
        return self.status not in self.CLOSED_STATUSES


class EscalationEvent(models.Model):
    """One change on an escalation: append-only (nothing updates or deletes these)."""

    class Kind(models.TextChoices):
        OPENED = "opened", "Opened"
        STATUS = "status", "Status"
        LEVEL = "level", "Level"
        OWNER = "owner", "Owner"
        SEVERITY = "severity", "Severity"
        TICKET_LINKED = "ticket_linked", "Ticket linked"
        ACTION = "action", "Action"
        COMMUNICATION = "communication", "Communication"
        STAKEHOLDER = "stakeholder", "Stakeholder"
        RISK = "risk", "Risk"
        GOODWILL = "goodwill", "Goodwill"
        APPROVAL = "approval", "Approval"
        ANALYSIS = "analysis", "Impact and root cause"
        ALERT = "alert", "Alert"
        NOTE = "note", "Note"
        REOPENED = "reopened", "Re-opened"
        POST_MORTEM = "post_mortem", "Post-mortem"
        DRAFT = "draft", "Draft"

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text="Empty for the system.",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    from_value = models.CharField(max_length=200, blank=True)
    to_value = models.CharField(max_length=200, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["escalation", "at"], name="escalation_event_idx"),
            models.Index(fields=["kind", "at"], name="escalation_event_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}: {self.text}"


class RootCauseCategory(models.Model):
    """The admin-edited taxonomy of root causes and contributing factors."""

    name = models.CharField(max_length=100, unique=True)
    active = models.BooleanField(default=True, help_text="Offered on new post-mortems.")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "root-cause categories"

    def __str__(self) -> str:
        return self.name


class PostMortemPolicy(models.Model):
    """The post-mortem's numbers and words (one row, admin-edited)."""

    due_business_days = models.PositiveSmallIntegerField(
        default=5,
        validators=[MinValueValidator(1)],
        help_text="The post-mortem is due this many business days after the resolution.",
    )
    remind_days_before = models.PositiveSmallIntegerField(
        default=1,
        help_text="Remind the owner this many days before a post-mortem or follow-up "
        "action is due (and again once it is overdue).",
    )
    summary_max_sentences = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1)]
    )
    recommendation_min_words = models.PositiveSmallIntegerField(
        default=10,
        help_text="A process-change recommendation shorter than this is too vague.",
    )
    vague_phrases = models.TextField(
        default="communicate better\nbetter communication\nimprove communication\n"
        "be more careful\nimprove processes\nimprove our processes\nbe more proactive\n"
        "try harder\npay more attention\ndo better\nmore training\nfollow up more",
        help_text="One per line: a recommendation that only says one of these is refused.",
    )

    class Meta:
        verbose_name_plural = "post-mortem policy"

    def __str__(self) -> str:
        return "Post-mortem policy"

    @classmethod
    def load(cls) -> "PostMortemPolicy":
        return cls.objects.order_by("pk").first() or cls()


class PostMortem(models.Model):
    """One per escalation: the post-escalation review (seed 001 prompt 5). Saved as a
    draft at any time; "complete" needs every required field (postmortems/rules.py)
    and lets a Critical/High escalation close."""

    class Status(models.TextChoices):
        MISSING = "missing", "Missing"
        DRAFT = "draft", "Draft"
        COMPLETE = "complete", "Complete"

    escalation = models.OneToOneField(
        Escalation, on_delete=models.CASCADE, related_name="post_mortem"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.MISSING)
    completed_at = models.DateTimeField(null=True, blank=True)
    executive_summary = models.TextField(blank=True)
    # [{"at": ISO 8601, "text": str, "pinned": bool}], pre-filled from the events.
    timeline = models.JSONField(default=list, blank=True)
    went_well = models.TextField("what went well", blank=True)
    do_differently = models.TextField("what we should have done differently", blank=True)
    recommendation = models.TextField("process-change recommendation", blank=True)
    root_cause_category = models.ForeignKey(
        RootCauseCategory, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    root_cause = models.TextField("root cause (what actually caused it)", blank=True)
    contributing_factors = models.ManyToManyField(
        RootCauseCategory, blank=True, related_name="contributed_to"
    )
    customer_outcome = models.TextField(blank=True)
    arr_retained = models.DecimalField(
        "ARR retained ($)", max_digits=14, decimal_places=2, null=True, blank=True
    )
    arr_lost = models.DecimalField(
        "ARR lost ($)", max_digits=14, decimal_places=2, null=True, blank=True
    )
    systemic = models.BooleanField(
        "does this reveal a systemic issue affecting other accounts?", null=True, blank=True
    )
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"Post-mortem of {self.escalation.code}: {self.get_status_display()}"


class FollowUp(models.Model):
    """A post-mortem's follow-up action, tracked until done (or not done, and why)."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        WONT_DO = "wont_do", "Won't do"

    post_mortem = models.ForeignKey(PostMortem, on_delete=models.CASCADE, related_name="follow_ups")
    description = models.CharField(max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="follow_ups"
    )
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    reason = models.CharField("why not", max_length=300, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"], name="follow_up_due_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="wont_do") | ~Q(reason=""), name="follow_up_wont_do_reason"
            )
        ]

    def __str__(self) -> str:
        return self.description


class ReportPolicy(models.Model):
    """Singleton (pk=1): the reports' targets and warning levels. The escalation
    targets follow seed 003 "Metrics": times and rates are met below their target, SLA
    compliance and CSAT above it."""

    mttr_hours = models.FloatField(
        "MTTR below (hours)", default=24, validators=[MinValueValidator(0)]
    )
    sla_compliance = models.FloatField(
        "SLA compliance above (share 0–1)",
        default=0.95,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    first_response_hours = models.FloatField(
        "first response below (hours)", default=1, validators=[MinValueValidator(0)]
    )
    per_100_accounts = models.FloatField(
        "escalations per 100 accounts below", default=5, validators=[MinValueValidator(0)]
    )
    reescalation_rate = models.FloatField(
        "re-escalation rate below (share 0–1)",
        default=0.10,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    csat = models.FloatField(
        "post-escalation CSAT above (1–5)",
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    pool_accounts_per_agent = models.FloatField(
        "pool is thin above (accounts of its tier per member)",
        default=4,
        validators=[MinValueValidator(0)],
        help_text="Seed 002: 5 agents for 23 Tier-1 accounts is tight.",
    )
    growth_warning_pct = models.PositiveSmallIntegerField(
        "escalation category growth flagged from (%)",
        default=25,
        help_text="Escalations of a category, last 3 months against the 3 before.",
    )
    growth_min_count = models.PositiveSmallIntegerField(
        "…with at least this many escalations in the later quarter",
        default=3,
        validators=[MinValueValidator(1)],
    )

    class Meta:
        verbose_name = "report policy"
        verbose_name_plural = "report policy"

    def __str__(self) -> str:
        return "Report targets and warning levels"

    @classmethod
    def load(cls) -> "ReportPolicy":
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


class EscalationMonthTotals(models.Model):
    """The escalation report's sums (escalations/reports.py Totals) per month opened (in
    TIME_ZONE), account tier, type and severity: the monthly trend reads these rows
    instead of scanning a year of escalations per request. Rewritten whole by a job
    every few minutes (reports.refresh_trend); open and past-due escalations are
    judged as of `computed_at`, which the page shows."""

    month = models.DateField()
    tier = models.PositiveSmallIntegerField()
    type = models.CharField(max_length=20)
    severity = models.CharField(max_length=10)
    count = models.PositiveIntegerField(default=0)
    open = models.PositiveIntegerField(default=0)
    acknowledged = models.PositiveIntegerField(default=0)
    acknowledge_seconds = models.FloatField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    resolution_seconds = models.FloatField(default=0)
    sla_met = models.PositiveIntegerField(default=0)
    sla_missed = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    csat_sum = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "escalation month totals"
        constraints = [
            models.UniqueConstraint(
                fields=["month", "tier", "type", "severity"], name="one_escalation_month_group"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} tier {self.tier} {self.type} {self.severity}: {self.count}"


class EscalationMonthCount(models.Model):
    """Escalations opened in a month (in TIME_ZONE) per type, root cause and contributing
    factor (escalations/reports.py): the systemic-issues page and the monthly report add
    up three months per quarter instead of reading a year of escalations. Rewritten with
    EscalationMonthTotals, by the same job."""

    class Dimension(models.TextChoices):
        TYPE = "type", "Type"
        CAUSE = "cause", "Root-cause category"
        FACTOR = "factor", "Contributing factor"

    month = models.DateField()
    dimension = models.CharField(max_length=10, choices=Dimension.choices)
    key = models.CharField(max_length=300)  # "" for a root cause not recorded
    label = models.CharField(max_length=300)
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["dimension", "key", "month"], name="one_escalation_month_count"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.dimension} {self.label}: {self.count}"


class Action(models.Model):
    class Horizon(models.TextChoices):
        IMMEDIATE = "immediate", "Immediate (next 4 hours)"
        SHORT_TERM = "short_term", "Short-term (next 24–48 hours)"
        LONG_TERM = "long_term", "Long-term prevention"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="actions")
    horizon = models.CharField(max_length=20, choices=Horizon.choices)
    description = models.CharField(max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["status", "due_at"], name="escalation_action_due_idx")]

    def __str__(self) -> str:
        return self.description


class CommunicationPlanItem(models.Model):
    escalation = models.ForeignKey(
        Escalation, on_delete=models.CASCADE, related_name="communication_plan"
    )
    audience = models.CharField(max_length=100)
    message = models.CharField(max_length=300)
    channel = models.CharField(max_length=50)
    timing = models.CharField(max_length=100)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.audience}: {self.message}"


class Communication(models.Model):
    """The communication log; a customer communication restarts the update clock."""

    class Type(models.TextChoices):
        EMAIL = "email", "E-mail"
        CALL = "call", "Call"
        MEETING = "meeting", "Meeting"
        CHAT = "chat", "Chat"
        INTERNAL = "internal", "Internal note"

    escalation = models.ForeignKey(
        Escalation, on_delete=models.CASCADE, related_name="communications"
    )
    at = models.DateTimeField()
    type = models.CharField(max_length=10, choices=Type.choices)
    to_customer = models.BooleanField(default=True)
    recipient = models.CharField(max_length=200)
    summary = models.TextField()
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_type_display()} to {self.recipient}"


class Stakeholder(models.Model):
    escalation = models.ForeignKey(
        Escalation, on_delete=models.CASCADE, related_name="stakeholders"
    )
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=100, blank=True)
    ask = models.CharField("what was asked", max_length=300)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Risk(models.Model):
    class Kind(models.TextChoices):
        CHURN = "churn", "Churn risk"
        REESCALATION = "reescalation", "Re-escalation"
        PR = "pr", "PR / public"

    class Level(models.IntegerChoices):
        LOW = 1, "Low"
        MEDIUM = 2, "Medium"
        HIGH = 3, "High"

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="risks")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    probability = models.PositiveSmallIntegerField(choices=Level.choices)
    impact = models.PositiveSmallIntegerField(choices=Level.choices)
    mitigation = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(fields=["escalation", "kind"], name="one_risk_per_kind")
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def score(self) -> int:
        """Probability × impact, 1–9."""
        return self.probability * self.impact


class Goodwill(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", "Awaiting approval"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        OFFERED = "offered", "Offered"

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="goodwill")
    kind = models.CharField(max_length=20, choices=GoodwillKind.choices)
    amount = models.DecimalField(
        "service credit ($)", max_digits=12, decimal_places=2, null=True, blank=True
    )
    months = models.PositiveSmallIntegerField("extension (months)", null=True, blank=True)
    duration = models.CharField("premium support duration", max_length=100, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    approver_role = models.CharField(max_length=20, choices=MatrixRole.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    offered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="offered") | Q(decided_by__isnull=False),
                name="goodwill_offered_after_approval",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"

    @property
    def value(self) -> str:
        if self.kind == GoodwillKind.CREDIT:
            return f"${self.amount:,.2f}" if self.amount is not None else ""
        if self.kind == GoodwillKind.EXTENSION:
            return f"{self.months} months" if self.months else ""
        return self.duration


class ProblemGroup(models.Model):
    """Escalations of several accounts linked as one underlying problem."""

    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"Problem {self.pk}"


class DraftPolicy(models.Model):
    """The drafts' words and numbers (one row, admin-edited)."""

    brief_max_words = models.PositiveSmallIntegerField(
        default=300, validators=[MinValueValidator(50)], help_text="Internal brief limit."
    )
    blame_words = models.TextField(
        default="fault, blame, careless, negligent, incompetent, sloppy, lazy, "
        "dropped the ball, screwed up",
        help_text="Comma-separated: flagged in internal briefs (facts, not blame).",
    )

    class Meta:
        verbose_name_plural = "draft policy"

    def __str__(self) -> str:
        return "Draft policy"

    @classmethod
    def load(cls) -> "DraftPolicy":
        return cls.objects.order_by("pk").first() or cls()


class Draft(models.Model):
    """A text built from the record (escalations/drafts/compose.py), with the frozen
    snapshot of the record it was built from; edited, then logged as sent."""

    class Kind(models.TextChoices):
        FIRST_RESPONSE = "first_response", "First customer response"
        INTERNAL_BRIEF = "internal_brief", "Internal escalation brief"
        TIMELINE = "timeline", "14-day resolution timeline"
        NO_COMMIT = "no_commit", "What we must not commit to"
        EXEC_CALL = "exec_call", "Executive call preparation"
        DIFFICULT = "difficult", "Difficult-conversation script"
        RECOVERY = "recovery", "Recovery e-mail"

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="drafts")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    body = models.TextField()
    snapshot = models.JSONField(help_text="The record as it was when the draft was built.")
    # [{"label": str, "url": str}]: the facts the record lacked.
    gaps = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    communication = models.OneToOneField(
        Communication, null=True, blank=True, on_delete=models.SET_NULL, related_name="draft"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.escalation.code}"
