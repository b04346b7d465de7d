"""Escalation jobs (RQ), run from the job schedule (vipdesk/cron.py).

`open_requested_escalations()`: routing (the tickets layer, below this one) does not
open escalations; when the SLA matrix asks for one it records the request on the
ticket (Ticket.escalation_request: type, severity, summary). Every minute this job
opens an escalation for each requested ticket that is not linked to one yet, and
clears the request, so a retry or a second run never opens two.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from escalations.models import Escalation
from tickets.models import Ticket


def open_requested_escalations(now: datetime | None = None) -> int:
    """Open the escalations routing asked for; returns how many were opened. Tickets
    another run holds are skipped (they are that run's)."""
    now = now or timezone.now()
    opened = 0
    with transaction.atomic():
        tickets = list(
            Ticket.objects.filter(escalation_request__isnull=False)
            .select_related("account")
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("pk")
        )
        for ticket in tickets:
            request = ticket.escalation_request
            if ticket.account is None or Escalation.objects.filter(tickets=ticket).exists():
                continue
            escalation = Escalation.objects.create(
                account=ticket.account,
                type=request["type"],
                severity=request["severity"],
                summary=request["summary"],
                owner_id=ticket.account.csm_id,
                opened_at=now,
            )
            escalation.tickets.add(ticket)
            opened += 1
        Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(escalation_request=None)
    return opened
