"""The monthly VIP support report (/reports/vip/<yyyy>-<mm>/, seed 002 "VIP Support
Monthly Report"), e-mailed to support leads on the 1st.

Everything is as the month stood. The month's own figures (service levels per tier,
missed SLAs, escalations resolved) cover tickets created and escalations opened or
resolved in the month, [start, end) in TIME_ZONE; the previous month gives the changes.
Retention and churn, VIP NPS and the relationship cadence come from the month's rollup,
as of its end; pool load, sponsors, at-risk accounts and ARR from the rollup's
month-end snapshot (vipdesk/insight/rollups.py), with the time it was taken.

`recommend` is pure: plain facts in, recommendations (each with its reason and figure)
out."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.core.cache import cache
from django.utils import timezone

from accounts.models import VIP_TIERS, Tier
from escalations.models import ReportPolicy
from escalations.reports import (
    Growth,
    is_growing,
    local_midnight,
    month_start,
    next_month,
    quarter_windows,
    quarterly_counts,
    rollup_computed_at,
    window_label,
)
from tickets.models import Ticket
from vipdesk.insight import rollups
from vipdesk.insight.dashboard import CADENCE_LABELS, CadenceRow, TierRow
from vipdesk.insight.recommendations import HIGH, NORMAL, URGENT, Recommendation
from vipdesk.insight.rollups import AT_RISK_SHOWN, MonthFacts, Snapshot
from vipdesk.lib.tables import Table, percent, rounded
from vipdesk.tasks.models import Task

MISSED_SHOWN = 50
# The cadence rows' names in a past month's report (the dashboard's say "this quarter").
CADENCE_NAMES = {label: Task.Kind(kind).label for kind, label in CADENCE_LABELS.items()}

LIMITS = [
    "VIP means the account's tier when the figures were computed: there is no tier "
    "history, so an account that changed tier since is counted in its tier of today.",
    "A customer when the month began: contract started before the month (or no start "
    "recorded) and not churned before it; churned: Account.churned_at in the month.",
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
    computed_at: datetime  # of the rollup the month's figures come from
    stale: bool
    facts: MonthFacts
    previous_facts: MonthFacts
    snapshot: Snapshot
    snapshot_at: datetime | None
    growth: list[Growth]
    windows: list[tuple[date, date]]  # the two quarters the growth compares
    recommendations: list[Recommendation] = field(default_factory=list)
    limits: list[str] = field(default_factory=lambda: list(LIMITS))

    @property
    def previous_month(self) -> date:
        return month_start(self.month, 1)

    @property
    def pct_met(self) -> float | None:
        if not self.tickets_with_sla:
            return None
        return 100 * (self.tickets_with_sla - self.tickets_missed) / self.tickets_with_sla

    @property
    def arr_protected(self) -> Decimal:
        return self.facts.arr_protected

    @property
    def protected_accounts(self) -> int:
        return self.facts.protected_accounts

    @property
    def vip_retention_pct(self) -> float | None:
        return percent(self.facts.retention.vip_retention, 2)

    @property
    def snapshot_after_the_month(self) -> bool:
        """The snapshot was first taken a day or more after the month ended (the month
        was first reported late): it shows that day, not the month's end."""
        end = local_midnight(next_month(self.month))
        return self.snapshot_at is not None and (self.snapshot_at - end).days >= 1


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


def recommend(
    snapshot: Snapshot,
    tier1_reviews: CadenceRow,
    month: date,
    accounts_per_agent: float,
    growth: list[Growth],
    growth_pct: int,
    growth_min: int,
    quarter: str,
) -> list[Recommendation]:
    """The report's recommendations, most urgent first, each naming its figure."""
    recs = []
    seen = set()
    for pool in snapshot.pools:
        for m in pool.overloaded:
            if m.agent_id not in seen:
                seen.add(m.agent_id)
                recs.append(
                    Recommendation(
                        f"Reduce {m.name}'s VIP load",
                        f"VIP share {m.vip_share_pct}% of their {m.open_total} open tickets, "
                        f"above the {m.cap_pct}% warning level",
                        HIGH,
                    )
                )
    for pool in snapshot.pools:
        ratio = pool.accounts_per_member
        if pool.accounts_of_tier and (ratio is None or ratio > accounts_per_agent):
            recs.append(
                Recommendation(
                    f"Add an agent to {pool.name}",
                    f"{pool.members} member{'s' if pool.members != 1 else ''} for "
                    f"{pool.accounts_of_tier} {Tier(pool.tier).label} accounts"
                    + (f" ({ratio:.1f} per member" if ratio is not None else " (no members")
                    + f"; thin above {accounts_per_agent:g})",
                    HIGH if pool.tier == Tier.STRATEGIC else NORMAL,
                )
            )
    if snapshot.at_risk_unowned:
        recs.append(
            Recommendation(
                "Give every at-risk VIP account an owner and an intervention",
                f"{snapshot.at_risk_unowned} of {snapshot.at_risk_count} High/Critical-risk "
                "VIP accounts have no intervention owner or no intervention",
                URGENT,
            )
        )
    reviews = tier1_reviews
    if reviews.total > reviews.done:
        recs.append(
            Recommendation(
                "Complete the Tier-1 quarterly business reviews",
                f"{reviews.total - reviews.done} of {reviews.total} Tier-1 reviews of "
                f"{reviews.period} not done at the end of {month:%B %Y} ({reviews.pct}% "
                "complete)"
                + (f"; {reviews.overdue} past their due date" if reviews.overdue else ""),
                HIGH if reviews.overdue else NORMAL,
            )
        )
    sponsors = snapshot.sponsors
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
    """The report for `month` (its first day), in a fixed number of queries: the two
    months' rollups, the missed tickets listed, the escalation growth and the report
    policy."""
    previous = month_start(month, 1)
    found = rollups.rollups_for([month, previous], now)
    rollup = found[month]
    before = {r.tier: r for r in rollups.tiers_of(found[previous])}
    tiers = [TierMonth(r, before[r.tier]) for r in rollups.tiers_of(rollup) if r.tier in VIP_TIERS]
    policy = ReportPolicy.load()
    windows = quarter_windows(next_month(month), 2)
    rollup_computed_at(now)  # the escalation counts' rollup, computed if it never was
    growth = [q.growth for q in quarterly_counts("type", windows)] + [
        q.growth for q in quarterly_counts("cause", windows) if q.key
    ]
    facts = rollups.facts_of(rollup)
    snapshot = rollups.snapshot_of(rollup)
    report = MonthlyReport(
        month=month,
        tiers=tiers,
        tickets_with_sla=rollup.tickets_with_sla,
        tickets_missed=rollup.tickets_missed,
        missed=missed_sla_tickets(month),
        computed_at=rollup.computed_at,
        stale=rollups.is_stale(rollup, now),
        facts=facts,
        previous_facts=rollups.facts_of(found[previous]),
        snapshot=snapshot,
        snapshot_at=rollup.snapshot_at,
        growth=growth,
        windows=windows,
    )
    report.recommendations = recommend(
        snapshot,
        facts.tier1_reviews,
        month,
        policy.pool_accounts_per_agent,
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
    f, before, snap = r.facts, r.previous_facts, r.snapshot
    end = f"{r.month:%b %Y}"
    ret = f.retention
    retention = Table(
        "retention",
        f"Retention and churn in {end}",
        ["Figure", "Value", "Basis"],
        [
            ["VIP customers when the month began", ret.vip_customers, None],
            ["VIP accounts churned in the month", ret.vip_churned, ret.vip_customers],
            ["VIP ARR churned ($)", _money(ret.vip_churned_arr), ret.vip_churned],
            ["VIP retention (%)", r.vip_retention_pct, ret.vip_customers],
            [
                f"VIP retention in {prev} (%)",
                percent(before.retention.vip_retention, 2),
                before.retention.vip_customers,
            ],
            ["VIP churn (%)", percent(ret.vip_churn, 2), ret.vip_customers],
            ["Retention, all accounts (%)", percent(ret.overall_retention, 2), ret.customers],
        ],
        note="Logo retention over the month: 1 − churned ÷ customers when it began. "
        "Basis: the number of accounts the figure rests on.",
    )
    cadence = Table(
        "cadence",
        f"Reviews and check-ins at the end of {end}",
        ["Task", "Period", "Done", "Scheduled", "Done (%)", "Overdue"],
        [
            [CADENCE_NAMES.get(c.label, c.label), c.period, c.done, c.total, c.pct, c.overdue]
            for c in f.cadence
        ]
        + [
            [
                "Quarterly business review, Tier-1 accounts",
                f.tier1_reviews.period,
                f.tier1_reviews.done,
                f.tier1_reviews.total,
                f.tier1_reviews.pct,
                f.tier1_reviews.overdue,
            ]
        ],
        note="The relationship cadence's tasks of the period holding the month's last day, "
        "as they stood when the month ended (scheduled by then, done by then; overdue: "
        "due by then and not done).",
    )
    revenue = Table(
        "revenue",
        "Satisfaction and revenue",
        ["Figure", "Value", "Basis"],
        [
            [
                f"VIP NPS at the end of {end} (each account's latest result)",
                rounded(f.nps, 1),
                f.nps_accounts,
            ],
            [f"VIP NPS at the end of {prev}", rounded(before.nps, 1), before.nps_accounts],
            ["VIP ARR ($)", _money(snap.vip_arr), None],
            [
                "VIP ARR protected ($): accounts with an escalation resolved this month",
                _money(r.arr_protected),
                r.protected_accounts,
            ],
            ["VIP expansion pipeline ($, open opportunities)", _money(snap.expansion), None],
            ["At-risk VIP accounts (High/Critical)", snap.at_risk_count, None],
        ],
        note="Basis: the number of accounts the figure rests on. ARR, expansion and "
        "at-risk accounts as of the snapshot.",
    )
    at_risk = Table(
        "at-risk",
        "At-risk VIP accounts and their interventions",
        ["Account", "Tier", "Risk", "Level", "Health", "Intervention", "Owner", "CSM"],
        [
            [
                a.name,
                a.tier,
                a.risk_score,
                a.risk_level,
                a.health_score,
                a.intervention,
                a.owner,
                a.csm,
            ]
            for a in snap.at_risk
        ],
        links=[f"/accounts/{a.id}/" for a in snap.at_risk],
        note=f"{snap.at_risk_unowned} of {snap.at_risk_count} have no intervention owner or "
        "no intervention"
        + (
            f"; the {AT_RISK_SHOWN} riskiest are listed"
            if snap.at_risk_count > AT_RISK_SHOWN
            else ""
        ),
    )
    s = snap.sponsors
    sponsors = Table(
        "sponsors",
        "Executive-sponsor coverage",
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
        "Agent pools",
        ["Pool", "Tier", "Members", "Available", "Accounts of the tier", "Accounts per member"],
        [
            [
                p.name,
                p.tier,
                p.members,
                p.available,
                p.accounts_of_tier,
                rounded(p.accounts_per_member, 1),
            ]
            for p in snap.pools
        ],
    )
    growth = Table(
        "escalation-growth",
        "Escalations by type and root-cause category, quarter over quarter",
        ["Type or category", *map(window_label, r.windows), "Change (%)"],
        [[g.label, g.earlier, g.later, rounded(g.pct, 1)] for g in r.growth],
        note="Root cause: the post-mortem's category, else the one recorded on the "
        "escalation; escalations without one are counted under their type only.",
    )
    recommendations = Table(
        "recommendations",
        "Recommendations",
        ["Action", "Reason", "Priority"],
        [[rec.action, rec.reason, rec.priority_label] for rec in r.recommendations],
    )
    return [
        recommendations,
        service,
        missed,
        retention,
        revenue,
        cadence,
        at_risk,
        sponsors,
        pools,
        growth,
    ]
