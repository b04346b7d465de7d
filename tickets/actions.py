"""Writes with side effects: assignment with warm handoff, first response, attaching
an unmatched ticket to an account, alerts read/acknowledged. Views check access
first, then call these."""

import uuid
from datetime import datetime

from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from accounts.models import Account
from tickets.models import Agent, Queue, Ticket, TicketMessage
from tickets.routing.jobs import request_routing_on_commit

HANDOFF_PREFIX = "vipdesk-handoff-"


class HandoffNoteRequired(Exception):
    """Moving a VIP ticket from one agent to another needs a warm handoff note."""


def _name(user) -> str:
    return user.get_full_name() or user.username


@transaction.atomic
def assign_ticket(
    ticket: Ticket, agent: Agent, *, by, note: str = "", now: datetime | None = None
) -> Ticket:
    """Assign (or re-assign) the ticket. A VIP ticket moving between agents needs a
    note, stored on the thread as an internal handoff message. The row is locked so
    the check sees the assignment it replaces."""
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
        TicketMessage.objects.create(
            ticket=locked,
            external_id=f"{HANDOFF_PREFIX}{uuid.uuid4().hex[:12]}",
            author=TicketMessage.Author.AGENT,
            author_name=f"Handoff by {_name(by)}: {previous} → {agent}",
            body=note,
            created_at=now,
        )
    locked.assigned_agent = agent
    return locked


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
    return updated == 1


def attach_account(ticket: Ticket, account: Account, *, by) -> bool:
    """Give an unmatched ticket its account and send it back to routing.
    False when the ticket left the unmatched queue meanwhile."""
    with transaction.atomic():
        updated = Ticket.objects.filter(pk=ticket.pk, queue=Queue.UNMATCHED).update(
            account=account, routed=False, updated_at=timezone.now()
        )
        if updated:
            request_routing_on_commit()
    return updated == 1
