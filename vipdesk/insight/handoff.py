"""The account 360 page's data: everything a CSM needs before a call, in a fixed number
of queries whatever the account's size (contacts, recent tickets, ticket counts, notes,
open escalations, score history, verdicts, tier bands, score thresholds)."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Sum

from accounts.models import Account, RiskFlagFeedback, ScoreSnapshot, ScoreWeights
from accounts.tiering import current_bands, tier_for
from escalations.models import Escalation, Severity
from tickets.models import Ticket
from vipdesk.insight.board import top_factors
from vipdesk.insight.recommendations import AccountSignals, Recommendation, Thresholds, recommend

HISTORY_DAYS = 180
RECENT_TICKETS = 20
NOTES_SHOWN = 50
VERDICTS_SHOWN = 5


@dataclass
class Handoff:
    contacts: list
    tickets: list
    status_counts: list[tuple[str, int]]
    ticket_total: int
    open_tickets: int
    csat_avg: float | None
    notes: list
    escalations: list
    feedback: list
    snapshots: list[tuple]
    weekly_active_users: list
    tier_reason: str
    days_to_renewal: int | None
    factors: list[dict]
    recommendations: list[Recommendation]


def _recent_tickets(account: Account) -> list[Ticket]:
    tickets = list(
        Ticket.objects.filter(account=account)
        .select_related("assigned_agent__user")
        .only(
            "id",
            "subject",
            "status",
            "customer_priority",
            "effective_priority",
            "created_at",
            "first_response_at",
            "resolved_at",
            "csat",
            "assigned_agent__id",
            "assigned_agent__user__username",
            "assigned_agent__user__first_name",
            "assigned_agent__user__last_name",
        )
        .order_by("-created_at", "-id")[:RECENT_TICKETS]
    )
    for ticket in tickets:
        ticket.resolution_hours = (
            (ticket.resolved_at - ticket.created_at).total_seconds() / 3600
            if ticket.resolved_at
            else None
        )
    return tickets


def load_handoff(account: Account, today: date) -> Handoff:
    contacts = list(account.contacts.all())
    by_status = {
        r["status"]: r
        for r in Ticket.objects.filter(account=account)
        .order_by()
        .values("status")
        .annotate(n=Count("id"), csat_sum=Sum("csat"), csat_n=Count("csat"))
    }
    csat_n = sum(r["csat_n"] for r in by_status.values())
    open_tickets = sum(by_status[s]["n"] for s in Ticket.OPEN_STATUSES if s in by_status)
    escalations = list(
        Escalation.objects.open()
        .filter(account=account)
        .select_related("owner")
        .order_by("-opened_at")
    )
    days_to_renewal = (account.renewal_date - today).days if account.renewal_date else None
    signals = AccountSignals(
        tier=account.tier,
        risk_score=account.risk_score,
        risk_level=account.risk_level,
        factors=account.risk_factors,
        health_score=account.health_score,
        days_to_renewal=days_to_renewal,
        open_escalations=len(escalations),
        critical_escalations=sum(1 for e in escalations if e.severity == Severity.CRITICAL),
        executive_contacts=sum(1 for c in contacts if c.is_executive),
        has_champion=any(c.is_champion for c in contacts),
        executive_sponsor=account.executive_sponsor,
        nps=account.nps,
        previous_nps=account.previous_nps,
        usage_trend_pct=account.usage_trend_pct,
        expansion_opportunity=account.expansion_opportunity,
        open_tickets=open_tickets,
    )
    bands = current_bands()
    return Handoff(
        contacts=contacts,
        tickets=_recent_tickets(account),
        status_counts=[
            (label, by_status[value]["n"])
            for value, label in Ticket.Status.choices
            if value in by_status
        ],
        ticket_total=sum(r["n"] for r in by_status.values()),
        open_tickets=open_tickets,
        csat_avg=sum(r["csat_sum"] or 0 for r in by_status.values()) / csat_n if csat_n else None,
        notes=list(
            account.notes.select_related("author").order_by("-created_at", "-id")[:NOTES_SHOWN]
        ),
        escalations=escalations,
        feedback=list(
            RiskFlagFeedback.objects.filter(account=account)
            .select_related("user")
            .order_by("-created_at", "-id")[:VERDICTS_SHOWN]
        ),
        snapshots=list(
            ScoreSnapshot.objects.filter(
                account=account, day__gte=today - timedelta(days=HISTORY_DAYS)
            )
            .order_by("day")
            .values_list("day", "health_score", "risk_score")
        ),
        weekly_active_users=[
            v for v in account.weekly_active_users or [] if isinstance(v, int | float)
        ],
        tier_reason=tier_for(
            account.arr, account.strategic, account.executive_review, bands
        ).reason,
        days_to_renewal=days_to_renewal,
        factors=top_factors(account.risk_factors, n=100),
        recommendations=recommend(signals, Thresholds.from_weights(ScoreWeights.load())),
    )
