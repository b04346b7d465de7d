"""The monthly VIP support report (/reports/vip/<yyyy>-<mm>/, seed 002 "VIP Support
Monthly Report"), e-mailed to support leads on the 1st.

The month's own figures (service levels per tier, missed SLAs, escalations resolved)
cover tickets created and escalations opened or resolved in the month, [start, end) in
TIME_ZONE; the previous month gives the changes. Facts the data only has as of now (NPS,
expansion pipeline, at-risk accounts, sponsors, pool load) are labelled "now". Facts
with no data source yet are listed as such, never invented.

`recommend` is pure: plain facts in, recommendations (each with its reason and figure)
out."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Avg, Count, Q, Sum
from django.utils import timezone

from accounts.models import VIP_TIERS, Account, RiskLevel, Tier
from accounts.templatetags.people import person
from escalations.models import Escalation, ReportPolicy
from escalations.reports import (
    RESOLVED,
    Growth,
    annotate_resolution,
    is_growing,
    local_midnight,
    month_start,
    next_month,
    quarter_windows,
    quarterly_counts,
    resolution_policies,
    window_label,
)
from tickets.models import Ticket
from tickets.staffing.pools import PoolView, pool_board
from vipdesk.insight import rollups
from vipdesk.insight.dashboard import (
    SponsorCoverage,
    TierRow,
    at_risk_vip_accounts,
    sponsor_coverage,
)
from vipdesk.insight.recommendations import HIGH, NORMAL, URGENT, Recommendation
from vipdesk.lib.tables import Table, rounded

MISSED_SHOWN = 50
AT_RISK_SHOWN = 20

DATA_GAPS = [
    "VIP retention and churn: accounts have no status history yet (nothing records when "
    "an account churned), so they are not reported.",
    "Quarterly business reviews: completion is not recorded anywhere yet, so it is not "
    "reported and no review recommendation is made.",
    "NPS: accounts hold their current and previous NPS only (no dated history), so the "
    "figure is today's, not the month's.",
]


@dataclass
class TierMonth:
    row: TierRow
    before: TierRow

    @property
    def resolution_change(self) -> float | None:
        if self.row.avg_resolution_hours is None or self.before.avg_resolution_hours is None:
            return None
        return self.row.avg_resolution_hours - self.before.avg_resolution_hours

    @property
    def csat_change(self) -> float | None:
        if self.row.csat is None or self.before.csat is None:
            return None
        return self.row.csat - self.before.csat


@dataclass
class MonthlyReport:
    month: date
    tiers: list[TierMonth]
    tickets_with_sla: int
    tickets_missed: int
    missed: list[Ticket]
    computed_at: datetime  # of the rollup the month's ticket figures come from
    stale: bool
    as_of: datetime  # of the "now" facts
    nps: float | None
    previous_nps: float | None
    nps_accounts: int
    vip_arr: Decimal
    expansion: Decimal
    arr_protected: Decimal
    protected_accounts: int
    at_risk: list[Account]
    at_risk_count: int
    at_risk_unowned: int
    sponsors: SponsorCoverage
    pools: list[PoolView]
    growth: list[Growth]
    windows: list[tuple[date, date]]  # the two quarters the growth compares
    recommendations: list[Recommendation] = field(default_factory=list)
    gaps: list[str] = field(default_factory=lambda: list(DATA_GAPS))

    @property
    def previous_month(self) -> date:
        return month_start(self.month, 1)

    @property
    def pct_met(self) -> float | None:
        if not self.tickets_with_sla:
            return None
        return 100 * (self.tickets_with_sla - self.tickets_missed) / self.tickets_with_sla


def missed_sla_tickets(month: date) -> list[Ticket]:
    """The month's first MISSED_SHOWN VIP tickets that missed an SLA (1 query)."""
    return list(
        rollups.vip_tickets_with_sla(month)
        .filter(rollups.BREACHED)
        .select_related("account", "assigned_agent__user")
        .only(
            "id",
            "subject",
            "tier",
            "effective_priority",
            "created_at",
            "first_response_at",
            "resolved_at",
            "sla_first_response_due",
            "sla_resolution_due",
            "first_response_breached_at",
            "resolution_breached_at",
            "account__id",
            "account__name",
            "assigned_agent__id",
            "assigned_agent__user__username",
            "assigned_agent__user__first_name",
            "assigned_agent__user__last_name",
        )
        .order_by("created_at", "id")[:MISSED_SHOWN]
    )


def arr_protected(start: datetime, end: datetime) -> tuple[Decimal, int]:
    """ARR of the VIP accounts with an escalation resolved in [start, end), and how many
    accounts (1 query)."""
    resolved = annotate_resolution(
        Escalation.objects.filter(account__tier__in=VIP_TIERS), resolution_policies()
    ).filter(RESOLVED, res_end__gte=start, res_end__lt=end)
    accounts = Account.objects.filter(pk__in=resolved.values("account_id"))
    row = accounts.aggregate(arr=Sum("arr"), n=Count("pk"))
    return row["arr"] or Decimal(0), row["n"]


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


def recommend(
    pools: list[PoolView],
    accounts_per_agent: float,
    at_risk_count: int,
    at_risk_unowned: int,
    sponsors: SponsorCoverage,
    growth: list[Growth],
    growth_pct: int,
    growth_min: int,
    quarter: str,
) -> list[Recommendation]:
    """The report's recommendations, most urgent first, each naming its figure."""
    recs = []
    seen = set()
    for pool in pools:
        for m in pool.members:
            if m.burnout_risk and m.agent.pk not in seen:
                seen.add(m.agent.pk)
                recs.append(
                    Recommendation(
                        f"Reduce {m.name}'s VIP load",
                        f"VIP share {m.vip_share_pct}% of their {m.open_total} open tickets, "
                        f"above the {m.cap_pct}% warning level",
                        HIGH,
                    )
                )
    for pool in pools:
        ratio = pool.accounts_per_member
        if pool.accounts_of_tier and (ratio is None or ratio > accounts_per_agent):
            members = len(pool.members)
            recs.append(
                Recommendation(
                    f"Add an agent to {pool.pool.name}",
                    f"{members} member{'s' if members != 1 else ''} for "
                    f"{pool.accounts_of_tier} {Tier(pool.pool.tier).label} accounts"
                    + (f" ({ratio:.1f} per member" if ratio is not None else " (no members")
                    + f"; thin above {accounts_per_agent:g})",
                    HIGH if pool.pool.tier == Tier.STRATEGIC else NORMAL,
                )
            )
    if at_risk_unowned:
        recs.append(
            Recommendation(
                "Give every at-risk VIP account an owner and an intervention",
                f"{at_risk_unowned} of {at_risk_count} High/Critical-risk VIP accounts have "
                "no intervention owner or no intervention",
                URGENT,
            )
        )
    if sponsors.tier1_without_sponsor:
        recs.append(
            Recommendation(
                "Assign an executive sponsor to every Tier-1 account",
                f"{sponsors.tier1_without_sponsor} of {sponsors.tier1_accounts} Tier-1 "
                "accounts have no executive sponsor",
                HIGH,
            )
        )
    for g in growth:
        if is_growing(g, growth_pct, growth_min):
            change = f"+{g.pct:.0f}%" if g.pct is not None else "new"
            recs.append(
                Recommendation(
                    f"Review the root causes of {g.label} escalations",
                    f"{g.later} opened in {quarter} against {g.earlier} in the 3 months "
                    f"before ({change})",
                    NORMAL,
                )
            )
    recs.sort(key=lambda r: r.priority)
    return recs


def build_monthly(month: date, now: datetime) -> MonthlyReport:
    """The report for `month` (its first day), in a fixed number of queries."""
    start, end = local_midnight(month), local_midnight(next_month(month))
    previous = month_start(month, 1)
    found = rollups.rollups_for([month, previous], now)
    rollup = found[month]
    before = {r.tier: r for r in rollups.tiers_of(found[previous])}
    tiers = [TierMonth(r, before[r.tier]) for r in rollups.tiers_of(rollup) if r.tier in VIP_TIERS]
    vip = Account.objects.vip().aggregate(
        nps_avg=Avg("nps"),
        previous=Avg("previous_nps"),
        nps_n=Count("nps"),
        arr=Sum("arr"),
        expansion=Sum("expansion_opportunity"),
    )
    protected, protected_n = arr_protected(start, end)
    at_risk_count, unowned = at_risk_unowned()
    sponsors = sponsor_coverage()
    pools = pool_board(now)["pools"]
    policy = ReportPolicy.load()
    windows = quarter_windows(next_month(month), 2)
    growth = [
        q.growth for q in quarterly_counts("type", windows, dict(Escalation.Type.choices))
    ] + [q.growth for q in quarterly_counts("root_cause_category", windows) if q.key]
    report = MonthlyReport(
        month=month,
        tiers=tiers,
        tickets_with_sla=rollup.tickets_with_sla,
        tickets_missed=rollup.tickets_missed,
        missed=missed_sla_tickets(month),
        computed_at=rollup.computed_at,
        stale=rollups.is_stale(rollup, now),
        as_of=now,
        nps=vip["nps_avg"],
        previous_nps=vip["previous"],
        nps_accounts=vip["nps_n"],
        vip_arr=vip["arr"] or Decimal(0),
        expansion=vip["expansion"] or Decimal(0),
        arr_protected=protected,
        protected_accounts=protected_n,
        at_risk=at_risk_vip_accounts(limit=AT_RISK_SHOWN),
        at_risk_count=at_risk_count,
        at_risk_unowned=unowned,
        sponsors=sponsors,
        pools=pools,
        growth=growth,
        windows=windows,
    )
    report.recommendations = recommend(
        pools,
        policy.pool_accounts_per_agent,
        at_risk_count,
        unowned,
        sponsors,
        growth,
        policy.growth_warning_pct,
        policy.growth_min_count,
        window_label(windows[-1]),
    )
    return report


def cached_monthly(month: date, now: datetime) -> MonthlyReport:
    """The month's report, from the cache when built less than REPORT_CACHE_SECONDS ago
    (refreshing the month's rollup drops it); the page says as of when."""
    key = rollups.report_cache_key(month)
    report = cache.get(key)
    if report is None:
        report = build_monthly(month, now)
        cache.set(key, report, rollups.REPORT_CACHE_SECONDS)
    return report


def last_finished_month(now: datetime) -> date:
    return month_start(timezone.localdate(now), 1)


def _when(value: datetime | None) -> str | None:
    return None if value is None else timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _money(value: Decimal | None) -> int | None:
    return None if value is None else int(value.quantize(Decimal(1)))


def monthly_tables(r: MonthlyReport) -> list[Table]:
    """Every table of the page, as plain rounded data (the page and its CSVs)."""
    prev = f"{r.previous_month:%b %Y}"
    service = Table(
        "service-levels",
        "Service levels per tier",
        [
            "Tier",
            "VIP tickets",
            "Avg first response (min)",
            "First response SLA, P3 (min)",
            "Within SLA (%)",
            "Avg resolution (h)",
            f"Resolution change vs {prev} (h)",
            "CSAT",
            f"CSAT change vs {prev}",
            "CSAT responses",
            "Escalations opened",
        ],
        [
            [
                t.row.label,
                t.row.tickets,
                rounded(t.row.avg_first_response_min, 1),
                t.row.sla_first_response_min,
                rounded(t.row.pct_within_sla, 1),
                rounded(t.row.avg_resolution_hours, 1),
                rounded(t.resolution_change, 1),
                rounded(t.row.csat, 2),
                rounded(t.csat_change, 2),
                t.row.csat_responses,
                t.row.escalations,
            ]
            for t in r.tiers
        ],
        note="Wall-clock times from ticket creation; 'within SLA' compares the first "
        "response with the routed due time (which follows the tier's calendar).",
    )
    missed = Table(
        "missed-slas",
        "Missed SLAs",
        [
            "Ticket",
            "Account",
            "Tier",
            "Priority",
            "Created",
            "First response due",
            "First response",
            "Resolution due",
            "Resolved",
            "Missed",
        ],
        [
            [
                f"#{t.pk} {t.subject}",
                t.account.name if t.account else None,
                t.tier,
                t.effective_priority,
                _when(t.created_at),
                _when(t.sla_first_response_due),
                _when(t.first_response_at),
                _when(t.sla_resolution_due),
                _when(t.resolved_at),
                " and ".join(
                    name
                    for name, at in (
                        ("first response", t.first_response_breached_at),
                        ("resolution", t.resolution_breached_at),
                    )
                    if at
                ),
            ]
            for t in r.missed
        ],
        links=[f"/tickets/{t.pk}/" for t in r.missed],
        note=f"{r.tickets_missed} of {r.tickets_with_sla} VIP tickets created this month "
        "missed an SLA"
        + (f" (the first {MISSED_SHOWN} are listed)" if r.tickets_missed > MISSED_SHOWN else ""),
    )
    revenue = Table(
        "revenue",
        "Satisfaction and revenue",
        ["Figure", "Value", "Basis"],
        [
            ["VIP NPS (average of account NPS, now)", rounded(r.nps, 1), r.nps_accounts],
            ["VIP NPS before (previous NPS on record)", rounded(r.previous_nps, 1), None],
            ["VIP ARR ($, now)", _money(r.vip_arr), None],
            [
                "VIP ARR protected ($): accounts with an escalation resolved this month",
                _money(r.arr_protected),
                r.protected_accounts,
            ],
            ["VIP expansion pipeline ($, open opportunities now)", _money(r.expansion), None],
            ["At-risk VIP accounts (High/Critical, now)", r.at_risk_count, None],
        ],
        note="Basis: the number of accounts the figure rests on.",
    )
    at_risk = Table(
        "at-risk",
        "At-risk VIP accounts and their interventions (now)",
        ["Account", "Tier", "Risk", "Level", "Health", "Intervention", "Owner", "CSM"],
        [
            [
                a.name,
                a.tier,
                a.risk_score,
                a.get_risk_level_display(),
                a.health_score,
                a.get_intervention_status_display(),
                person(a.intervention_owner, ""),
                person(a.csm, ""),
            ]
            for a in r.at_risk
        ],
        links=[f"/accounts/{a.pk}/" for a in r.at_risk],
        note=f"{r.at_risk_unowned} of {r.at_risk_count} have no intervention owner or no "
        "intervention"
        + (f"; the {AT_RISK_SHOWN} riskiest are listed" if r.at_risk_count > AT_RISK_SHOWN else ""),
    )
    s = r.sponsors
    sponsors = Table(
        "sponsors",
        "Executive-sponsor coverage (now)",
        ["Figure", "Value"],
        [
            ["Tier-1 accounts", s.tier1_accounts],
            ["Tier-1 accounts without a sponsor", s.tier1_without_sponsor],
            ["VIP accounts without a sponsor", s.vip_without_sponsor],
            ["Executive sponsors", s.sponsors],
            ["Most VIP accounts per sponsor", s.max_per_sponsor],
        ],
    )
    pools = Table(
        "pools",
        "Agent pools (now)",
        ["Pool", "Tier", "Members", "Available", "Accounts of the tier", "Accounts per member"],
        [
            [
                p.pool.name,
                p.pool.tier,
                len(p.members),
                p.available_count,
                p.accounts_of_tier,
                rounded(p.accounts_per_member, 1),
            ]
            for p in r.pools
        ],
    )
    growth = Table(
        "escalation-growth",
        "Escalations by type and root-cause category, quarter over quarter",
        ["Type or category", *map(window_label, r.windows), "Change (%)"],
        [[g.label, g.earlier, g.later, rounded(g.pct, 1)] for g in r.growth],
        note="Root-cause categories as recorded on the escalations (free text); "
        "escalations without one are counted under their type only.",
    )
    recommendations = Table(
        "recommendations",
        "Recommendations",
        ["Action", "Reason", "Priority"],
        [[rec.action, rec.reason, rec.priority_label] for rec in r.recommendations],
    )
    return [recommendations, service, missed, revenue, at_risk, sponsors, pools, growth]
