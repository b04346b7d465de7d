"""Ticket intake: store first, route after commit.

`ingest(incoming)` is the one write path for the webhook, the API and the CSV
import. It matches the account and contact, upserts the ticket by (source,
external_id) — concurrency-safe: the unique constraint decides, a losing insert
turns into an update of the winner's row — records the description and any new
comment as TicketMessages, and asks for routing (`tickets.routing.jobs.request_routing`)
once the transaction commits when something routing depends on changed.

Matching:
- account: the explicit reference (API: id, domain or name), else the known
  contact's account, else the organization name (case-insensitive), else the
  requester's e-mail domain (AccountDomain);
- contact: by e-mail;
- a requester from an unknown address whose *name* is an executive contact's is
  flagged possible_vip by routing (tickets/routing/actions.py), which alerts the CSM
  ("possible VIP — verify identity"); nothing is upgraded on a name alone.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import Account, Contact
from accounts.resolve import resolve_account
from tickets.models import Ticket, TicketMessage
from tickets.routing.jobs import request_routing_on_commit

ZENDESK_PRIORITIES = {"urgent": "P1", "high": "P2", "normal": "P3", "low": "P4"}
# Timestamps from outside (created_at of tickets and comments) must fall in this range:
# a year-10000 date stored once cannot be read back and stalls every job touching it.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
MAX_AHEAD = timedelta(days=1)


def time_error(value: datetime, now: datetime) -> str | None:
    """Why an outside timestamp (aware) is refused, or None when it is acceptable."""
    if value < EARLIEST:
        return "Must not be before 2000-01-01."
    if value > now + MAX_AHEAD:
        return "Must not be more than a day in the future."
    return None


@dataclass
class Comment:
    body: str
    external_id: str = ""
    author: str = TicketMessage.Author.CUSTOMER
    author_name: str = ""
    created_at: datetime | None = None


@dataclass
class Incoming:
    source: str
    external_id: str
    subject: str
    priority: str  # "P1".."P4"
    created_at: datetime
    body: str = ""
    status: str = Ticket.Status.NEW
    requester_name: str = ""
    requester_email: str = ""
    requester_title: str = ""
    organization_name: str = ""
    account_ref: int | str | None = None
    tags: list = field(default_factory=list)
    comment: Comment | None = None


@dataclass(frozen=True)
class IngestResult:
    ticket_id: int
    created: bool
    reroute: bool


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower() if "@" in (email or "") else ""


def match(incoming: Incoming) -> tuple[Account | None, Contact | None]:
    """(account, contact) for an incoming ticket. AmbiguousAccount when the explicit
    reference names several accounts."""
    email = (incoming.requester_email or "").strip().lower()
    contact = (
        Contact.objects.select_related("account").filter(email=email).first() if email else None
    )
    account = resolve_account(incoming.account_ref)
    if account is None and contact is not None:
        account = contact.account
    organization = incoming.organization_name.strip()
    domain = email_domain(email)
    if account is None and (organization or domain):
        condition = Q(domains__domain=domain) if domain else Q()
        if organization:
            condition |= Q(name__iexact=organization)
        candidates = list(
            Account.objects.filter(condition).annotate(lname=Lower("name")).distinct()[:5]
        )
        # The organization name wins over the e-mail domain.
        by_name = [a for a in candidates if organization and a.lname == organization.lower()]
        account = (by_name or candidates or [None])[0]
    return account, contact


def comment_id(comment: Comment) -> str:
    if comment.external_id:
        return str(comment.external_id)[:100]
    return "c-" + hashlib.sha256(comment.body.encode()).hexdigest()[:20]


def ingest(incoming: Incoming, *, enqueue: bool = True) -> IngestResult:
    account, contact = match(incoming)
    fields = ticket_fields(incoming, account.pk if account else None, contact)
    key = {"source": incoming.source, "external_id": str(incoming.external_id)[:100]}
    created = False
    try:
        # The common case, a new ticket: BEGIN, INSERT, INSERT, COMMIT. The unique
        # constraint on (source, external_id) decides between concurrent deliveries:
        # the loser's INSERT waits for the winner's commit, fails, and updates instead.
        with transaction.atomic():
            ticket = Ticket.objects.create(
                **key, **fields, created_at=incoming.created_at, **resolved(fields)
            )
            if incoming.body:
                description(ticket, incoming).save()
            reroute = created = True
            if incoming.comment is not None and incoming.comment.body.strip():
                _add_comment(ticket, incoming.comment)
            _request_routing(enqueue)
    except IntegrityError:
        pass
    if created:
        return IngestResult(ticket.pk, True, True)
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(**key)
        reroute = _update(ticket, fields, incoming)
        if incoming.comment is not None and incoming.comment.body.strip():
            reroute |= _add_comment(ticket, incoming.comment)
        if reroute:
            ticket.routed, ticket.routing_error = False, ""
            ticket.save(update_fields=["routed", "routing_error", "updated_at"])
            _request_routing(enqueue)
    return IngestResult(ticket.pk, False, reroute)


def _request_routing(enqueue: bool) -> None:
    """Ask for routing once the ticket is committed."""
    if enqueue:
        request_routing_on_commit()


def ticket_fields(incoming: Incoming, account_id: int | None, contact: Contact | None) -> dict:
    """The ticket's stored fields for this delivery (everything but the key)."""
    return {
        "account_id": account_id,
        "contact_id": contact.pk if contact else None,
        "requester_name": incoming.requester_name[:200],
        "requester_email": (incoming.requester_email or "").strip().lower()[:254],
        "requester_title": incoming.requester_title[:200],
        "organization_name": incoming.organization_name[:200],
        "subject": incoming.subject[:500],
        "body": incoming.body,
        "tags": list(incoming.tags or []),
        "customer_priority": incoming.priority,
        "status": incoming.status,
    }


def description(ticket: Ticket, incoming: Incoming) -> TicketMessage:
    return TicketMessage(
        ticket=ticket,
        external_id="description",
        author_name=incoming.requester_name[:200],
        body=incoming.body,
        created_at=incoming.created_at,
    )


def resolved(fields: dict) -> dict:
    if fields["status"] in (Ticket.Status.SOLVED, Ticket.Status.CLOSED):
        return {"resolved_at": timezone.now()}
    return {}


ROUTING_INPUTS = (
    "account_id",
    "contact_id",
    "customer_priority",
    "body",
    "subject",
    "requester_name",
    "requester_title",
)


def _update(ticket: Ticket, fields: dict, incoming: Incoming) -> bool:
    """Apply a redelivery; True when something routing depends on changed."""
    if not incoming.body:
        fields = {k: v for k, v in fields.items() if k != "body"}
    changed = [k for k, v in fields.items() if getattr(ticket, k) != v]
    reroute = any(k in ROUTING_INPUTS for k in changed)
    if "body" in changed:
        TicketMessage.objects.update_or_create(
            ticket=ticket,
            external_id="description",
            defaults={
                "body": incoming.body,
                "author_name": incoming.requester_name[:200],
                "created_at": ticket.created_at,
            },
        )
    if changed:
        for k in changed:
            setattr(ticket, k, fields[k])
        if "status" in changed and ticket.resolved_at is None and not ticket.is_open:
            ticket.resolved_at = timezone.now()
            changed.append("resolved_at")
        ticket.save(update_fields=[*changed, "updated_at"])
    return reroute


def _add_comment(ticket: Ticket, comment: Comment) -> bool:
    external_id = comment_id(comment)
    if TicketMessage.objects.filter(ticket=ticket, external_id=external_id).exists():
        return False
    TicketMessage.objects.create(
        ticket=ticket,
        external_id=external_id,
        author=comment.author,
        author_name=comment.author_name[:200],
        body=comment.body,
        created_at=comment.created_at or timezone.now(),
    )
    return comment.author == TicketMessage.Author.CUSTOMER
