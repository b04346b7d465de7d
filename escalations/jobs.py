"""The playbook's periodic jobs (every minute, vipdesk/cron.py).

`open_requested_escalations()`: routing (the tickets layer, below this one) does not
open escalations; when the SLA matrix asks for one it records the request on the
ticket (Ticket.escalation_request: severity, summary). This job opens (or joins) the
account's escalation for each requested ticket through the playbook's opening, and
clears the request, so a retry or a second run never opens two.

`run_playbook()`: automatic openings for tickets unresolved past their SLA, automatic
level-ups on imminent breaches, and the guardrail alerts (not acknowledged in time,
Critical customer update late, overdue actions).

Idempotent: the conditional UPDATEs and the alerts' dedupe keys make a second run (or
one catching up after downtime) do nothing twice. The number of queries grows with
what it acts on, never with the open escalations it merely checks."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from escalations import actions, forecast, matrix, sla
from escalations.models import (
    Action,
    Escalation,
    EscalationMatrixLevel,
    PlaybookPolicy,
    SeverityPolicy,
)
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
            if ticket.account is None:
                continue
            _, created = actions.open_for_ticket(
                ticket,
                severity=request["severity"],
                summary=request["summary"],
                source=Escalation.Source.ROUTING,
                now=now,
            )
            opened += created
        Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(escalation_request=None)
    return opened


def alert_past_forecast(now: datetime | None = None) -> int:
    """Every hour (cron): tell each open escalation's owner once when it runs past its
    resolution forecast (escalations/forecast.py, the stored groups: two reads however
    many are open). Returns alerts raised."""
    now = now or timezone.now()
    open_escalations = list(forecast.with_keys(Escalation.objects.open()))
    forecasts = forecast.stored(now)
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
        if (f := forecasts.of(e)) is not None and f.due(e.opened_at) < now
    ]
    return len(raise_alerts(specs, now=now))


def run_playbook(now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    policy = PlaybookPolicy.load()
    return {
        "opened": open_for_late_tickets(policy, now),
        "raised": raise_on_breaches(policy, now),
        "alerts": len(guardrail_alerts(policy, now)),
    }


def open_for_late_tickets(policy: PlaybookPolicy, now: datetime) -> int:
    """Tickets of the policy's tiers still unresolved past their resolution SLA, not yet
    behind an escalation, open one (or join the account's open one of that type)."""
    if not policy.sla_opening_max_tier:
        return 0
    tickets = (
        Ticket.objects.open()
        .filter(
            routed=True,
            tier__lte=policy.sla_opening_max_tier,
            sla_resolution_due__lt=now,
            account__isnull=False,
            escalations__isnull=True,
        )
        .select_related("account")
        .order_by("sla_resolution_due", "id")
    )
    opened = 0
    for ticket in tickets:
        _, created = actions.open_for_ticket(
            ticket,
            severity=policy.sla_opening_severity,
            summary=f"Unresolved past its SLA: {ticket.subject}",
            source=Escalation.Source.SLA,
            now=now,
        )
        opened += created
    return opened


def raise_on_breaches(policy: PlaybookPolicy, now: datetime) -> int:
    """Move each open escalation up one level per imminent (or past) breach, once."""
    policies = {p.severity: p for p in SeverityPolicy.objects.all()}
    paths: dict[str, dict[int, str]] = {}
    for severity, level, owners in EscalationMatrixLevel.objects.values_list(
        "severity", "level", "owners"
    ):
        paths.setdefault(severity, {})[level] = owners
    warning = timedelta(minutes=policy.breach_warning_minutes)
    raised = 0
    for e in Escalation.objects.open().select_related("account").order_by("id"):
        times = sla.live_due_times(e, policies.get(e.severity), now)
        breach = matrix.imminent_breach(
            times.response_due,
            e.status != Escalation.Status.OPEN,
            times.resolution_due,
            e.auto_raised_response_due,
            e.auto_raised_resolution_due,
            warning,
            now,
        )
        if breach is not None:
            raised += actions.auto_raise(e, breach, paths.get(e.severity, {}), now)
    return raised


def guardrail_alerts(policy: PlaybookPolicy, now: datetime) -> list[Alert]:
    """Alert owners (else the account's CSM) about unacknowledged escalations, late
    Critical customer updates and overdue actions; once per escalation and due time."""
    update_minutes = dict(
        SeverityPolicy.objects.filter(customer_update_minutes__isnull=False).values_list(
            "severity", "customer_update_minutes"
        )
    )
    specs = []
    for e in Escalation.objects.open().select_related("account").order_by("id"):
        owner = e.owner_id or e.account.csm_id
        start = sla.clock_start(e)
        ack_due = start + timedelta(minutes=policy.acknowledge_minutes)
        if e.status == Escalation.Status.OPEN and ack_due <= now:
            specs.append(
                _spec(e, owner, f"ack:{start.isoformat()}", "not acknowledged",
                      f"Not acknowledged within {policy.acknowledge_minutes} minutes "
                      f"(due {ack_due:%Y-%m-%d %H:%M} UTC).")
            )  # fmt: skip
        update_due = sla.customer_update_due(e, update_minutes.get(e.severity))
        if update_due is not None and update_due <= now:
            specs.append(
                _spec(e, owner, f"update:{update_due.isoformat()}", "customer update due",
                      f"A {e.get_severity_display()} escalation updates the customer every "
                      f"{update_minutes[e.severity]} minutes; one was due at "
                      f"{update_due:%Y-%m-%d %H:%M} UTC.")
            )  # fmt: skip
    overdue = (
        Action.objects.filter(status=Action.Status.OPEN, due_at__lt=now)
        .exclude(escalation__status__in=Escalation.CLOSED_STATUSES)
        .select_related("escalation__account")
    )
    for action in overdue:
        e = action.escalation
        specs.append(
            _spec(e, action.owner_id or e.owner_id or e.account.csm_id,
                  f"action:{action.pk}:{action.due_at.isoformat()}", "action overdue",
                  f"Overdue since {action.due_at:%Y-%m-%d %H:%M} UTC: {action.description}")
        )  # fmt: skip
    return raise_alerts([s for s in specs if s.user_id is not None], now)


def _spec(e: Escalation, user_id, key: str, title: str, body: str) -> AlertSpec:
    return AlertSpec(
        user_id=user_id,
        kind=Alert.Kind.ESCALATION,
        dedupe_key=f"escalation:{e.pk}:{key}",
        title=f"{e.code} {title}",
        body=body,
        link=f"/escalations/{e.pk}/",
        account_id=e.account_id,
    )
