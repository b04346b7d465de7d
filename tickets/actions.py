"""Writes with side effects: assignment with warm handoff, first response, resolving
(with the customer's confirmation), attaching an unmatched ticket to an account.
Views check access first, then call these."""

import uuid
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Case, F, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Account
from tickets.followups.actions import create_follow_ups, lead_for, pool_leads
from tickets.followups.rules import closing_refusal
from tickets.models import (
    AbuseReport,
    Agent,
    Queue,
    Reassignment,
    RoutingPolicy,
    Ticket,
    TicketMessage,
)
from tickets.routing.jobs import request_routing_on_commit
from vipdesk.tasks.models import Task
from vipdesk.tasks.raising import TaskSpec, create_tasks


class HandoffNoteRequired(Exception):
    """Moving a VIP ticket from one agent to another needs a warm handoff note."""


def _name(user) -> str:
    return user.get_full_name() or user.username


@transaction.atomic
def assign_ticket(
    ticket: Ticket, agent: Agent, *, by, note: str = "", now: datetime | None = None
) -> Ticket:
    """Assign (or re-assign) the ticket. A VIP ticket moving between agents needs a
    note, stored on the thread as an internal handoff message and logged as a warm
    Reassignment. The row is locked so the check sees the assignment it replaces."""
    now = now or timezone.now()
    note = (note or "").strip()
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    previous = (
        Agent.objects.select_related("user").get(pk=locked.assigned_agent_id)
        if locked.assigned_agent_id
        else None
    )
    if previous is not None and previous.pk != agent.pk and locked.is_vip and not note:
        raise HandoffNoteRequired
    Ticket.objects.filter(pk=locked.pk).update(assigned_agent=agent, updated_at=now)
    if previous is not None and previous.pk != agent.pk and note:
        message = TicketMessage.objects.create(
            ticket=locked,
            external_id=f"{TicketMessage.HANDOFF_PREFIX}{uuid.uuid4().hex[:12]}",
            author=TicketMessage.Author.AGENT,
            author_name=f"Handoff by {_name(by)}: {previous} → {agent}",
            body=note,
            created_at=now,
        )
        log_reassignment(locked, previous, agent, by=by, handoff_note=message, now=now)
    locked.assigned_agent = agent
    return locked


def log_reassignment(
    ticket: Ticket, previous: Agent | None, agent: Agent | None, *, by, handoff_note=None, now=None
) -> None:
    """Log a VIP ticket moving between agents; without a handoff note it counts as a
    cold transfer on the pools page (e.g. an admin's correction of the assignee)."""
    vip = ticket.is_vip
    if vip and previous is not None and agent is not None and previous.pk != agent.pk:
        Reassignment.objects.create(
            ticket=ticket,
            from_agent=previous,
            to_agent=agent,
            by=by,
            handoff_note=handoff_note,
            at=now or timezone.now(),
        )


def record_first_response(ticket: Ticket, *, by, now: datetime | None = None) -> bool:
    """Set first_response_at once (a conditional UPDATE: a second click or a second
    agent changes nothing). A new ticket becomes open. True if this call recorded it."""
    now = now or timezone.now()
    updated = Ticket.objects.filter(pk=ticket.pk, first_response_at__isnull=True).update(
        first_response_at=now,
        status=Case(
            When(status=Ticket.Status.NEW, then=Value(Ticket.Status.OPEN)),
            default=F("status"),
        ),
        updated_at=now,
    )
    if updated:
        create_follow_ups(Ticket.objects.filter(pk=ticket.pk))
    return updated == 1


class ClosingRefused(Exception):
    """Closing a VIP ticket needs the customer's confirmation or a reason."""


@transaction.atomic
def resolve_ticket(
    ticket: Ticket,
    *,
    by,
    confirmed_by: str = "",
    confirmed_via: str = "",
    reason: str = "",
    now: datetime | None = None,
) -> bool:
    """Resolve an open ticket (a conditional UPDATE) recording how the customer
    confirmed it, and create its follow-up tasks. Raises ClosingRefused (with the
    reason) for a VIP ticket without confirmation or reason; False if it was no
    longer open."""
    refusal = closing_refusal(ticket.is_vip, confirmed_by, confirmed_via, reason)
    if refusal:
        raise ClosingRefused(refusal)
    now = now or timezone.now()
    updated = Ticket.objects.filter(pk=ticket.pk, status__in=Ticket.OPEN_STATUSES).update(
        status=Ticket.Status.SOLVED,
        resolved_at=now,
        first_response_at=Coalesce(F("first_response_at"), Value(now)),
        confirmed_by=confirmed_by.strip(),
        confirmed_via=confirmed_via if confirmed_by.strip() else "",
        closing_reason=reason.strip(),
        updated_at=now,
    )
    if updated:
        create_follow_ups(Ticket.objects.filter(pk=ticket.pk))
    return updated == 1


@transaction.atomic
def report_abuse(ticket: Ticket, *, by, reason: str, now: datetime | None = None) -> AbuseReport:
    """Log an agent's report that the ticket's contact is abusive and ask a manager to
    review it: a review task for the reporter's pool lead (or any lead, once overdue)."""
    now = now or timezone.now()
    report = AbuseReport.objects.create(
        ticket=ticket, contact=ticket.contact, reported_by=by, reason=reason, created_at=now
    )
    agent = Agent.objects.filter(user=by).first()
    reviewer = lead_for(pool_leads({agent.pk}), agent.pk, ticket.tier) if agent else None
    create_tasks(
        [
            TaskSpec(
                kind=Task.Kind.ABUSE_REVIEW,
                key=report.review_key,
                title=f"Review: {_name(by)} reports {ticket.contact.name} as abusive "
                f"(#{ticket.pk})",
                due_at=now + timedelta(hours=RoutingPolicy.load().abuse_review_hours),
                owner_id=reviewer,
                account_id=ticket.account_id,
                ticket_id=ticket.pk,
                link=f"/tickets/{ticket.pk}/",
                draft=reason,
            )
        ],
        now,
    )
    return report


def attach_account(ticket: Ticket, account: Account, *, by) -> bool:
    """Give an unmatched ticket its account and send it back to routing.
    False when the ticket left the unmatched queue meanwhile."""
    with transaction.atomic():
        updated = Ticket.objects.filter(pk=ticket.pk, queue=Queue.UNMATCHED).update(
            account=account, routed=False, routing_error="", updated_at=timezone.now()
        )
        if updated:
            request_routing_on_commit()
    return updated == 1
