"""Where a ticket goes and how fast it must be answered: a pure rule.

`route(ticket, account, contact, policies, now)` takes plain data (no database)
and returns a RoutingDecision with every reason spelled out in a sentence. The
caller (tickets/routing/actions.py) loads the data, saves the decision and raises the
alerts it lists.

Rules (SPEC "Tiers" and "Routing rules"; every number comes from the policies):

- The SLA row is SlaPolicy[tier × effective priority]; an unmatched ticket uses the
  Standard row but goes to queue `unmatched`.
- Renewal boost: one priority step (never above P1) when a VIP account renews
  within `vip_renewal_boost_days` or any account within `any_renewal_boost_days`,
  counted from the day the ticket was created. A boosted Standard ticket goes to
  queue `priority`.
- Executive contact: handled as Tier 1 P1 (that row's SLA, calendar and queue),
  most senior agent, CSM and account manager alerted, follow-up task; the
  ticket's tier stays the account's own. Executive handling needs a matched
  account: a title typed into an unknown address proves nothing.
- A VIP ticket at P1/P2 alerts the CSM when its SLA row says notify_csm (the
  default matrix does exactly for Tier 1–3 × P1–P2).
- Churn language alerts the CSM with the phrases found.
- A requester whose name matches an executive contact but whose address does
  not is flagged "possible VIP — verify identity" and the CSM is told; nothing
  is upgraded.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from accounts.executives import is_executive_title
from accounts.models import VIP_TIERS, Tier
from tickets.models import is_vip_ticket
from vipdesk.alerts.raising import AlertSpec
from vipdesk.lib.business_hours import BusinessCalendar, add_minutes

PRIORITIES = ("P1", "P2", "P3", "P4")
BUSINESS = "business"
ALWAYS = "24x7"


@dataclass(frozen=True)
class SlaRule:
    tier: int
    priority: str
    first_response_minutes: int
    resolution_minutes: int
    calendar: str
    queue: str
    min_agent_level: int = 1
    min_tenure_months: int = 0
    notify_csm: bool = False
    open_escalation: bool = False

    @classmethod
    def from_policy(cls, p) -> "SlaRule":
        return cls(
            tier=p.tier,
            priority=p.priority,
            first_response_minutes=p.first_response_minutes,
            resolution_minutes=p.resolution_minutes,
            calendar=p.calendar,
            queue=p.queue,
            min_agent_level=p.min_agent_level,
            min_tenure_months=p.min_tenure_months,
            notify_csm=p.notify_csm,
            open_escalation=p.open_escalation,
        )


@dataclass(frozen=True)
class Policies:
    sla: dict[tuple[int, str], SlaRule]
    business_calendar: BusinessCalendar  # the default one
    always_calendar: BusinessCalendar
    # tier -> the business-hours calendar of its pools, where they name one
    tier_calendars: dict[int, BusinessCalendar] = field(default_factory=dict)
    vip_renewal_boost_days: int = 90
    any_renewal_boost_days: int = 60
    vip_share_cap_pct: int = 40
    executive_notify_minutes: int = 5
    executive_follow_up_hours: int = 24
    executive_titles: str = ""
    churn_phrases: tuple = ()

    def calendar(self, name: str, tier: int) -> BusinessCalendar:
        if name == ALWAYS:
            return self.always_calendar
        return self.tier_calendars.get(tier, self.business_calendar)


@dataclass(frozen=True)
class TicketData:
    id: int | None
    customer_priority: str
    created_at: datetime
    subject: str = ""
    requester_name: str = ""
    requester_title: str = ""
    # From tickets/routing/churn.py: [{phrase, kind, weight, ...}]
    churn_signals: tuple = ()
    churn_points: int = 0
    # The account of the executive contact whose name the requester shares, when
    # the requester's address is not that contact's (see intake).
    possible_vip_of: "AccountData | None" = None
    possible_vip_contact: str = ""


@dataclass(frozen=True)
class AccountData:
    id: int
    name: str
    tier: int
    arr: float = 0
    renewal_date: date | None = None
    csm_id: int | None = None
    account_manager_id: int | None = None
    risk_score: int = 0
    risk_level: str = "low"


@dataclass(frozen=True)
class ContactData:
    name: str
    email: str
    title: str = ""
    is_executive: bool = False
    executive_override: bool | None = None


@dataclass(frozen=True)
class EscalationSpec:
    severity: str
    type: str
    summary: str


@dataclass
class RoutingDecision:
    tier: int | None
    effective_priority: str
    queue: str
    sla_first_response_due: datetime
    sla_resolution_due: datetime
    calendar: str
    executive: bool = False
    boosted: bool = False
    possible_vip: bool = False
    sla_tier: int = Tier.STANDARD  # the row of the SLA matrix applied
    required_level: int = 1
    required_tenure_months: int = 0
    needs_tier1_pool: bool = False
    most_senior: bool = False
    alerts: list[AlertSpec] = field(default_factory=list)
    follow_up_due: datetime | None = None
    escalation: EscalationSpec | None = None
    reasons: list[str] = field(default_factory=list)

    @property
    def is_vip(self) -> bool:
        return is_vip_ticket(self.tier, self.executive)


def ticket_alert(
    ticket: TicketData,
    *,
    user_id: int | None,
    kind: str,
    key: str,
    title: str,
    reason: str,
    account_id: int | None,
    respond_within_minutes: int | None = None,
) -> AlertSpec:
    """An alert about this ticket: deduplicated per ticket and `key`, linking to it."""
    return AlertSpec(
        user_id=user_id,
        kind=kind,
        dedupe_key=f"ticket:{ticket.id}:{key}",
        title=title,
        body=f"{reason}\n\n#{ticket.id} {ticket.subject}",
        link=f"/tickets/{ticket.id}/",
        account_id=account_id,
        ticket_id=ticket.id,
        respond_within_minutes=respond_within_minutes,
    )


def money(value) -> str:
    return f"${float(value):,.0f}"


def tier_label(tier: int) -> str:
    return Tier(tier).label


def boost(priority: str) -> str:
    return PRIORITIES[max(PRIORITIES.index(priority) - 1, 0)]


def renewal_boost(
    priority: str, account: AccountData, policies: Policies, today: date
) -> tuple[str, str | None]:
    """(effective priority, reason or None) after the renewal proximity boost."""
    if account.renewal_date is None:
        return priority, None
    days = (account.renewal_date - today).days
    if days < 0:
        return priority, None
    vip = account.tier in VIP_TIERS
    if vip and days <= policies.vip_renewal_boost_days:
        window = f"within {policies.vip_renewal_boost_days} days for VIP"
    elif days <= policies.any_renewal_boost_days:
        window = f"within {policies.any_renewal_boost_days} days"
    else:
        return priority, None
    when = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
    if priority == "P1":
        return priority, f"Renewal {when} ({window}): already P1, no boost"
    boosted = boost(priority)
    return boosted, f"Renewal {when} ({window}): priority boosted {priority} → {boosted}"


def is_executive(ticket: TicketData, contact: ContactData | None, policies: Policies) -> bool:
    if contact is not None and contact.executive_override is not None:
        return contact.executive_override
    if contact is not None and contact.is_executive:
        return True
    titles = policies.executive_titles
    title = ticket.requester_title or (contact.title if contact else "")
    return bool(title) and (
        is_executive_title(title, titles) if titles else is_executive_title(title)
    )


def _fmt(moment: datetime, calendar: BusinessCalendar) -> str:
    return moment.astimezone(calendar.tz).strftime("%a %d %b %H:%M")


def route(
    ticket: TicketData,
    account: AccountData | None,
    contact: ContactData | None,
    policies: Policies,
    now: datetime,
) -> RoutingDecision:
    reasons: list[str] = []
    alerts: list[AlertSpec] = []
    priority = ticket.customer_priority
    created_local = ticket.created_at.astimezone(policies.business_calendar.tz)
    tier = account.tier if account is not None else None
    executive = account is not None and is_executive(ticket, contact, policies)
    boosted = False

    if account is None:
        reasons.append("No account matched the requester's organization or e-mail domain")
        sla_tier, effective = int(Tier.STANDARD), priority
    else:
        reasons.append(f"{tier_label(tier)} — ARR {money(account.arr)}")
        effective, boost_reason = renewal_boost(priority, account, policies, created_local.date())
        boosted = effective != priority
        if boost_reason:
            reasons.append(boost_reason)
        sla_tier = tier

    if executive:
        who = contact.name if contact else ticket.requester_name
        title = (contact.title if contact and contact.title else ticket.requester_title) or ""
        exec_reason = (
            f"Executive contact {who}{f' ({title})' if title else ''}: handled as "
            f"Tier 1 P1 (the account stays {tier_label(tier)})"
        )
        reasons.append(exec_reason)
        sla_tier, effective = int(Tier.STRATEGIC), "P1"

    rule = policies.sla.get((sla_tier, effective)) or policies.sla.get((Tier.STANDARD, effective))
    if rule is None:
        raise ValueError(f"The SLA matrix has no row for {tier_label(sla_tier)} {effective}.")
    calendar = policies.calendar(rule.calendar, rule.tier)
    if account is None:
        queue = "unmatched"
    elif boosted and tier == Tier.STANDARD and not executive:
        queue = "priority"
    else:
        queue = rule.queue

    first_due = add_minutes(ticket.created_at, rule.first_response_minutes, calendar)
    resolution_due = add_minutes(ticket.created_at, rule.resolution_minutes, calendar)
    calendar_label = (
        "24/7"
        if rule.calendar == ALWAYS
        else ", ".join(filter(None, ["business hours", calendar.name]))
    )
    reasons.append(
        f"SLA {tier_label(sla_tier)} {effective}: first response within "
        f"{_duration(rule.first_response_minutes)} ({calendar_label}), due "
        f"{_fmt(first_due, calendar)}; resolution due {_fmt(resolution_due, calendar)}"
    )
    if account is None:
        reasons.append("Queue unmatched: an agent must find the account first")
    elif queue != rule.queue:
        reasons.append(f"Queue {queue}: Standard ticket boosted by the renewal")
    else:
        reasons.append(f"Queue {queue}")

    decision = RoutingDecision(
        tier=tier,
        effective_priority=effective,
        queue=queue,
        sla_first_response_due=first_due,
        sla_resolution_due=resolution_due,
        calendar=rule.calendar,
        executive=executive,
        boosted=boosted,
        sla_tier=sla_tier,
        required_level=rule.min_agent_level,
        required_tenure_months=rule.min_tenure_months,
        needs_tier1_pool=sla_tier == Tier.STRATEGIC and not executive,
        most_senior=executive,
        reasons=reasons,
        alerts=alerts,
    )

    if executive:
        minutes = policies.executive_notify_minutes
        for user_id in (account.csm_id, account.account_manager_id):
            alerts.append(
                ticket_alert(
                    ticket,
                    user_id=user_id,
                    kind="executive_contact",
                    key="executive_contact",
                    title=f"Executive contact at {account.name} filed a ticket",
                    reason=exec_reason,
                    account_id=account.id,
                    respond_within_minutes=minutes,
                )
            )
        decision.follow_up_due = ticket.created_at + timedelta(
            hours=policies.executive_follow_up_hours
        )
        reasons.append(
            f"CSM and account manager alerted, to respond within {minutes} min; follow-up task due "
            f"{_fmt(decision.follow_up_due, policies.always_calendar)} regardless of resolution"
        )
    elif tier in VIP_TIERS and effective in ("P1", "P2") and rule.notify_csm:
        alerts.append(
            ticket_alert(
                ticket,
                user_id=account.csm_id,
                kind="vip_ticket",
                key="vip_p2",
                title=f"{tier_label(tier)} account {account.name} filed a {effective} ticket",
                reason=f"VIP {effective} ticket: CSM alerted at once",
                account_id=account.id,
            )
        )
        reasons.append(f"VIP {effective} ticket: CSM alerted at once")

    if rule.open_escalation and account is not None and not executive:
        severity = "critical" if sla_tier == Tier.STRATEGIC else "high"
        decision.escalation = EscalationSpec(
            severity=severity,
            type="technical",
            summary=f"{tier_label(tier)} {effective} ticket: {ticket.subject}"[:300],
        )
        reasons.append(f"Escalation opened ({severity}): the SLA matrix says so for this cell")

    for signal in ticket.churn_signals:
        reasons.append(f"Phrase '{signal['phrase']}' ({signal['kind']})")
    if ticket.churn_signals and account is not None:
        phrases = sorted({s["phrase"] for s in ticket.churn_signals})
        alerts.append(
            ticket_alert(
                ticket,
                user_id=account.csm_id,
                kind="churn_language",
                key="churn:" + ",".join(phrases),
                title=f"Churn language from {account.name}: " + ", ".join(phrases),
                reason=(
                    f"Phrases: {', '.join(phrases)} ({ticket.churn_points} points); account "
                    f"risk {account.risk_score}/100 ({account.risk_level})"
                ),
                account_id=account.id,
            )
        )
        reasons.append(
            f"Churn language: CSM alerted (account risk {account.risk_score}/100, "
            f"{account.risk_level})"
        )

    if ticket.possible_vip_of is not None and not executive:
        vip_account = ticket.possible_vip_of
        decision.possible_vip = True
        reason = (
            f"possible VIP — verify identity: requester's name matches "
            f"{ticket.possible_vip_contact or ticket.requester_name}, an executive contact at "
            f"{vip_account.name}, but the address does not"
        )
        reasons.append(reason)
        alerts.append(
            ticket_alert(
                ticket,
                user_id=vip_account.csm_id,
                kind="possible_vip",
                key="possible_vip",
                title=f"Possible VIP ({vip_account.name}) — verify identity",
                reason=reason,
                account_id=vip_account.id,
            )
        )

    # Assignment requirements, stated so the agent sees why they got it.
    if executive:
        reasons.append("Agent: the most senior available agent")
    elif decision.needs_tier1_pool:
        reasons.append("Agent: Tier 1 pool (overflow to any available senior agent)")
    elif account is not None and tier in VIP_TIERS:
        need = f"L{rule.min_agent_level}+" if rule.min_agent_level < 3 else "senior"
        if rule.min_tenure_months:
            need += f" with ≥ {rule.min_tenure_months} months tenure"
        reasons.append(f"Agent: {need}")
    return decision


def _duration(minutes: int) -> str:
    if minutes % 1440 == 0 and minutes >= 1440:
        days = minutes // 1440
        return f"{days} day{'s' if days > 1 else ''}"
    if minutes % 60 == 0:
        return f"{minutes // 60} h"
    return f"{minutes} min"
