"""Risk-band workflows (seed 004 step 3), once per crossing of a band's start:

- check-in band (default 60–79): a proactive check-in e-mail draft for the CSM to
  personalise and send (never sent by itself);
- stakeholder room (80–89): the account's internal people (CSM, account manager,
  support leads) are told with a generated brief — history, recent interactions,
  revenue at risk, past escalations, suggested next actions — and an owner is
  assigned (the CSM, else the account manager) if the account has none;
- executive briefing (90+): admins get a briefing — profile, timeline, business
  impact, suggested approach, talking points.

The texts are pure functions of plain data (`BandContext`); `band_workflows` loads
that data for all crossing accounts in a few queries, assigns the owners and returns
the alerts, which the rescore raises in its write-back transaction with the threshold
alerts (accounts/risk_alerts.py, which share the crossing bookkeeping) through one
alert budget (accounts/alert_budget.py): a lead or admin beyond it gets a digest, the
account's CSM and account manager always get theirs."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Case, Count, F, Q, Value, When
from django.db.models.functions import Coalesce

from accounts.alert_budget import Crossing
from accounts.models import Account
from accounts.risk_alerts import account_alert_specs
from accounts.scoring import band_starts, crossed_thresholds
from escalations.models import Escalation
from tickets.models import Ticket
from vipdesk.alerts.models import Alert

RECENT_DAYS = 30
RECENT_SHOWN = 3


@dataclass(frozen=True)
class BandContext:
    name: str
    arr: float
    renewal_date: date | None
    sponsor: str
    factors: list[dict]
    recent_tickets: list[tuple[datetime, str, str]] = field(default_factory=list)
    escalations: int = 0
    open_escalations: int = 0


def band_name(level: int, w) -> str:
    checkin, stakeholder, executive = band_starts(w)
    return {checkin: "check-in", stakeholder: "stakeholder room", executive: "executive"}[level]


def _why(ctx: BandContext) -> str:
    return "; ".join(f["reason"] for f in ctx.factors[:4]) or "no single factor stands out"


def _impact(ctx: BandContext, now: datetime) -> str:
    renewal = (
        f"renewal in {(ctx.renewal_date - now.date()).days} days ({ctx.renewal_date})"
        if ctx.renewal_date
        else "no renewal date on record"
    )
    return f"${ctx.arr:,.0f} ARR at risk, {renewal}"


def _recent(ctx: BandContext) -> str:
    if not ctx.recent_tickets:
        return f"No tickets in the last {RECENT_DAYS} days."
    return "\n".join(
        f"- {at:%d %b} {priority}: {subject}" for at, subject, priority in ctx.recent_tickets
    )


def checkin_draft(ctx: BandContext) -> str:
    topic = ctx.recent_tickets[0][1] if ctx.recent_tickets else "how things are going"
    return (
        "Draft for you to personalise before sending (nothing was sent):\n\n"
        f"Subject: Checking in on {ctx.name}\n\n"
        f"Hi,\n\nI noticed you've had a few support requests recently (“{topic}”). "
        "Could we schedule 15 minutes this week to make sure everything is on track?\n\n"
        f"Why now: {_why(ctx)}."
    )


def stakeholder_brief(ctx: BandContext, owner: str, now: datetime) -> str:
    return (
        f"Owner: {owner}.\n"
        f"History: {ctx.escalations} escalations so far, {ctx.open_escalations} open.\n"
        f"Recent interactions:\n{_recent(ctx)}\n"
        f"Revenue at risk: {_impact(ctx, now)}.\n"
        f"Why: {_why(ctx)}.\n"
        "Suggested next actions: agree an owner for each open issue today; call the "
        "customer's main contact within 48 hours; review the account together in a week."
    )


def executive_briefing(ctx: BandContext, risk: int, now: datetime) -> str:
    sponsor = ctx.sponsor or "no executive sponsor on record"
    return (
        f"Profile: {ctx.name}, executive sponsor {sponsor}.\n"
        f"Timeline:\n{_recent(ctx)}\n"
        f"Business impact: {_impact(ctx, now)}; risk {risk}/100.\n"
        f"Suggested approach: executive-to-executive call this week, led by the sponsor, "
        f"with the CSM's plan for the open issues.\n"
        f"Talking points: acknowledge {_why(ctx)}; the concrete fixes and dates; "
        "what we will do so it does not happen again."
    )


def band_specs(
    account: Account, level: int, risk: int, w, ctx: BandContext, leads, admins, now
) -> list[Crossing]:
    band = band_name(level, w)
    owner_id = account.csm_id or account.account_manager_id
    if band == "check-in":
        recipients, title = [account.csm_id], f"{ctx.name}: check-in e-mail draft (risk {risk})"
        body = checkin_draft(ctx)
    elif band == "stakeholder room":
        recipients = [account.csm_id, account.account_manager_id, *leads]
        title = f"{ctx.name}: stakeholder room opened (risk {risk})"
        owner = "the CSM" if account.csm_id else "the account manager"
        body = stakeholder_brief(ctx, owner if owner_id else "nobody yet", now)
    else:
        recipients, title = list(admins), f"{ctx.name}: executive briefing (risk {risk})"
        body = executive_briefing(ctx, risk, now)
    what = f"reached the {band} band ({level}+)"
    return account_alert_specs(
        account, Alert.Kind.RISK_BAND, level, what, recipients, title, body, now
    )


def band_workflows(
    crossings: list[tuple[int, int, int]], accounts: dict[int, Account], w, leads, admins, now
) -> list[Crossing]:
    """crossings: (account_id, previously alerted level, new risk), as for the threshold
    alerts. Runs each band's workflow once: assigns the stakeholder room's owners here,
    returns the alerts with their drafts and briefs (for the alert budget)."""
    starts = set(band_starts(w))
    todo = [
        (account_id, level, risk)
        for account_id, previously, risk in crossings
        if account_id in accounts
        for level in crossed_thresholds(previously, risk, w)
        if level in starts
    ]
    if not todo:
        return []
    ids = {account_id for account_id, _, _ in todo}
    stakeholder = {a for a, level, _ in todo if band_name(level, w) == "stakeholder room"}
    if stakeholder:  # an owner for the room, if the account has none yet
        Account.objects.filter(pk__in=stakeholder, intervention_owner__isnull=True).update(
            intervention_owner_id=Coalesce("csm_id", "account_manager_id"),
            intervention_status=Case(
                When(intervention_status=Account.Intervention.NONE, then=Value("planned")),
                default=F("intervention_status"),
            ),
        )
    recent: dict[int, list] = {}
    for account_id, at, subject, priority in (
        Ticket.objects.filter(account_id__in=ids, created_at__gte=now - timedelta(RECENT_DAYS))
        .filter(created_at__lt=now)
        .order_by("account_id", "-created_at")
        .values_list("account_id", "created_at", "subject", "customer_priority")
    ):
        if len(recent.setdefault(account_id, [])) < RECENT_SHOWN:
            recent[account_id].append((at, subject, priority))
    history = {
        row["account_id"]: row
        for row in Escalation.objects.filter(account_id__in=ids)
        .values("account_id")
        .annotate(
            total=Count("id"), open=Count("id", filter=~Q(status__in=Escalation.CLOSED_STATUSES))
        )
    }
    out = []
    for account_id, level, risk in todo:
        account = accounts[account_id]
        ctx = BandContext(
            name=account.name,
            arr=float(account.arr),
            renewal_date=account.renewal_date,
            sponsor=account.executive_sponsor,
            factors=account.risk_factors,
            recent_tickets=recent.get(account_id, []),
            escalations=history.get(account_id, {}).get("total", 0),
            open_escalations=history.get(account_id, {}).get("open", 0),
        )
        out += band_specs(account, level, risk, w, ctx, leads, admins, now)
    return out
