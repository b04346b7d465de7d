"""Create the follow-up tasks of VIP tickets: load the facts, call the pure rules
(tickets/followups/rules.py), hand the specs to vipdesk/tasks (each key once).

Called right after an agent records a first response or resolves a ticket, and by the
job schedule (tickets/followups/jobs.py) for tickets answered or resolved elsewhere
(the helpdesk's webhook, imports)."""

from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from tickets.calendars import always_calendar, load_business_calendars
from tickets.followups.rules import FollowUpRule, TicketFacts, follow_ups
from tickets.models import AgentPool, FollowUpPolicy, Ticket, TicketMessage, handled_in_q
from vipdesk.tasks.models import Task
from vipdesk.tasks.raising import create_tasks

RESOLUTION_KINDS = [Task.Kind.PERSONAL_CALL, Task.Kind.RESOLUTION_SUMMARY]


def load_rules() -> list[FollowUpRule]:
    return [
        FollowUpRule(p.kind, p.tier, p.due_within_minutes, p.calendar)
        for p in FollowUpPolicy.objects.all()
    ]


def pool_leads(agent_ids: set[int]) -> dict[tuple[int, int], int]:
    """(agent id, tier) -> the lead of the agent's pool for that tier; tier 0 stands for
    any pool of the agent."""
    leads: dict[tuple[int, int], int] = {}
    for agent_id, tier, lead_id in (
        AgentPool.objects.filter(lead__isnull=False, members__in=agent_ids)
        .order_by("tier", "pk")
        .values_list("members", "tier", "lead_id")
    ):
        leads.setdefault((agent_id, tier), lead_id)
        leads.setdefault((agent_id, 0), lead_id)
    return leads


def lead_for(leads: dict[tuple[int, int], int], agent_id: int, tier: int | None) -> int | None:
    """The lead of the agent's pool for the tier, else of any pool of the agent."""
    return leads.get((agent_id, tier)) or leads.get((agent_id, 0))


def _last_agent_messages(ticket_ids: list[int]) -> dict[int, str]:
    # A correlated subquery, not DISTINCT ON: the embedded demo runs on SQLite.
    last = (
        TicketMessage.objects.filter(ticket_id=OuterRef("pk"), author=TicketMessage.Author.AGENT)
        .exclude(external_id__startswith=TicketMessage.HANDOFF_PREFIX)
        .order_by("-created_at", "-pk")
        .values("body")[:1]
    )
    return {
        ticket_id: body
        for ticket_id, body in Ticket.objects.filter(pk__in=ticket_ids)
        .annotate(last_agent_message=Subquery(last))
        .values_list("pk", "last_agent_message")
        if body is not None
    }


def create_follow_ups(tickets: QuerySet, rules: list[FollowUpRule] | None = None) -> int:
    """Create the follow-up tasks these tickets need; returns how many were new."""
    rules = load_rules() if rules is None else rules
    rows = list(tickets.vip().select_related("account", "contact", "assigned_agent__user"))
    if not rows or not rules:
        return 0
    leads = pool_leads({t.assigned_agent_id for t in rows if t.assigned_agent_id})
    resolved = [t.pk for t in rows if t.resolved_at]
    messages = _last_agent_messages(resolved) if resolved else {}
    default_calendar, tier_calendars = load_business_calendars()
    always = always_calendar()
    specs = []
    for t in rows:
        agent = t.assigned_agent
        facts = TicketFacts(
            id=t.pk,
            subject=t.subject,
            body=t.body,
            tier=t.handling_tier,
            account_id=t.account_id,
            account_name=t.account.name if t.account else "",
            csm_id=t.account.csm_id if t.account else None,
            requester_name=t.requester_name or (t.contact.name if t.contact_id else ""),
            first_response_at=t.first_response_at,
            resolved_at=t.resolved_at,
            agent_user_id=agent.user_id if agent else None,
            agent_name=str(agent) if agent else "",
            agent_email=agent.user.email if agent else "",
            lead_id=lead_for(leads, agent.pk, t.handling_tier) if agent else None,
            last_agent_message=messages.get(t.pk, ""),
        )
        business = tier_calendars.get(t.handling_tier, default_calendar)
        specs.extend(follow_ups(facts, rules, business, always))
    return create_tasks(specs)


def tickets_missing_follow_ups(since: datetime, rules: list[FollowUpRule]) -> QuerySet:
    """VIP tickets answered or resolved since `since`, of a tier the rules give such a
    follow-up, that still lack it."""
    check_tiers = {r.tier for r in rules if r.kind == Task.Kind.FOLLOW_UP_CHECK}
    resolution_tiers = {r.tier for r in rules if r.kind in RESOLUTION_KINDS}
    return Ticket.objects.vip().filter(
        handled_in_q(check_tiers)
        & Q(first_response_at__gte=since)
        & ~Exists(Task.objects.filter(ticket=OuterRef("pk"), kind=Task.Kind.FOLLOW_UP_CHECK))
        | handled_in_q(resolution_tiers)
        & Q(resolved_at__gte=since)
        & ~Exists(Task.objects.filter(ticket=OuterRef("pk"), kind__in=RESOLUTION_KINDS))
    )
