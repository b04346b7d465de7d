"""Customer accounts, their contacts and scores, and the policies that classify them."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce, Lower

from accounts.executives import is_executive_title


class Tier(models.IntegerChoices):
    """Service tier. Standard is stored as 4 so tiers sort and compare numerically;
    the API reports it as null."""

    STRATEGIC = 1, "Tier 1 Strategic"
    ENTERPRISE = 2, "Tier 2 Enterprise"
    PREMIUM = 3, "Tier 3 Premium"
    STANDARD = 4, "Standard"


VIP_TIERS = (Tier.STRATEGIC, Tier.ENTERPRISE, Tier.PREMIUM)
TIER_BADGES = {Tier.STRATEGIC: "Platinum", Tier.ENTERPRISE: "Gold", Tier.PREMIUM: "Silver"}


class RiskLevel(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class TierPolicy(models.Model):
    """One row per tier: its ARR band [min_arr, max_arr) and what it is entitled to.

    Bands are half-open and must tile [0, ∞) without gaps or overlaps; the admin
    form validates the whole set (accounts/tiering.py)."""

    tier = models.PositiveSmallIntegerField(choices=Tier.choices, unique=True)
    min_arr = models.DecimalField(
        "minimum ARR ($)", max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    max_arr = models.DecimalField(
        "maximum ARR ($, exclusive)",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Empty means no upper bound (the top tier).",
    )
    strategic_qualifies = models.BooleanField(
        "strategic partner qualifies",
        default=False,
        help_text="Accounts flagged as strategic partners get this tier whatever their ARR.",
    )
    executive_review_qualifies = models.BooleanField(
        "named in executive review qualifies", default=False
    )
    escalate_to = models.CharField(
        max_length=100,
        blank=True,
        help_text="The group (Authentication › Groups) whose members are alerted when a "
        "ticket of this tier escalates (an SLA about to breach).",
    )
    escalate_within_minutes = models.PositiveIntegerField(
        null=True, blank=True, help_text="They are asked to respond within this many minutes."
    )
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["tier"]
        verbose_name_plural = "tier policies"
        constraints = [
            models.CheckConstraint(
                condition=Q(max_arr__isnull=True) | Q(max_arr__gt=models.F("min_arr")),
                name="tierpolicy_band_not_empty",
            )
        ]

    def __str__(self) -> str:
        return self.get_tier_display()

    @property
    def badge(self) -> str:
        return TIER_BADGES.get(self.tier, "")


class ScoreWeights(models.Model):
    """Singleton (pk=1): the weights and thresholds of the account scores.

    Each *_points field is the most that factor can add to the escalation-risk
    score (0–100 after capping). The defaults of the points and of the factor settings
    are the ones fitted on the first half-year of the demo history and checked on the
    second (bench/backtest_tuning.py, README "Early warning"); renewal proximity,
    silent champion and severity escalating fit to 0 points there (they added only
    false alerts), so they are off until an admin gives them points."""

    churn_language_points = models.PositiveSmallIntegerField(default=44)
    ticket_frequency_points = models.PositiveSmallIntegerField(default=19)
    severity_escalating_points = models.PositiveSmallIntegerField(default=0)
    shorter_messages_points = models.PositiveSmallIntegerField(default=22)
    sentiment_falling_points = models.PositiveSmallIntegerField(default=14)
    usage_drop_points = models.PositiveSmallIntegerField(default=99)
    nps_drop_points = models.PositiveSmallIntegerField(default=17)
    renewal_proximity_points = models.PositiveSmallIntegerField(default=0)
    silent_champion_points = models.PositiveSmallIntegerField(default=0)
    # How each factor is defined (accounts/scoring.py); every reason sentence names them.
    silent_champion_days = models.PositiveSmallIntegerField(
        default=45,
        validators=[MinValueValidator(1)],
        help_text="A champion contact with no ticket or contact for this many days is silent.",
    )
    usage_recent_weeks = models.PositiveSmallIntegerField(
        "usage drop: recent weeks",
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(11)],
        help_text="The latest complete weeks of active users, compared with the baseline "
        "(recent and baseline weeks together: at most 12).",
    )
    usage_baseline_weeks = models.PositiveSmallIntegerField(
        "usage drop: baseline weeks",
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(11)],
        help_text="The complete weeks just before the recent ones.",
    )
    usage_drop_from_pct = models.PositiveSmallIntegerField(
        "usage drop: fires from (%)",
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Active users down at least this much (recent against baseline).",
    )
    usage_drop_full_pct = models.PositiveSmallIntegerField(
        "usage drop: full strength at (%)",
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="A drop this large adds the factor's full points; smaller ones in proportion.",
    )
    ticket_spike_ratio = models.FloatField(
        "ticket frequency: fires from (× the usual rate)",
        default=3.0,
        validators=[MinValueValidator(1.0), MaxValueValidator(20.0)],
        help_text="Tickets in 7 or 30 days at least this many times the rate of the 90 days "
        "before those 30.",
    )
    ticket_spike_min_tickets = models.PositiveSmallIntegerField(
        "ticket frequency: at least (tickets in 7 days)",
        default=2,
        validators=[MinValueValidator(1)],
        help_text="Fewer tickets than this in 7 days (one more in 30) never count as a spike.",
    )
    renewal_window_days = models.PositiveSmallIntegerField(
        "renewal proximity: within (days)",
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="A renewal this close counts (fully on the day, half at the window's end).",
    )

    # Risk thresholds: each crossing raises its alert once.
    csm_attention_threshold = models.PositiveSmallIntegerField(
        default=70, validators=[MaxValueValidator(100)]
    )
    leadership_threshold = models.PositiveSmallIntegerField(
        default=85, validators=[MaxValueValidator(100)]
    )
    executive_outreach_threshold = models.PositiveSmallIntegerField(
        default=95, validators=[MaxValueValidator(100)]
    )
    # Risk-band workflows (each once per crossing): a check-in e-mail draft for the CSM,
    # a stakeholder room with a brief and an owner, an executive briefing.
    checkin_band_from = models.PositiveSmallIntegerField(
        "check-in e-mail draft from", default=60, validators=[MaxValueValidator(100)]
    )
    stakeholder_band_from = models.PositiveSmallIntegerField(
        "stakeholder room from", default=80, validators=[MaxValueValidator(100)]
    )
    executive_band_from = models.PositiveSmallIntegerField(
        "executive briefing from", default=90, validators=[MaxValueValidator(100)]
    )
    # How many account crossings (thresholds and bands together) one support lead or
    # admin is told about one by one per rescore; the rest come as one digest per
    # threshold or band (accounts/alert_budget.py). The account's own CSM and account
    # manager always get theirs: they are the account's work, not a fan-out.
    alerts_per_person_per_run = models.PositiveSmallIntegerField(
        "account alerts per lead/admin per rescore",
        default=20,
        validators=[MaxValueValidator(1000)],
        help_text="Beyond this many, each support lead and admin gets one digest per "
        "threshold or band, linking to the at-risk board (0: digests only).",
    )
    # Churn-risk level boundaries (score ≥ boundary).
    medium_level_from = models.PositiveSmallIntegerField(default=40)
    high_level_from = models.PositiveSmallIntegerField(default=70)
    critical_level_from = models.PositiveSmallIntegerField(default=85)

    # Health score 0–100: weights of its components (must add up to 100).
    health_nps_weight = models.PositiveSmallIntegerField(default=30)
    health_usage_weight = models.PositiveSmallIntegerField(default=30)
    health_support_weight = models.PositiveSmallIntegerField(default=25)
    health_escalation_weight = models.PositiveSmallIntegerField(default=15)

    rescore_interval_minutes = models.PositiveIntegerField(
        default=60, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = "score weights"
        verbose_name_plural = "score weights"

    def __str__(self) -> str:
        return "Score weights and thresholds"

    @classmethod
    def load(cls) -> "ScoreWeights":
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


class CadencePolicy(models.Model):
    """Singleton (pk=1): the relationship cadence (seed 002 "Executive sponsor program",
    "Proactive outreach cadence") — which tiers get which recurring task, and what
    opens a proactive outreach task (accounts/cadence/rules.py)."""

    check_in_up_to_tier = models.PositiveSmallIntegerField(
        "monthly CSM check-ins for tiers 1 to",
        choices=[(t.value, t.label) for t in VIP_TIERS],
        default=Tier.PREMIUM,
    )
    business_review_up_to_tier = models.PositiveSmallIntegerField(
        "quarterly business reviews for tiers 1 to",
        choices=[(t.value, t.label) for t in VIP_TIERS],
        default=Tier.STRATEGIC,
    )
    executive_review_up_to_tier = models.PositiveSmallIntegerField(
        "annual executive reviews for tiers 1 to",
        choices=[(t.value, t.label) for t in VIP_TIERS],
        default=Tier.STRATEGIC,
    )
    outreach_usage_drop_pct = models.PositiveSmallIntegerField(
        "outreach when usage drops by (%)",
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Weekly active users down at least this much over four weeks.",
    )
    outreach_nps_fall = models.PositiveSmallIntegerField(
        "outreach when NPS falls by (points)", default=10, validators=[MinValueValidator(1)]
    )
    outreach_due_days = models.PositiveSmallIntegerField(
        "outreach due within (days)", default=2, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = "relationship cadence policy"
        verbose_name_plural = "relationship cadence policy"

    def __str__(self) -> str:
        return "Relationship cadence policy"

    @classmethod
    def load(cls) -> "CadencePolicy":
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


class AccountQuerySet(models.QuerySet):
    def vip(self):
        return self.filter(tier__in=VIP_TIERS)

    def for_csm(self, user):
        return self.filter(csm=user)

    def request_rescore(self) -> int:
        """Ask for these accounts to be rescored soon: the every-minute job
        (vipdesk/insight/jobs.py: rescore_requested) picks them up. Any layer may ask
        (routing does, for the accounts of the tickets it routed) without knowing how
        scoring reads tickets and escalations."""
        return self.filter(rescore_requested=False).update(rescore_requested=True)


class Account(models.Model):
    name = models.CharField(max_length=200, unique=True)
    plan = models.CharField(max_length=50, blank=True)
    arr = models.DecimalField(
        "ARR ($)",
        max_digits=14,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(0)],
    )
    contract_start = models.DateField(null=True, blank=True)
    renewal_date = models.DateField(null=True, blank=True, db_index=True)
    csm = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="csm_accounts",
        verbose_name="CSM",
    )
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_accounts",
    )
    executive_sponsor = models.CharField(max_length=200, blank=True)
    executive_sponsor_email = models.EmailField(
        blank=True, help_text="The sponsor's monthly health summary of their accounts goes here."
    )
    strategic = models.BooleanField("strategic partner", default=False)
    executive_review = models.BooleanField("named in executive review", default=False)
    nps = models.SmallIntegerField(
        "NPS", null=True, blank=True, validators=[MinValueValidator(-100), MaxValueValidator(100)]
    )
    previous_nps = models.SmallIntegerField(
        "previous NPS",
        null=True,
        blank=True,
        validators=[MinValueValidator(-100), MaxValueValidator(100)],
    )
    # Weekly active users, oldest first; the trend is derived from it.
    weekly_active_users = models.JSONField(default=list, blank=True)
    usage_trend_pct = models.FloatField(
        "usage trend (%)",
        null=True,
        blank=True,
        help_text="Change in weekly active users over the last 4 weeks vs the 4 before.",
    )
    expansion_opportunity = models.DecimalField(
        "open expansion opportunity ($)", max_digits=14, decimal_places=2, default=Decimal(0)
    )

    # Derived by accounts/tiering.py.
    tier = models.PositiveSmallIntegerField(choices=Tier.choices, default=Tier.STANDARD)
    # Derived by accounts/scoring.py.
    health_score = models.PositiveSmallIntegerField(null=True, blank=True)
    risk_score = models.PositiveSmallIntegerField(default=0)
    risk_level = models.CharField(max_length=10, choices=RiskLevel.choices, default=RiskLevel.LOW)
    risk_factors = models.JSONField(default=list, blank=True)
    # Highest risk threshold already alerted on; reset when the score falls below it.
    risk_alerted_threshold = models.PositiveSmallIntegerField(default=0)
    scored_at = models.DateTimeField(null=True, blank=True)
    # Why scoring failed on this account in the last rescore (its previous scores are
    # kept; listed in the admin, counted on /healthz); empty otherwise.
    scoring_error = models.TextField(blank=True)
    churned_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the customer left: an outcome the risk backtest counts, like an "
        "escalation.",
    )
    rescore_requested = models.BooleanField(default=False)
    # Claimed by the rescore job (vipdesk/insight/jobs.py: rescore_requested) and cleared
    # once the rescore committed: a worker dying in between leaves the claim for the next run.
    rescore_claimed = models.BooleanField(default=False)

    class Intervention(models.TextChoices):
        NONE = "none", "None"
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"

    intervention_status = models.CharField(
        max_length=20, choices=Intervention.choices, default=Intervention.NONE
    )
    intervention_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interventions",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [
            # Names are matched case-insensitively (accounts/resolve.py: a batch of
            # ticket organizations, CSV references).
            models.Index(Lower("name"), name="account_lower_name_idx"),
            # The at-risk board: keyset pagination over (risk_score desc, id).
            models.Index(fields=["-risk_score", "id"], name="account_board_idx"),
            # /healthz counts the accounts scoring failed on.
            models.Index(
                fields=["id"], condition=~Q(scoring_error=""), name="account_unscored_idx"
            ),
            models.Index(fields=["csm", "-risk_score"], name="account_csm_board_idx"),
            models.Index(fields=["tier", "-risk_score"], name="account_tier_board_idx"),
            # Board sorts other than risk (keyset on the expressions of vipdesk/insight/board.py).
            models.Index(
                Coalesce("health_score", models.Value(101)), "id", name="account_health_board_idx"
            ),
            models.Index(F("arr").desc(), "id", name="account_arr_board_idx"),
            models.Index(
                Coalesce("renewal_date", models.Value(date(9999, 12, 31))),
                "id",
                name="account_renewal_board_idx",
            ),
            # The rescore job's to-do list (rescore_requested), a few rows at a time.
            models.Index(
                fields=["rescore_requested"],
                condition=Q(rescore_requested=True),
                name="account_rescore_requested_idx",
            ),
            models.Index(
                fields=["rescore_claimed"],
                condition=Q(rescore_claimed=True),
                name="account_rescore_claimed_idx",
            ),
            # ARR at risk by renewal quarter: High/Critical accounts only, ARR included.
            models.Index(
                fields=["renewal_date", "arr"],
                condition=Q(risk_level__in=["high", "critical"]),
                name="account_at_risk_renewal_idx",
            ),
            # Dashboard: accounts and ARR per tier, sponsor coverage.
            models.Index(
                fields=["tier", "executive_sponsor", "arr"], name="account_tier_sponsor_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(risk_score__lte=100), name="account_risk_score_0_100"
            ),
            models.CheckConstraint(
                condition=Q(health_score__isnull=True) | Q(health_score__lte=100),
                name="account_health_score_0_100",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def badge(self) -> str:
        return TIER_BADGES.get(self.tier, "")

    @property
    def is_vip(self) -> bool:
        return self.tier in VIP_TIERS


class SponsorSummary(models.Model):
    """The monthly health summary sent to an executive sponsor (one per address and
    month; vipdesk/insight/sponsor_summary.py)."""

    sponsor_email = models.EmailField()
    month = models.CharField(max_length=7)  # "2026-12"
    accounts = models.PositiveIntegerField()
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["sponsor_email", "month"], name="one_sponsor_summary_per_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sponsor_email} {self.month}"


class AccountDomain(models.Model):
    """An e-mail domain that identifies an account (an account may have several)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253, unique=True)

    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain

    def save(self, *args, **kwargs):
        self.domain = self.domain.strip().lower()
        super().save(*args, **kwargs)


class Contact(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    email = models.EmailField(unique=True)
    title = models.CharField(max_length=200, blank=True)
    # Derived from the title (accounts/executives.py) unless overridden.
    is_executive = models.BooleanField(default=False)
    executive_override = models.BooleanField(
        null=True,
        blank=True,
        help_text="Set to force (yes) or deny (no) executive handling regardless of title.",
    )
    is_champion = models.BooleanField(default=False)
    is_authorized = models.BooleanField(
        "authorised for account changes",
        default=False,
        help_text="Shown on every ticket of the account: when contacts give conflicting "
        "instructions, agents follow an authorised one.",
    )
    last_contacted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            # Routing looks up executives by a requester's name (possible VIPs) for
            # every batch of tickets from unknown addresses.
            models.Index(
                Lower("name"), name="contact_executive_name_idx", condition=Q(is_executive=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        if self.executive_override is None:
            self.is_executive = is_executive_title(self.title)
        else:
            self.is_executive = self.executive_override
        super().save(*args, **kwargs)


class CsmNote(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Note on {self.account_id} by {self.author_id}"


class NpsPoint(models.Model):
    """One NPS result of an account, dated (import_nps, the account CSV import, the demo).

    Scores read NPS only from these points, as known on the day they are computed for
    (vipdesk/insight/features.py); Account.nps shows the latest."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="nps_points")
    date = models.DateField()
    score = models.SmallIntegerField(validators=[MinValueValidator(-100), MaxValueValidator(100)])

    class Meta:
        ordering = ["account", "date"]
        verbose_name = "NPS point"
        constraints = [
            models.UniqueConstraint(fields=["account", "date"], name="one_nps_point_per_day"),
            models.CheckConstraint(
                condition=Q(score__gte=-100) & Q(score__lte=100), name="nps_point_range"
            ),
        ]
        indexes = [
            # Each account's latest points, newest first, from the index alone (the
            # scores' NPS and previous NPS: vipdesk/insight/features.py).
            models.Index(
                fields=["account", "-date"], include=["score"], name="nps_point_latest_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.date}: NPS {self.score}"


class UsagePoint(models.Model):
    """Weekly active users of an account in the week starting `week` (import_usage, the
    demo). A week counts for scores once it is over."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="usage_points")
    week = models.DateField(help_text="First day of the week.")
    active_users = models.PositiveIntegerField()

    class Meta:
        ordering = ["account", "week"]
        constraints = [
            models.UniqueConstraint(fields=["account", "week"], name="one_usage_point_per_week"),
        ]
        indexes = [
            # The latest weeks of every account from the index alone: the scores read
            # a few weeks of a history that grows by one a week (features.py).
            models.Index(
                fields=["week", "account"], include=["active_users"], name="usage_point_week_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} week of {self.week}: {self.active_users} active users"


class ScoreSnapshot(models.Model):
    """One point per account per day: feeds trend charts and "why did this change"."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="snapshots")
    day = models.DateField()
    health_score = models.PositiveSmallIntegerField(null=True)
    risk_score = models.PositiveSmallIntegerField()
    risk_level = models.CharField(max_length=10, choices=RiskLevel.choices)
    risk_factors = models.JSONField(default=list)

    class Meta:
        ordering = ["account", "day"]
        constraints = [
            models.UniqueConstraint(fields=["account", "day"], name="one_snapshot_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.day}: risk {self.risk_score}"


class RiskFlagFeedback(models.Model):
    """A CSM's verdict on a risk flag, so admins can see the precision of past flags."""

    class Verdict(models.TextChoices):
        ACCURATE = "accurate", "Accurate"
        FALSE_POSITIVE = "false_positive", "False positive"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="flag_feedback")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    verdict = models.CharField(max_length=20, choices=Verdict.choices)
    note = models.TextField(blank=True)
    risk_score = models.PositiveSmallIntegerField()
    risk_factors = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_verdict_display()} flag on {self.account_id}"


class PolicyChange(models.Model):
    """Audit trail of every admin change to a policy table."""

    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Changed"
        DELETE = "delete", "Deleted"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    model = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    action = models.CharField(max_length=10, choices=Action.choices)
    # {field: [old, new]}
    changes = models.JSONField(default=dict)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.model} {self.object_repr}"


class ScoringRun(models.Model):
    """One full rescore (vipdesk/insight/jobs.py). A run is written back in one transaction,
    so a run that dies leaves no account half-scored, only this row in "running";
    the next run marks such rows abandoned (their holder no longer holds the lock, or
    their heartbeat is older than the job timeout)."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        FAILED = "failed", "Failed"
        ABANDONED = "abandoned", "Abandoned (worker died)"

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField()
    heartbeat_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    accounts_total = models.PositiveIntegerField(default=0)
    accounts_done = models.PositiveIntegerField(default=0)
    alerts_raised = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["status", "-finished_at"], name="scoringrun_status_idx")]

    def __str__(self) -> str:
        return f"Scoring run {self.pk} ({self.status})"
