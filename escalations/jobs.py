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

from escalations.forecast import forecasts_for
from escalations.models import Escalation
from tickets.models import Ticket
from vipdesk.alerts.models import Alert
from vipdesk.alerts.raising import AlertSpec, raise_alerts


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


def alert_past_forecast(now: datetime | None = None) -> int:
    """Every hour (cron): tell each open escalation's owner once when it runs past its
    resolution forecast (escalations/forecast.py). Returns alerts raised."""
    now = now or timezone.now()
    open_escalations = list(Escalation.objects.open().select_related("account"))
    forecasts = forecasts_for(open_escalations, now)
    specs = [
        AlertSpec(
            user_id=e.owner_id or e.account.csm_id,
            kind=Alert.Kind.ESCALATION,
            dedupe_key=f"escalation:{e.pk}:past-forecast",
            title=f"{e} is running past its resolution forecast",
            body=f"Open for {(now - e.opened_at).days} days; {f.text}.",
            link=f"/escalations/{e.pk}/",
            account_id=e.account_id,
        )
        for e in open_escalations
        if (f := forecasts[e.pk]) is not None and f.due(e.opened_at) < now
    ]
    return len(raise_alerts(specs, now=now))
