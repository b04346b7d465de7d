"""The SLA monitor job (every minute, vipdesk/cron.py): warn, escalate, mark breaches.

Escalating a ticket (once per SLA: on its warning, or on the breach when the warning
was missed) raises its sla_warning_level, alerts the assigned agent and their pool
leads, and alerts the people of the ticket's tier (the group TierPolicy.escalate_to
names)
asking them to respond within TierPolicy.escalate_within_minutes.

Idempotent and lock-free for concurrent runs: candidate rows are locked with
SKIP LOCKED, every state change is a conditional UPDATE, and alerts carry dedupe
keys. The number of queries does not grow with the number of tickets.
"""

from collections import defaultdict
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import TierPolicy
from tickets.models import AgentPool, RoutingPolicy, Ticket
from tickets.sla.rules import (
    BREACH,
    FIRST_RESPONSE,
    WARN,
    SlaEvent,
    clocks_of,
    decide,
    describe,
)
from vipdesk.alerts.models import Alert
from vipdesk.alerts.raising import AlertSpec, raise_alerts

WARNED_FIELD = {FIRST_RESPONSE: "first_response_warned_at", "resolution": "resolution_warned_at"}
BREACHED_FIELD = {
    FIRST_RESPONSE: "first_response_breached_at",
    "resolution": "resolution_breached_at",
}
DUE_FIELD = {FIRST_RESPONSE: "sla_first_response_due", "resolution": "sla_resolution_due"}


def candidates(now: datetime, window: timedelta):
    """Open routed tickets with an SLA to warn about or to mark breached (including every
    breach missed while the scheduler was down)."""
    first = Q(first_response_at__isnull=True, sla_first_response_due__lte=now + window) & (
        Q(first_response_warned_at__isnull=True)
        | Q(first_response_breached_at__isnull=True, sla_first_response_due__lte=now)
    )
    resolution = Q(resolved_at__isnull=True, sla_resolution_due__lte=now + window) & (
        Q(resolution_warned_at__isnull=True)
        | Q(resolution_breached_at__isnull=True, sla_resolution_due__lte=now)
    )
    return Ticket.objects.open().filter(routed=True).filter(first | resolution)


def _leads_by_agent_and_tier() -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    by_agent: dict[int, set[int]] = defaultdict(set)
    by_tier: dict[int, set[int]] = defaultdict(set)
    for lead_id, tier, agent_id in AgentPool.objects.filter(lead__isnull=False).values_list(
        "lead_id", "tier", "members__id"
    ):
        by_tier[tier].add(lead_id)
        if agent_id is not None:
            by_agent[agent_id].add(lead_id)
    return by_agent, by_tier


def tier_escalation_contacts() -> dict[int, tuple[list[int], int | None]]:
    """{tier: (active members of the group TierPolicy.escalate_to names,
    escalate_within_minutes)}, two queries."""
    policies = TierPolicy.objects.exclude(escalate_to="").values_list(
        "tier", "escalate_within_minutes", "escalate_to"
    )
    members: dict[str, list[int]] = defaultdict(list)
    for user_id, group in User.objects.filter(
        is_active=True, groups__name__in=[name for _, _, name in policies]
    ).values_list("pk", "groups__name"):
        members[group].append(user_id)
    return {tier: (members[name], within) for tier, within, name in policies}


def recipients(ticket: Ticket, by_agent, by_tier) -> list[int]:
    """The assigned agent and the lead of their pools (else the leads of the tier's pools)."""
    users = []
    if ticket.assigned_agent_id:
        users.append(ticket.assigned_agent.user_id)
    leads = by_agent.get(ticket.assigned_agent_id) or by_tier.get(ticket.tier) or set()
    users += sorted(leads)
    return list(dict.fromkeys(users))


def monitor_slas(now: datetime | None = None) -> list[SlaEvent]:
    """Job: warn about SLAs about to breach, mark breaches, escalate once per SLA."""
    now = now or timezone.now()
    window = timedelta(minutes=RoutingPolicy.load().sla_warning_minutes)
    with transaction.atomic():
        tickets = {
            t.pk: t
            for t in candidates(now, window)
            .select_related("assigned_agent")
            .select_for_update(skip_locked=True, of=("self",))
        }
        events = decide(
            [c for t in tickets.values() for c in clocks_of(t)],
            now,
            round(window.total_seconds() / 60),
        )
        if not events:
            return []
        for kind in (FIRST_RESPONSE, "resolution"):
            escalate = [e.ticket_id for e in events if e.kind == kind and e.escalate]
            if escalate:
                Ticket.objects.filter(
                    pk__in=escalate, **{f"{WARNED_FIELD[kind]}__isnull": True}
                ).update(
                    **{WARNED_FIELD[kind]: now},
                    sla_warning_level=F("sla_warning_level") + 1,
                )
            breached = [e.ticket_id for e in events if e.kind == kind and e.action == BREACH]
            if breached:
                Ticket.objects.filter(
                    pk__in=breached, **{f"{BREACHED_FIELD[kind]}__isnull": True}
                ).update(**{BREACHED_FIELD[kind]: F(DUE_FIELD[kind])})
        by_agent, by_tier = _leads_by_agent_and_tier()
        escalation_contacts = tier_escalation_contacts()
        specs = []
        for event in events:
            ticket = tickets[event.ticket_id]
            title, body = describe(event, ticket.subject, now)
            kind = Alert.Kind.SLA_WARNING if event.action == WARN else Alert.Kind.SLA_BREACH
            suffix = "warning" if event.action == WARN else "breach"
            specs += [
                AlertSpec(
                    user_id=user_id,
                    kind=kind,
                    dedupe_key=f"ticket:{ticket.pk}:sla:{event.kind}:{suffix}",
                    title=title,
                    body=body,
                    link=f"/tickets/{ticket.pk}/",
                    account_id=ticket.account_id,
                    ticket_id=ticket.pk,
                )
                for user_id in recipients(ticket, by_agent, by_tier)
            ]
            if event.escalate:
                # The tier's escalation contacts (admin: TierPolicy.escalate_to), asked to
                # respond within its escalate_within_minutes.
                people, within = escalation_contacts.get(ticket.handling_tier, ([], None))
                specs += [
                    AlertSpec(
                        user_id=user_id,
                        kind=Alert.Kind.ESCALATION,
                        dedupe_key=f"ticket:{ticket.pk}:sla:{event.kind}:escalated",
                        title=f"Escalated to you: {title}",
                        body=body,
                        link=f"/tickets/{ticket.pk}/",
                        account_id=ticket.account_id,
                        ticket_id=ticket.pk,
                        respond_within_minutes=within,
                    )
                    for user_id in people
                ]
        raise_alerts(specs, now=now)
    return events
