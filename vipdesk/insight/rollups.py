"""Monthly rollups: what the monthly VIP report shows of a month, stored in MonthlyRollup
so a report page reads one row per month instead of scanning tickets, accounts and
tasks per request.

- The month's ticket figures per tier (dashboard.tier_rows) and its missed VIP SLAs.
- Facts as the month stood (`month_facts`): VIP retention and churn, VIP NPS from the
  dated results, ARR protected (VIP accounts with an escalation resolved in the month),
  and the relationship cadence's completion (reviews and check-ins) at the month's end.
- A month-end snapshot of what only exists as "now" (`month_end_snapshot`): pool load,
  executive-sponsor coverage, at-risk VIP accounts, ARR and expansion. The hourly
  refresh retakes it while the month runs; once the month has ended it is kept, so the
  report shows the month's end, not the day someone reads it. A month first computed
  long after it ended gets today's, and the page says when it was taken.

The job (vipdesk/cron.py, hourly) recomputes this month and the last: late CSAT and
resolutions still change them. Older months are computed once, when first asked for.
A rollup of a month the job keeps fresh is stale when older than STALE_AFTER (the job
has not run); the page says when it was computed either way."""

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from accounts.models import VIP_TIERS, Account, NpsPoint, RiskLevel, Tier
from accounts.templatetags.people import person
from escalations.models import Escalation
from escalations.reports import (
    RESOLVED,
    annotate_resolution,
    local_midnight,
    month_start,
    next_month,
    resolution_policies,
)
from tickets.models import Ticket
from tickets.staffing.pools import pool_board
from tickets.staffing.pools import refresh_figures as refresh_pool_figures
from vipdesk.insight.dashboard import (
    CADENCE_LABELS,
    CadenceRow,
    SponsorCoverage,
    TierRow,
    at_risk_vip_accounts,
    cadence_completion,
    sponsor_coverage,
    tier_rows,
)
from vipdesk.insight.models import MonthlyRollup
from vipdesk.tasks.models import Task

REFRESHED_MONTHS = 2
STALE_AFTER = timedelta(hours=2)
REPORT_CACHE_SECONDS = 300
AT_RISK_SHOWN = 20
BREACHED = Q(first_response_breached_at__isnull=False) | Q(resolution_breached_at__isnull=False)


def vip_tickets_with_sla(month: date) -> QuerySet:
    """VIP tickets created in the month that have an SLA."""
    return Ticket.objects.vip().filter(
        created_at__gte=local_midnight(month),
        created_at__lt=local_midnight(next_month(month)),
        sla_first_response_due__isnull=False,
    )


def report_cache_key(month: date) -> str:
    """Where the month's built report is cached (vipdesk/insight/monthly.py)."""
    return f"reports:vip-monthly:{month:%Y-%m}"


# ---------------------------------------------------------------------------------------
# Facts as the month stood


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Retention:
    """Logo retention over a month. A customer when the month began: the contract had
    started before the month's first day (or its start is not recorded) and the account
    had not churned (Account.churned_at) before the month began. Churned: of those, the
    ones whose churned_at falls in the month. Retention = 1 − churned ÷ customers. VIP by
    the account's tier (there is no tier history)."""

    vip_customers: int = 0
    vip_churned: int = 0
    vip_churned_arr: Decimal = Decimal(0)
    customers: int = 0
    churned: int = 0

    @property
    def vip_retention(self) -> float | None:
        return _share(self.vip_customers - self.vip_churned, self.vip_customers)

    @property
    def vip_churn(self) -> float | None:
        return _share(self.vip_churned, self.vip_customers)

    @property
    def overall_retention(self) -> float | None:
        return _share(self.customers - self.churned, self.customers)


def retention(month: date) -> Retention:
    """The month's Retention (one query over the accounts)."""
    start, end = local_midnight(month), local_midnight(next_month(month))
    customer = (Q(contract_start__isnull=True) | Q(contract_start__lt=month)) & (
        Q(churned_at__isnull=True) | Q(churned_at__gte=start)
    )
    churned = Q(churned_at__gte=start, churned_at__lt=end)
    vip = Q(tier__in=VIP_TIERS)
    row = Account.objects.filter(customer).aggregate(
        customers=Count("pk"),
        churned=Count("pk", filter=churned),
        vip_customers=Count("pk", filter=vip),
        vip_churned=Count("pk", filter=vip & churned),
        vip_churned_arr=Sum("arr", filter=vip & churned),
    )
    return Retention(**{**row, "vip_churned_arr": row["vip_churned_arr"] or Decimal(0)})


def vip_nps(last_day: date) -> tuple[float | None, int]:
    """The mean of each VIP account's latest NPS result dated on or before last_day
    (accounts/history.py: a result counts from the midnight after its date), and over
    how many accounts (one query)."""
    # "No later point of the same account", not DISTINCT ON: the embedded demo is SQLite.
    later = NpsPoint.objects.filter(account_id=OuterRef("account_id"), date__lte=last_day).filter(
        Q(date__gt=OuterRef("date")) | Q(date=OuterRef("date"), pk__gt=OuterRef("pk"))
    )
    row = (
        NpsPoint.objects.filter(account__tier__in=VIP_TIERS, date__lte=last_day)
        .filter(~Exists(later))
        .aggregate(nps=Avg("score"), n=Count("pk"))
    )
    return row["nps"], row["n"]


def arr_protected(month: date) -> tuple[Decimal, int]:
    """ARR of the VIP accounts with an escalation resolved in the month, and how many
    accounts (1 query)."""
    start, end = local_midnight(month), local_midnight(next_month(month))
    resolved = annotate_resolution(
        Escalation.objects.filter(account__tier__in=VIP_TIERS), resolution_policies()
    ).filter(RESOLVED, res_end__gte=start, res_end__lt=end)
    accounts = Account.objects.filter(pk__in=resolved.values("account_id"))
    row = accounts.aggregate(arr=Sum("arr"), n=Count("pk"))
    return row["arr"] or Decimal(0), row["n"]


@dataclass(frozen=True)
class MonthFacts:
    retention: Retention
    cadence: list[CadenceRow]  # every kind, as the month ended
    tier1_reviews: CadenceRow  # the quarter's business reviews of Tier-1 accounts
    nps: float | None = None  # VIP NPS as the month ended
    nps_accounts: int = 0
    arr_protected: Decimal = Decimal(0)  # VIP accounts with an escalation resolved
    protected_accounts: int = 0


def month_facts(month: date) -> MonthFacts:
    """Retention, VIP NPS, ARR protected, and the cadence tasks of the periods holding
    the month's last day as they stood when it ended (6 queries)."""
    end = local_midnight(next_month(month))
    last_day = next_month(month) - timedelta(days=1)
    cadence = cadence_completion(end, last_day)
    tier1 = cadence_completion(end, last_day, account__tier=Tier.STRATEGIC)
    nps, nps_accounts = vip_nps(last_day)
    protected, protected_accounts = arr_protected(month)
    return MonthFacts(
        retention(month),
        cadence,
        business_review(tier1),
        nps,
        nps_accounts,
        protected,
        protected_accounts,
    )


def business_review(rows: list[CadenceRow]) -> CadenceRow:
    """The quarterly business reviews' row of a cadence_completion answer."""
    label = CADENCE_LABELS[Task.Kind.BUSINESS_REVIEW]
    return next(r for r in rows if r.label == label)


def facts_of(rollup: MonthlyRollup) -> MonthFacts:
    f = rollup.facts
    r = f["retention"]
    return MonthFacts(
        Retention(**{**r, "vip_churned_arr": Decimal(r["vip_churned_arr"])}),
        [CadenceRow(**row) for row in f["cadence"]],
        CadenceRow(**f["tier1_reviews"]),
        f["nps"],
        f["nps_accounts"],
        Decimal(f["arr_protected"]),
        f["protected_accounts"],
    )


# ---------------------------------------------------------------------------------------
# The month-end snapshot of "now" facts


@dataclass(frozen=True)
class MemberFacts:
    agent_id: int
    name: str
    vip_share_pct: int | None
    open_total: int
    cap_pct: int


@dataclass(frozen=True)
class PoolFacts:
    name: str
    tier: int
    members: int
    available: int
    accounts_of_tier: int
    accounts_per_member: float | None
    overloaded: list[MemberFacts] = field(default_factory=list)  # above the VIP-share cap


@dataclass(frozen=True)
class AtRiskRow:
    id: int
    name: str
    tier: int
    risk_score: int
    risk_level: str
    health_score: int | None
    intervention: str
    owner: str
    csm: str


@dataclass
class Snapshot:
    pools: list[PoolFacts] = field(default_factory=list)
    sponsors: SponsorCoverage = field(default_factory=SponsorCoverage)
    at_risk: list[AtRiskRow] = field(default_factory=list)  # the riskiest AT_RISK_SHOWN
    at_risk_count: int = 0
    at_risk_unowned: int = 0
    vip_arr: Decimal = Decimal(0)
    expansion: Decimal = Decimal(0)


def at_risk_unowned() -> tuple[int, int]:
    """High/Critical VIP accounts, and how many of them lack an intervention owner or an
    intervention (1 query)."""
    row = (
        Account.objects.vip()
        .filter(risk_level__in=(RiskLevel.HIGH, RiskLevel.CRITICAL))
        .aggregate(
            n=Count("pk"),
            unowned=Count(
                "pk",
                filter=Q(intervention_owner__isnull=True)
                | Q(intervention_status=Account.Intervention.NONE),
            ),
        )
    )
    return row["n"], row["unowned"]


def month_end_snapshot(now: datetime) -> Snapshot:
    """Pools (the pools page's load and burnout rule), sponsors, at-risk VIP accounts and
    the VIP accounts' ARR and expansion pipeline, as they are at `now`. The pools'
    stored figures are computed first: with Redis, missing ones would only be queued,
    and the snapshot would record no accounts of any tier."""
    refresh_pool_figures(now)
    pools = [
        PoolFacts(
            name=p.pool.name,
            tier=p.pool.tier,
            members=len(p.members),
            available=p.available_count,
            accounts_of_tier=p.accounts_of_tier,
            accounts_per_member=p.accounts_per_member,
            overloaded=[
                MemberFacts(m.agent.pk, m.name, m.vip_share_pct, m.open_total, m.cap_pct)
                for m in p.members
                if m.burnout_risk
            ],
        )
        for p in pool_board(now)["pools"]
    ]
    vip = Account.objects.vip().aggregate(
        vip_arr=Sum("arr"),
        expansion=Sum("expansion_opportunity"),
    )
    count, unowned = at_risk_unowned()
    return Snapshot(
        pools=pools,
        sponsors=sponsor_coverage(),
        at_risk=[
            AtRiskRow(
                a.pk,
                a.name,
                a.tier,
                a.risk_score,
                a.get_risk_level_display(),
                a.health_score,
                a.get_intervention_status_display(),
                person(a.intervention_owner, ""),
                person(a.csm, ""),
            )
            for a in at_risk_vip_accounts(limit=AT_RISK_SHOWN)
        ],
        at_risk_count=count,
        at_risk_unowned=unowned,
        vip_arr=vip["vip_arr"] or Decimal(0),
        expansion=vip["expansion"] or Decimal(0),
    )


def snapshot_of(rollup: MonthlyRollup) -> Snapshot:
    s = rollup.snapshot
    return Snapshot(
        pools=[
            PoolFacts(**{**p, "overloaded": [MemberFacts(**m) for m in p["overloaded"]]})
            for p in s["pools"]
        ],
        sponsors=SponsorCoverage(**s["sponsors"]),
        at_risk=[AtRiskRow(**a) for a in s["at_risk"]],
        at_risk_count=s["at_risk_count"],
        at_risk_unowned=s["at_risk_unowned"],
        vip_arr=Decimal(s["vip_arr"]),
        expansion=Decimal(s["expansion"]),
    )


# ---------------------------------------------------------------------------------------
# Computing, storing and reading rollups


def refresh(month: date, now: datetime) -> MonthlyRollup:
    """Compute and store the month's rollup, and drop the cached reports that read it
    (the month's and the next month's, which compares with it). The snapshot is
    retaken while the month runs, and kept once it has ended."""
    counts = vip_tickets_with_sla(month).aggregate(
        n=Count("pk"), missed=Count("pk", filter=BREACHED)
    )
    rows = tier_rows(local_midnight(month), local_midnight(next_month(month)))
    defaults = dict(
        computed_at=now,
        tiers=[r.as_json() for r in rows],
        tickets_with_sla=counts["n"],
        tickets_missed=counts["missed"],
        facts=asdict(month_facts(month)),
    )
    has_snapshot = MonthlyRollup.objects.filter(month=month, snapshot_at__isnull=False).exists()
    if now < local_midnight(next_month(month)) or not has_snapshot:
        defaults.update(snapshot=asdict(month_end_snapshot(now)), snapshot_at=now)
    rollup, _ = MonthlyRollup.objects.update_or_create(month=month, defaults=defaults)
    cache.delete_many([report_cache_key(month), report_cache_key(next_month(month))])
    return rollup


def refresh_recent_rollups(now: datetime | None = None) -> int:
    """Job: recompute this month's and last month's rollups."""
    now = now or timezone.now()
    this_month = month_start(timezone.localdate(now))
    for back in range(REFRESHED_MONTHS):
        refresh(month_start(this_month, back), now)
    return REFRESHED_MONTHS


def rollups_for(months: list[date], now: datetime) -> dict[date, MonthlyRollup]:
    """The rollups of these months (one query), computing those missing or stored before
    they held the month's facts."""
    found = {r.month: r for r in MonthlyRollup.objects.filter(month__in=months)}
    for month in months:
        if month not in found or not found[month].facts:
            found[month] = refresh(month, now)
    return found


def tiers_of(rollup: MonthlyRollup) -> list[TierRow]:
    return [TierRow.from_json(row) for row in rollup.tiers]


def is_stale(rollup: MonthlyRollup, now: datetime) -> bool:
    kept_fresh = rollup.month >= month_start(timezone.localdate(now), REFRESHED_MONTHS - 1)
    return kept_fresh and now - rollup.computed_at > STALE_AFTER
