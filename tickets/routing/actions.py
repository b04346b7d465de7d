"""Routing with its side effects, a batch at a time: `decide` calls the pure rules
(tickets/routing/rules.py, churn.py, assignment.py) for each ticket in memory,
`finish_routing` raises the alerts (one raise_alerts per batch, one delivery job),
creates the follow-up tasks and asks for the accounts' rescore. Two callers, one
definition: the inbox drainer routes new deliveries before their tickets are even
written (tickets/intake/ingest.py: write_tickets), and `route_tickets` routes stored
tickets pending routing (a re-route asked for by a person, the sweep).

Routing never opens an escalation itself: escalations sit a layer above tickets.
When the SLA matrix asks for one, the decision's request is saved on the ticket
(Ticket.escalation_request) and escalations/jobs.py opens it on the job schedule.
Likewise the accounts of routed tickets are asked to be rescored
(Account.objects.request_rescore), and scoring picks them up.

Idempotent: routing a ticket again with unchanged inputs writes nothing new (the
row is only updated when a derived value changed; alerts dedupe by
f"ticket:{id}:{key}"; the follow-up task's key is used once).
"""

import logging
import time
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import DataError, transaction
from django.db.models import Exists, OuterRef
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import Account, Contact
from tickets.calendars import always_calendar, load_business_calendars
from tickets.models import (
    Agent,
    AgentPool,
    ChurnPhrase,
    PtoPeriod,
    RoutingPolicy,
    SlaPolicy,
    Ticket,
    TicketMessage,
    customer_message_stats,
)
from tickets.routing import assignment, churn
from tickets.routing.rules import (
    AccountData,
    ContactData,
    Policies,
    RoutingDecision,
    SlaRule,
    TicketData,
    route,
)
from tickets.staffing.capacity import OpenLoad, open_loads
from vipdesk.alerts.raising import AlertSpec, raise_alerts
from vipdesk.lib.bulk import update_rows
from vipdesk.tasks.models import Task
from vipdesk.tasks.raising import TaskSpec, create_tasks

logger = logging.getLogger(__name__)


def load_policies() -> Policies:
    """Every policy routing needs, in a handful of queries (load once per batch)."""
    rp = RoutingPolicy.load()
    default_calendar, tier_calendars = load_business_calendars()
    phrases = tuple(
        churn.Phrase(p.phrase, p.kind, p.weight) for p in ChurnPhrase.objects.filter(active=True)
    )
    return Policies(
        sla={(r.tier, r.priority): SlaRule.from_policy(r) for r in SlaPolicy.objects.all()},
        business_calendar=default_calendar,
        always_calendar=always_calendar(),
        tier_calendars=tier_calendars,
        vip_renewal_boost_days=rp.vip_renewal_boost_days,
        any_renewal_boost_days=rp.any_renewal_boost_days,
        vip_share_cap_pct=rp.vip_share_cap_pct,
        executive_notify_minutes=rp.executive_notify_minutes,
        executive_follow_up_hours=rp.executive_follow_up_hours,
        executive_titles=rp.executive_titles,
        churn_phrases=phrases,
    )


def account_data(account: Account | None) -> AccountData | None:
    if account is None:
        return None
    return AccountData(
        id=account.pk,
        name=account.name,
        tier=account.tier,
        arr=float(account.arr),
        renewal_date=account.renewal_date,
        csm_id=account.csm_id,
        account_manager_id=account.account_manager_id,
        risk_score=account.risk_score,
        risk_level=account.risk_level,
    )


def contact_data(contact: Contact | None) -> ContactData | None:
    if contact is None:
        return None
    return ContactData(
        name=contact.name,
        email=contact.email,
        title=contact.title,
        is_executive=contact.is_executive,
        executive_override=contact.executive_override,
    )


def load_candidates(today: date) -> list[assignment.AgentCandidate]:
    """Every agent with pools, PTO today and open/VIP load (capacity.open_loads, the
    pools page's figures): three queries."""
    loads = open_loads()
    agents = (
        Agent.objects.select_related("user")
        .annotate(
            on_pto=Exists(
                PtoPeriod.objects.filter(agent=OuterRef("pk"), starts__lte=today, ends__gte=today)
            ),
        )
        .order_by("pk")
    )
    pools: dict[int, set[int]] = {}
    for agent_id, tier in AgentPool.members.through.objects.values_list(
        "agent_id", "agentpool__tier"
    ):
        pools.setdefault(agent_id, set()).add(tier)
    return [
        assignment.AgentCandidate(
            id=a.pk,
            name=a.user.get_full_name() or a.user.username,
            level=a.level,
            tenure_start=a.tenure_start,
            pool_tiers=frozenset(pools.get(a.pk, ())),
            on_pto=a.on_pto,
            on_shift=a.on_shift,
            open_load=loads.get(a.pk, OpenLoad()).total,
            vip_load=loads.get(a.pk, OpenLoad()).vip,
            capacity=a.capacity,
            vip_share_cap_pct=a.vip_share_cap_pct,
        )
        for a in agents
    ]


def churn_text(ticket: Ticket, messages: list[TicketMessage]) -> str:
    """What the customer wrote: their messages (the description is the first), else the body."""
    customer = [m.body for m in messages if m.author == TicketMessage.Author.CUSTOMER]
    return "\n\n".join([ticket.subject, *(customer or [ticket.body])])


def requester_key(ticket: Ticket) -> str:
    return " ".join(ticket.requester_name.split()).lower()


def executives_named(tickets: list[Ticket]) -> dict[str, Contact]:
    """Executive contacts sharing a name with the requester of a ticket whose address
    matched no contact (one query for a batch): possible VIPs to verify."""
    names = {requester_key(t) for t in tickets if t.contact_id is None and requester_key(t)}
    found: dict[str, Contact] = {}
    if names:
        for contact in (
            Contact.objects.select_related("account")
            .annotate(lname=Lower("name"))
            .filter(lname__in=names, is_executive=True)
            .order_by("pk")
        ):
            found.setdefault(contact.lname, contact)
    return found


@dataclass
class Context:
    policies: Policies
    candidates: list[assignment.AgentCandidate]
    now: datetime
    today: date


def make_context(now: datetime | None = None, policies: Policies | None = None) -> Context:
    now = now or timezone.now()
    today = now.astimezone(ZoneInfo(settings.TIME_ZONE)).date()
    return Context(policies or load_policies(), load_candidates(today), now, today)


class Contexts:
    """A drainer's routing context across its batches: the policies loaded once, the
    agents' open loads read again every `refresh_seconds` (the query costs ~0.6 s of
    PostgreSQL at 2M tickets; other drainers and people assign too) and the drainer's
    own assignments counted in between."""

    def __init__(self, policies: Policies | None = None, refresh_seconds: float = 15):
        self.policies, self.refresh_seconds = policies, refresh_seconds
        self.ctx: Context | None = None
        self.loaded = 0.0

    def get(self) -> Context:
        now = timezone.now()
        if self.ctx is None or time.monotonic() - self.loaded > self.refresh_seconds:
            self.policies = self.policies or load_policies()
            self.ctx, self.loaded = make_context(now, self.policies), time.monotonic()
        else:
            self.ctx.now = now
        return self.ctx

    def void(self) -> None:
        """The assignments counted since the last read were rolled back."""
        self.ctx = None


def route_tickets(
    ticket_ids, ctx: Context | None = None, skip_locked: bool = False, pending_only: bool = False
) -> int:
    """Route these stored tickets in one transaction, their rows locked; returns how
    many were routed. skip_locked: leave tickets another job is routing right now to
    that job.

    A ticket routing fails on is marked failed with the reason (Ticket.routing_error,
    listed in the admin and counted on /healthz) and the others go on. A batch the
    database cannot even load (a row it cannot hand back, e.g. a date past year 9999
    stored before intake bounded them) is routed again one ticket at a time.
    pending_only: leave out tickets routed meanwhile (by another drainer)."""
    ids = list(ticket_ids)
    ctx = ctx or make_context()
    try:
        return _route_batch(ids, ctx, skip_locked, pending_only)
    except DataError as error:
        if len(ids) == 1:
            mark_routing_failed(ids[0], error)
            return 0
        logger.warning("routing a batch of %s tickets failed: one at a time", len(ids))
        ctx = make_context(ctx.now, ctx.policies)  # the failed batch's assignments are void
        return sum(route_tickets([pk], ctx, skip_locked, pending_only) for pk in ids)


def failure_reason(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:1000]


def mark_routing_failed(ticket_id: int, error: Exception) -> None:
    logger.error("routing ticket %s failed: %s", ticket_id, error)
    Ticket.objects.filter(pk=ticket_id).update(routing_error=failure_reason(error))


def _route_batch(ids: list[int], ctx: Context, skip_locked: bool, pending_only: bool) -> int:
    tickets = Ticket.objects.pending_routing() if pending_only else Ticket.objects.all()
    with transaction.atomic():
        tickets = list(
            tickets.select_for_update(of=("self",), skip_locked=skip_locked)
            .select_related("account", "contact")
            .filter(pk__in=ids)
            .order_by("pk")
        )
        if not tickets:
            return 0
        threads: dict[int, list[TicketMessage]] = {t.pk: [] for t in tickets}
        for m in TicketMessage.objects.filter(ticket__in=tickets).order_by("created_at", "pk"):
            threads[m.ticket_id].append(m)
        routing = decide([(t, threads[t.pk]) for t in tickets], ctx)
        for ticket in routing.changed:
            ticket.updated_at = ctx.now
        if routing.changed:
            update_rows(Ticket, routing.changed, sorted(routing.fields | {"updated_at"}))
        finish_routing(routing, ctx)
    return routing.routed


@dataclass
class Routing:
    """What routing a batch decided, applied to the Ticket objects in memory: the
    tickets whose row must change (`fields`: the union of their changed columns), and
    the side effects to write once for the batch."""

    changed: list[Ticket] = field(default_factory=list)
    fields: set[str] = field(default_factory=set)
    alerts: list[AlertSpec] = field(default_factory=list)
    tasks: list[TaskSpec] = field(default_factory=list)
    accounts: set[int] = field(default_factory=set)
    routed: int = 0


def decide(batch: list[tuple[Ticket, list[TicketMessage]]], ctx: Context) -> Routing:
    """Route each ticket (given with its messages, oldest first) in memory: the pure
    rules, one agent choice after the other on the batch's candidates. No database
    access but one query for possible VIPs; the caller writes (finish_routing for the
    side effects). A ticket the rules fail on gets routing_error and stays unrouted."""
    routing = Routing()
    executives = executives_named([t for t, _ in batch])
    for ticket, messages in batch:
        vip = executives.get(requester_key(ticket)) if ticket.contact_id is None else None
        try:
            # One bad ticket (say, a cell deleted from the SLA matrix) must not hold up
            # the batch.
            decision, changed = route_one(ticket, messages, ctx, vip)
        except Exception as error:  # noqa: BLE001 - recorded on the ticket
            logger.error("routing ticket %s failed: %s", ticket.pk, error)
            changed = {"routing_error": failure_reason(error)}
            decision = None
        for k, v in changed.items():
            setattr(ticket, k, v)
        if changed:
            routing.changed.append(ticket)
            routing.fields |= set(changed)
        if decision is None:
            continue
        routing.routed += 1
        routing.alerts.extend(decision.alerts)
        routing.tasks.extend(follow_up(ticket, decision))
        if ticket.account_id:
            routing.accounts.add(ticket.account_id)
    return routing


def finish_routing(routing: Routing, ctx: Context) -> None:
    """The batch's side effects, once the tickets are written: alerts in one
    raise_alerts, follow-up tasks in one create_tasks, the accounts' rescore requests
    (a routed ticket changes its account's risk: churn language, frequency…)."""
    raise_alerts(routing.alerts, now=ctx.now)
    create_tasks(routing.tasks, now=ctx.now)
    if routing.accounts:
        Account.objects.filter(pk__in=routing.accounts).request_rescore()


def route_one(
    ticket: Ticket,
    messages: list[TicketMessage],
    ctx: Context,
    vip_contact: Contact | None,
) -> tuple[RoutingDecision, dict]:
    """The decision for one ticket and the ticket's fields it changes (not applied)."""
    found = churn.detect(churn_text(ticket, messages), list(ctx.policies.churn_phrases))
    data = TicketData(
        id=ticket.pk,
        customer_priority=ticket.customer_priority,
        created_at=ticket.created_at,
        subject=ticket.subject,
        requester_name=ticket.requester_name,
        requester_title=ticket.requester_title,
        churn_signals=tuple(found.signals),
        churn_points=found.points,
        possible_vip_of=account_data(vip_contact.account) if vip_contact else None,
        possible_vip_contact=vip_contact.name if vip_contact else "",
    )
    decision = route(
        data, account_data(ticket.account), contact_data(ticket.contact), ctx.policies, ctx.now
    )

    reasons = list(decision.reasons)
    agent_id = ticket.assigned_agent_id
    if agent_id is None and ticket.is_open:
        choice = assignment.choose_agent(
            decision, ctx.candidates, ctx.policies.vip_share_cap_pct, ctx.today
        )
        agent_id = choice.agent_id
        if agent_id is not None:
            ctx.candidates = assignment.with_assignment(ctx.candidates, agent_id, decision.is_vip)
        reasons.append(choice.reason)
    elif agent_id is not None:
        previous = [r for r in ticket.routing_reasons if r.startswith("Assigned to")]
        reasons.append(previous[-1] if previous else "Assigned by hand")

    values = {
        "tier": decision.tier,
        "effective_priority": decision.effective_priority,
        "queue": decision.queue,
        "executive_contact": decision.executive,
        "possible_vip": decision.possible_vip,
        "sla_first_response_due": decision.sla_first_response_due,
        "sla_resolution_due": decision.sla_resolution_due,
        "churn_signals": found.signals,
        "churn_points": min(found.points, 32767),
        "sentiment": found.sentiment,
        "routing_reasons": reasons,
        "escalation_request": (
            asdict(decision.escalation)
            if decision.escalation is not None and ticket.account_id
            else None
        ),
        "assigned_agent_id": agent_id,
        "routed": True,
        "routing_error": "",
        **customer_message_stats((m.author, m.body, m.created_at) for m in messages),
    }
    changed = {k: v for k, v in values.items() if getattr(ticket, k) != v}
    if changed and (not ticket.routed or ticket.routed_at is None):
        changed["routed_at"] = ctx.now
    return decision, changed


def follow_up(ticket: Ticket, decision: RoutingDecision) -> list[TaskSpec]:
    """The decision's follow-up task (created at most once per ticket: its key)."""
    if decision.follow_up_due is None:
        return []
    return [
        TaskSpec(
            kind=Task.Kind.EXECUTIVE_FOLLOW_UP,
            key=f"ticket:{ticket.pk}:{Task.Kind.EXECUTIVE_FOLLOW_UP}",
            title=f"Follow up with {ticket.requester_name or 'the executive contact'} "
            f"(#{ticket.pk} {ticket.subject})",
            due_at=decision.follow_up_due,
            owner_id=ticket.account.csm_id if ticket.account else None,
            account_id=ticket.account_id,
            ticket_id=ticket.pk,
            link=f"/tickets/{ticket.pk}/",
        )
    ]
