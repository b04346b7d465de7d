"""API routes for tickets: the Zendesk webhook and the bearer-token ticket API.

Store-and-ack: both check the request (signature, body, fields), keep the delivery in
the inbox (tickets/intake/inbox.py: one statement) and answer with the ticket's id;
matching and routing happen in the drainer (tickets/intake/drain.py). Until it has run,
GET /tickets/<id> answers from the stored delivery with `routed: false`."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Status
from ninja.security import HttpBearer

from accounts.api import api_tier
from accounts.resolve import AmbiguousAccount, resolve_refs
from tickets.intake import drain, inbox
from tickets.intake import zendesk as webhooks
from tickets.intake.schemas import ErrorOut, IdOut, TicketIn, TicketOut
from tickets.models import ApiToken, InboxDelivery, Ticket
from tickets.routing.jobs import request_routing_on_commit
from vipdesk.lib import inbound

router = Router(tags=["tickets"])
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiTokenAuth(HttpBearer):
    """Authorization: Bearer <token>, checked against ApiToken (SHA-256, not revoked).
    last_used_at is written at most once a minute per token."""

    def authenticate(self, request, token):
        api_token = (
            ApiToken.objects.filter(token_hash=ApiToken.hash(token), revoked_at__isnull=True)
            .only("pk", "last_used_at")
            .first()
        )
        if api_token is None:
            return None
        now = timezone.now()
        if api_token.last_used_at is None or now - api_token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        return api_token


bearer = ApiTokenAuth()


def max_body_bytes() -> int:
    return getattr(settings, "WEBHOOK_MAX_BODY_BYTES", 256 * 1024)


ZENDESK_BODY = {
    "type": "object",
    "required": ["ticket"],
    "properties": {
        "ticket": {
            "type": "object",
            "required": ["id", "subject", "priority"],
            "properties": {
                "id": {"type": ["integer", "string"]},
                "subject": {"type": "string"},
                "description": {"type": "string"},
                "priority": {"type": "string", "enum": ["urgent", "high", "normal", "low"]},
                "status": {
                    "type": "string",
                    "enum": ["new", "open", "pending", "hold", "solved", "closed"],
                },
                "requester": {
                    "type": "object",
                    "properties": {"name": {"type": "string"}, "email": {"type": "string"}},
                },
                "organization": {
                    "type": ["object", "null"],
                    "properties": {"name": {"type": "string"}},
                },
                "created_at": {"type": "string", "format": "date-time"},
                "tags": {"type": "array", "items": {"type": "string"}},
                "comment": {
                    "type": ["object", "string"],
                    "description": "Optional new comment ({id, body, author: {name, role}}); "
                    "also accepted as latest_comment.",
                },
            },
        }
    },
}


@router.post(
    "/webhooks/zendesk",
    auth=None,
    response={200: IdOut, 201: IdOut, 400: ErrorOut, 401: ErrorOut, 413: ErrorOut},
    summary="Zendesk ticket webhook (HMAC-signed)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ZENDESK_BODY}},
        },
        "parameters": [
            {"in": "header", "name": name, "required": True, "schema": {"type": "string"}}
            for name in ("X-Zendesk-Webhook-Signature", "X-Zendesk-Webhook-Signature-Timestamp")
        ],
    },
)
def zendesk_webhook(request: HttpRequest):
    """Body `{"ticket": {...}}`, signed with X-Zendesk-Webhook-Signature(-Timestamp).
    201 with the vipdesk id for a new ticket, 200 for a redelivery (an update)."""
    limit = max_body_bytes()
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return Status(413, {"error": f"Body larger than {limit} bytes."})
    try:
        body = request.body
    except RequestDataTooBig:
        return Status(413, {"error": f"Body larger than {limit} bytes."})
    if len(body) > limit:
        return Status(413, {"error": f"Body larger than {limit} bytes."})
    now = timezone.now()
    error = webhooks.signature_error(
        settings.ZENDESK_WEBHOOK_SECRET,
        request.headers.get("X-Zendesk-Webhook-Signature-Timestamp"),
        request.headers.get("X-Zendesk-Webhook-Signature"),
        body,
        now,
    )
    if error:
        return Status(401, {"error": error})
    try:
        payload = inbound.loads(body)
    except inbound.BadJson as e:
        return Status(400, {"error": str(e), "field": None})
    try:
        incoming = webhooks.parse(payload, now)
    except webhooks.PayloadError as e:
        return Status(400, {"error": e.message, "field": e.field or None})
    sent_at = webhooks.parse_datetime(request.headers["X-Zendesk-Webhook-Signature-Timestamp"])
    return stored(inbox.store(Ticket.Source.ZENDESK, incoming.external_id, payload, sent_at))


@router.post("/tickets", response={200: IdOut, 201: IdOut, 400: ErrorOut})
def create_ticket(request: HttpRequest, payload: TicketIn):
    """Create (201) or update (200) a ticket by `external_id`. `account` is an id, a
    domain or a name; `priority` is P1–P4."""
    if payload.account not in (None, ""):
        # Bad input is refused in the request: a reference naming several accounts.
        try:
            resolve_refs([payload.account]).account_id(payload.account)
        except AmbiguousAccount as error:
            return Status(400, {"error": str(error), "field": "account"})
    now = timezone.now()
    data = payload.model_dump(mode="json")
    data["created_at"] = data["created_at"] or now.isoformat()
    return stored(inbox.store(Ticket.Source.API, payload.external_id, data, now))


def stored(result: inbox.Stored):
    """The answer to a stored delivery: the ticket's id, 201 when it is new. The drain
    is asked for after the answer's transaction (none: autocommit) commits."""
    if result.pending:
        request_routing_on_commit()
    # Answered as is: django-ninja's validation and rendering of this one integer
    # through IdOut (which documents it) cost an ack some 0.2 ms of CPU.
    return JsonResponse({"id": result.ticket_id}, status=201 if result.created else 200)


@router.get("/tickets/{ticket_id}", response=TicketOut)
def get_ticket(request: HttpRequest, ticket_id: int):
    ticket = (
        Ticket.objects.select_related("account", "assigned_agent__user")
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None:
        # Acknowledged, not drained yet: what was delivered, not routed.
        row = get_object_or_404(
            InboxDelivery.objects.exclude(state=InboxDelivery.State.DONE), ticket_id=ticket_id
        )
        return pending_out(row)
    return ticket_out(ticket)


def pending_out(row: InboxDelivery) -> dict:
    newest = max(row.deliveries, key=lambda d: datetime.fromisoformat(d["sent_at"]))
    try:
        incoming = drain.parse(
            row.source, newest["payload"], datetime.fromisoformat(newest["sent_at"])
        )
    except drain.Unreadable:
        raise Http404 from None
    return {
        "id": row.ticket_id,
        "external_id": row.external_id,
        "account": None,
        "tier": None,
        "customer_priority": incoming.priority,
        "effective_priority": None,
        "queue": None,
        "assigned_agent": None,
        "sla_first_response_due": None,
        "sla_resolution_due": None,
        "churn_signals": [],
        "sentiment": None,
        "reasons": [f"Received, waiting to be routed ({row.get_state_display().lower()})"],
        "routed": False,
    }


def ticket_out(ticket: Ticket) -> dict:
    agent = ticket.assigned_agent
    return {
        "id": ticket.pk,
        "external_id": ticket.external_id,
        "account": {"id": ticket.account.pk, "name": ticket.account.name}
        if ticket.account
        else None,
        "tier": api_tier(ticket.tier),
        "customer_priority": ticket.customer_priority,
        "effective_priority": ticket.effective_priority or None,
        "queue": ticket.queue or None,
        "assigned_agent": {
            "id": agent.pk,
            "name": agent.user.get_full_name() or agent.user.username,
        }
        if agent
        else None,
        "sla_first_response_due": ticket.sla_first_response_due,
        "sla_resolution_due": ticket.sla_resolution_due,
        "churn_signals": ticket.churn_signals or [],
        "sentiment": ticket.sentiment,
        "reasons": ticket.routing_reasons or [],
        "routed": ticket.routed,
    }
