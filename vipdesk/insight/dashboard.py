"""VIP dashboard metrics. Each panel is one set-based query; values are plain data.

The heavy panels (per-tier figures over all accounts and 30 days of tickets, sponsor
coverage, and pool load over every open ticket) are computed by a job every minute and
stored (tickets/snapshots.py); the page reads them with their age. Active VIP tickets,
at-risk accounts and review completion are read live on every request.

Times are wall-clock (first response − created, resolved − created), labelled as such on
the page; "within SLA" compares with the ticket's routed due time, which does follow
business hours.
"""

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import (
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.utils import timezone

from accounts.cadence.rules import periods
from accounts.models import TIER_BADGES, VIP_TIERS, Account, RiskLevel, Tier
from escalations.models import Escalation
from tickets import snapshots
from tickets.models import AgentPool, RoutingPolicy, SlaPolicy, Ticket, current_sla_due
from tickets.staffing.capacity import over_vip_cap, vip_share_pct
from vipdesk.insight import charts
from vipdesk.lib.charts import figure_data
from vipdesk.tasks.models import Task

WINDOW_DAYS = 30
SPONSOR_TARGET = 5  # Tier-1 accounts per executive sponsor (seed 002: "target: <5")


def _minutes(value: timedelta | None) -> float | None:
    return None if value is None else value.total_seconds() / 60


@dataclass
class TierRow:
    tier: int
    accounts: int = 0
    arr: Decimal = Decimal(0)
    tickets: int = 0
    avg_first_response_min: float | None = None
    within_sla: int = 0
    with_sla: int = 0
    avg_resolution_hours: float | None = None
    csat: float | None = None
    csat_responses: int = 0
    escalations: int = 0
    sla_first_response_min: int | None = None
    sla_calendar: str = ""

    def as_json(self) -> dict:
        return {**asdict(self), "arr": str(self.arr)}

    @classmethod
    def from_json(cls, row: dict) -> "TierRow":
        return cls(**{**row, "arr": Decimal(row["arr"])})

    @property
    def label(self) -> str:
        return Tier(self.tier).label

    @property
    def badge(self) -> str:
        return TIER_BADGES.get(self.tier, "")

    @property
    def pct_within_sla(self) -> float | None:
        return 100 * self.within_sla / self.with_sla if self.with_sla else None

    @property
    def escalations_per_100(self) -> float | None:
        return 100 * self.escalations / self.accounts if self.accounts else None

    @property
    def meets_first_response(self) -> bool | None:
        if self.avg_first_response_min is None or self.sla_first_response_min is None:
            return None
        return self.avg_first_response_min <= self.sla_first_response_min


def tier_rows(since: datetime, until: datetime | None = None) -> list[TierRow]:
    """Accounts and ARR now, and the ticket, CSAT and escalation figures of the tickets
    created (escalations opened) in [since, until) per tier (4 queries)."""
    rows = {t: TierRow(tier=t) for t in Tier.values}
    accounts = Account.objects.order_by().values("tier").annotate(n=Count("*"), arr=Sum("arr"))
    for r in accounts:
        rows[r["tier"]].accounts, rows[r["tier"]].arr = r["n"], r["arr"] or Decimal(0)

    created = Q(created_at__gte=since) & (Q() if until is None else Q(created_at__lt=until))
    opened = Q(opened_at__gte=since) & (Q() if until is None else Q(opened_at__lt=until))
    first = ExpressionWrapper(
        F("first_response_at") - F("created_at"), output_field=DurationField()
    )
    resolution = ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField())
    stats = (
        Ticket.objects.filter(created, tier__isnull=False)
        .order_by()
        .values("tier")
        .annotate(
            n=Count("*"),  # not "id": keeps ticket_recent_metrics_idx index-only
            avg_first=Avg(first, filter=Q(first_response_at__isnull=False)),
            within=Count(
                "created_at",
                filter=Q(
                    first_response_at__isnull=False,
                    first_response_at__lte=F("sla_first_response_due"),
                ),
            ),
            with_sla=Count(
                "created_at",
                filter=Q(first_response_at__isnull=False, sla_first_response_due__isnull=False),
            ),
            avg_resolution=Avg(resolution, filter=Q(resolved_at__isnull=False)),
            csat_avg=Avg("csat"),
            csat_n=Count("csat"),
        )
    )
    for r in stats:
        row = rows.get(r["tier"])
        if row is None:
            continue
        row.tickets, row.within_sla, row.with_sla = r["n"], r["within"], r["with_sla"]
        row.avg_first_response_min = _minutes(r["avg_first"])
        avg_resolution = _minutes(r["avg_resolution"])
        row.avg_resolution_hours = None if avg_resolution is None else avg_resolution / 60
        row.csat = None if r["csat_avg"] is None else float(r["csat_avg"])
        row.csat_responses = r["csat_n"]

    escalations = (
        Escalation.objects.filter(opened).order_by().values("account__tier").annotate(n=Count("id"))
    )
    for r in escalations:
        if r["account__tier"] in rows:
            rows[r["account__tier"]].escalations = r["n"]

    # The SLA reference per tier: first response for a normal (P3) ticket.
    for policy in SlaPolicy.objects.filter(priority="P3").only(
        "tier", "first_response_minutes", "calendar"
    ):
        if policy.tier in rows:
            rows[policy.tier].sla_first_response_min = policy.first_response_minutes
            rows[policy.tier].sla_calendar = policy.get_calendar_display()
    return [rows[t] for t in Tier.values]


def active_vip_tickets(limit: int = 10) -> list[Ticket]:
    """Open VIP tickets whose current SLA deadline comes soonest (one query, along the
    open-tickets SLA index)."""
    return list(
        Ticket.objects.open()
        .vip()
        .annotate(due=current_sla_due())
        .filter(due__isnull=False)
        .select_related("account", "assigned_agent__user")
        .only(
            "id",
            "subject",
            "tier",
            "effective_priority",
            "created_at",
            "first_response_at",
            "sla_first_response_due",
            "sla_resolution_due",
            "account__id",
            "account__name",
            "assigned_agent__id",
            "assigned_agent__user__username",
            "assigned_agent__user__first_name",
            "assigned_agent__user__last_name",
        )
        .order_by("due", "id")[:limit]
    )


@dataclass
class PoolRow:
    name: str
    tier: int
    members: int
    on_shift: int
    on_pto: int
    open_vip: int
    open_all: int
    cap_pct: int

    @property
    def vip_share_pct(self) -> int | None:
        return vip_share_pct(self.open_vip, self.open_all)

    @property
    def over_cap(self) -> bool:
        return over_vip_cap(self.open_vip, self.open_all, self.cap_pct)


def pool_status(today: date, cap_pct: int) -> list[PoolRow]:
    """Each pool's members, on shift, on PTO today and open (VIP) load (one query)."""

    def open_count(vip: bool):
        tickets = Ticket.objects.open().filter(assigned_agent__pools=OuterRef("pk"))
        if vip:
            tickets = tickets.vip()
        return Subquery(
            tickets.order_by().values("assigned_agent__pools").annotate(c=Count("id")).values("c")
        )

    pools = AgentPool.objects.annotate(
        n_members=Count("members", distinct=True),
        n_on_shift=Count("members", filter=Q(members__on_shift=True), distinct=True),
        n_on_pto=Count(
            "members",
            filter=Q(members__pto__starts__lte=today, members__pto__ends__gte=today),
            distinct=True,
        ),
        n_open_vip=open_count(vip=True),
        n_open=open_count(vip=False),
    ).order_by("tier", "name")
    return [
        PoolRow(
            p.name,
            p.tier,
            p.n_members,
            p.n_on_shift,
            p.n_on_pto,
            p.n_open_vip or 0,
            p.n_open or 0,
            cap_pct,
        )
        for p in pools
    ]


@dataclass
class SponsorCoverage:
    vip_accounts: int = 0
    vip_without_sponsor: int = 0
    tier1_accounts: int = 0
    tier1_without_sponsor: int = 0
    sponsors: int = 0
    top: list = field(default_factory=list)  # [(sponsor, vip accounts, tier-1 accounts)]

    @classmethod
    def from_json(cls, data: dict) -> "SponsorCoverage":
        return cls(**{**data, "top": [tuple(row) for row in data["top"]]})

    @property
    def max_per_sponsor(self) -> int:
        return max((n for _, n, _ in self.top), default=0)


def sponsor_coverage(top: int = 8) -> SponsorCoverage:
    """Accounts per executive sponsor and VIP accounts without one (two queries)."""
    no_sponsor = Q(executive_sponsor="")
    vip = Account.objects.vip()
    totals = vip.aggregate(
        vip=Count("*"),
        without=Count("tier", filter=no_sponsor),
        tier1=Count("tier", filter=Q(tier=Tier.STRATEGIC)),
        tier1_without=Count("tier", filter=no_sponsor & Q(tier=Tier.STRATEGIC)),
        sponsors=Count("executive_sponsor", filter=~no_sponsor, distinct=True),
    )
    leaders = (
        vip.exclude(no_sponsor)
        .order_by()
        .values("executive_sponsor")
        .annotate(n=Count("*"), t1=Count("tier", filter=Q(tier=Tier.STRATEGIC)))
        .order_by("-n", "executive_sponsor")[:top]
    )
    return SponsorCoverage(
        vip_accounts=totals["vip"],
        vip_without_sponsor=totals["without"],
        tier1_accounts=totals["tier1"],
        tier1_without_sponsor=totals["tier1_without"],
        sponsors=totals["sponsors"],
        top=[(r["executive_sponsor"], r["n"], r["t1"]) for r in leaders],
    )


def at_risk_vip_accounts(limit: int = 10) -> list[Account]:
    """The VIP accounts with the highest risk at High or Critical (one query)."""
    return list(
        Account.objects.vip()
        .filter(risk_level__in=(RiskLevel.HIGH, RiskLevel.CRITICAL))
        .select_related("csm", "intervention_owner")
        .defer("weekly_active_users")
        .order_by("-risk_score", "id")[:limit]
    )


@dataclass
class CadenceRow:
    label: str
    period: str
    done: int
    total: int
    overdue: int

    @property
    def pct(self) -> int | None:
        return round(100 * self.done / self.total) if self.total else None


CADENCE_LABELS = {
    Task.Kind.BUSINESS_REVIEW: "Quarterly reviews completed this quarter",
    Task.Kind.EXECUTIVE_REVIEW: "Executive reviews completed this year",
    Task.Kind.CHECK_IN: "Check-ins completed this month",
}


def cadence_completion(now: datetime, day: date | None = None, **filters) -> list[CadenceRow]:
    """The reviews and check-ins (accounts/cadence) of the periods holding `day` (default:
    now's), as they stood at `now`: done of scheduled, and how many are overdue (one
    query). `filters` narrow the tasks (e.g. account__tier=1); the monthly report asks as
    of a month's end."""
    tz = timezone.get_current_timezone()
    current = periods(day or now.astimezone(tz).date())
    aggregates = {}
    for kind, (_, last_day) in current.items():
        start = datetime.combine(last_day, time(0), tzinfo=tz)
        this_period = Q(
            kind=kind, due_at__gte=start, due_at__lt=start + timedelta(days=1), created_at__lte=now
        )
        done = Q(status=Task.Status.DONE, closed_at__lte=now)
        aggregates[f"{kind}_total"] = Count("pk", filter=this_period)
        aggregates[f"{kind}_done"] = Count("pk", filter=this_period & done)
        aggregates[f"{kind}_overdue"] = Count(
            "pk",
            filter=this_period
            & Q(due_at__lte=now)
            & (Q(status=Task.Status.OPEN) | Q(closed_at__gt=now)),
        )
    counts = Task.objects.filter(kind__in=list(current), **filters).aggregate(**aggregates)
    return [
        CadenceRow(
            label=CADENCE_LABELS[kind],
            period=period,
            done=counts[f"{kind}_done"],
            total=counts[f"{kind}_total"],
            overdue=counts[f"{kind}_overdue"],
        )
        for kind, (period, _) in current.items()
    ]


FIGURES = "dashboard"


@dataclass
class Aggregates:
    tiers: list[TierRow]
    sponsors: SponsorCoverage
    pools: list[PoolRow]
    cadence: list[CadenceRow]
    charts: dict  # {"arr", "first_response"}: plotly figures as JSON data


def dashboard_charts(tiers: list[TierRow]) -> dict:
    """ARR per tier and first response against the SLA per VIP tier, as JSON data for
    the page (building a plotly figure costs tens of ms: the job does it)."""
    arr = charts.arr_by_tier([(t.label, t.arr, t.accounts) for t in tiers])
    vip = [t for t in tiers if t.tier in VIP_TIERS]
    first_response = charts.first_response_vs_sla(
        [(t.label, t.avg_first_response_min, t.sla_first_response_min) for t in vip]
    )
    return {"arr": figure_data(arr), "first_response": figure_data(first_response)}


def compute_aggregates(now: datetime) -> Aggregates:
    """Per-tier figures and charts, sponsor coverage, pool load and this period's review
    completion (9 queries, seconds at 2M tickets: the job's work, never a request's)."""
    cap = RoutingPolicy.load().vip_share_cap_pct
    tiers = tier_rows(now - timedelta(days=WINDOW_DAYS))
    return Aggregates(
        tiers=tiers,
        sponsors=sponsor_coverage(),
        pools=pool_status(timezone.localdate(now), cap),
        cadence=cadence_completion(now),
        charts=dashboard_charts(tiers),
    )


def refresh_figures(now: datetime | None = None) -> None:
    """Job (vipdesk/cron.py, every minute): recompute and store the aggregates."""
    now = now or timezone.now()
    heavy = compute_aggregates(now)
    data = {
        "tiers": [r.as_json() for r in heavy.tiers],
        "sponsors": asdict(heavy.sponsors),
        "pools": [asdict(p) for p in heavy.pools],
        "cadence": [asdict(c) for c in heavy.cadence],
        "charts": heavy.charts,
    }
    snapshots.store(FIGURES, data, now)


def aggregates(figures: snapshots.Figures) -> Aggregates:
    """The stored aggregates; empty ones while they are first being computed."""
    if figures.data is None:
        tiers = [TierRow(tier=t) for t in Tier.values]
        return Aggregates(tiers, SponsorCoverage(), [], [], dashboard_charts(tiers))
    data = figures.data
    return Aggregates(
        tiers=[TierRow.from_json(r) for r in data["tiers"]],
        sponsors=SponsorCoverage.from_json(data["sponsors"]),
        pools=[PoolRow(**p) for p in data["pools"]],
        cadence=[CadenceRow(**c) for c in data["cadence"]],
        charts=data["charts"],
    )


@dataclass
class Dashboard:
    tiers: list[TierRow]
    active_tickets: list[Ticket]
    pools: list[PoolRow]
    sponsors: SponsorCoverage
    at_risk: list[Account]
    figures: snapshots.Figures
    cadence: list[CadenceRow] = field(default_factory=list)
    charts: dict = field(default_factory=dict)
    window_days: int = WINDOW_DAYS

    @property
    def vip_tiers(self) -> list[TierRow]:
        return [t for t in self.tiers if t.tier in VIP_TIERS]

    @property
    def vip_accounts(self) -> int:
        return sum(t.accounts for t in self.vip_tiers)

    @property
    def vip_arr(self) -> Decimal:
        return sum((t.arr for t in self.vip_tiers), Decimal(0))

    @property
    def total_arr(self) -> Decimal:
        return sum((t.arr for t in self.tiers), Decimal(0))

    @property
    def vip_arr_share(self) -> float | None:
        return float(100 * self.vip_arr / self.total_arr) if self.total_arr else None


def build_dashboard(now: datetime) -> Dashboard:
    figures = snapshots.read(FIGURES, refresh_figures, now)
    heavy = aggregates(figures)
    return Dashboard(
        tiers=heavy.tiers,
        active_tickets=active_vip_tickets(),
        pools=heavy.pools,
        sponsors=heavy.sponsors,
        at_risk=at_risk_vip_accounts(),
        figures=figures,
        cadence=heavy.cadence,
        charts=heavy.charts,
    )
