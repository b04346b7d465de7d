"""The escalation API (bearer token), exactly as SPEC's integration contract says:
POST /escalations (201 new, 200 the account's open one of that type with the tickets
linked), GET /escalations/<id>, POST /escalations/<id>/transition (409 {"error",
"reason"} for every refused move, nothing changed)."""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from pydantic import Field

from accounts.resolve import AmbiguousAccount, resolve_account
from escalations import actions, lifecycle, sla
from escalations.models import Escalation, EscalationMatrixLevel, Severity, SeverityPolicy
from tickets.intake.api import bearer
from tickets.intake.schemas import AccountRef, ErrorOut
from tickets.models import Ticket

router = Router(tags=["escalations"])


class EscalationIn(Schema):
    account: int | str
    type: Escalation.Type
    severity: Severity
    summary: str = Field(min_length=1, max_length=300)
    ticket_ids: list[int] = []
    customer_statement: str = ""


class TransitionIn(Schema):
    to: Literal["acknowledged", "in_progress", "resolved", "closed", "reopened"]
    note: str = ""
    confirmed: bool = Field(False, description="Closing: the customer confirmed the resolution.")


class CreatedOut(Schema):
    id: int
    code: str


class RefusedOut(Schema):
    error: str
    reason: str


class EventOut(Schema):
    at: datetime
    kind: str
    text: str


class EscalationOut(Schema):
    id: int
    code: str
    account: AccountRef
    type: str
    severity: str
    status: str
    level: int
    level_owners: str
    opened_at: datetime
    response_due: datetime | None
    resolution_due: datetime | None
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    reopen_count: int
    ticket_ids: list[int]
    post_mortem: str
    timeline: list[EventOut]


def _refused(error: str, reason: str):
    return Status(409, {"error": error, "reason": reason})


@router.post(
    "/escalations", auth=bearer, response={200: CreatedOut, 201: CreatedOut, 422: ErrorOut}
)
def create_escalation(request: HttpRequest, payload: EscalationIn):
    """Open an escalation (201), or return the account's open one of that type with
    the tickets linked (200). `account` is an id, a domain or a name."""
    try:
        account = resolve_account(payload.account)
    except AmbiguousAccount as error:
        return Status(422, {"error": str(error), "field": "account"})
    if account is None:
        return Status(
            422, {"error": f"No account matches “{payload.account}”.", "field": "account"}
        )
    ids = sorted(set(payload.ticket_ids))
    tickets = list(Ticket.objects.filter(pk__in=ids, account=account).order_by("id"))
    missing = sorted(set(ids) - {t.pk for t in tickets})
    if missing:
        return Status(
            422,
            {
                "error": f"No ticket of {account.name} with id {', '.join(map(str, missing))}.",
                "field": "ticket_ids",
            },
        )
    escalation, created = actions.open_escalation(
        account,
        type=payload.type,
        severity=payload.severity,
        summary=payload.summary.strip(),
        source=Escalation.Source.API,
        tickets=tickets,
        customer_statement=payload.customer_statement,
    )
    return Status(201 if created else 200, {"id": escalation.pk, "code": escalation.code})


@router.get("/escalations/{escalation_id}", auth=bearer, response=EscalationOut)
def get_escalation(request: HttpRequest, escalation_id: int):
    return escalation_out(_load(escalation_id))


@router.post(
    "/escalations/{escalation_id}/transition",
    auth=bearer,
    response={200: EscalationOut, 409: RefusedOut},
)
def transition_escalation(request: HttpRequest, escalation_id: int, payload: TransitionIn):
    """Move along the lifecycle; a move the lifecycle or a guardrail forbids is a 409
    with the reason, and nothing changes."""
    escalation = _load(escalation_id)
    try:
        actions.transition(
            escalation,
            payload.to,
            note=payload.note,
            confirmed=payload.confirmed,
            via=f"API token “{request.auth.name}”",
        )
    except actions.Refused as refused:
        verb = lifecycle.TARGET_LABELS.get(payload.to, payload.to)
        return _refused(f"Cannot {verb} {escalation.code}.", str(refused))
    return escalation_out(_load(escalation_id))


def _load(escalation_id: int) -> Escalation:
    return get_object_or_404(
        Escalation.objects.select_related("account", "post_mortem"), pk=escalation_id
    )


def escalation_out(e: Escalation) -> dict:
    times = sla.live_due_times(
        e, SeverityPolicy.objects.filter(severity=e.severity).first(), sla.clock_start(e)
    )
    owners = (
        EscalationMatrixLevel.objects.filter(severity=e.severity, level=e.level)
        .values_list("owners", flat=True)
        .first()
    )
    post_mortem = getattr(e, "post_mortem", None)
    return {
        "id": e.pk,
        "code": e.code,
        "account": {"id": e.account.pk, "name": e.account.name},
        "type": e.type,
        "severity": e.severity,
        "status": e.status,
        "level": e.level,
        "level_owners": owners or "",
        "opened_at": e.opened_at,
        "response_due": times.response_due,
        "resolution_due": times.resolution_due,
        "acknowledged_at": e.acknowledged_at,
        "resolved_at": e.resolved_at,
        "closed_at": e.closed_at,
        "reopen_count": e.reopen_count,
        "ticket_ids": sorted(e.tickets.values_list("pk", flat=True)),
        "post_mortem": post_mortem.status if post_mortem else "missing",
        "timeline": list(e.events.values("at", "kind", "text")),
    }
