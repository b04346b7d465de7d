"""Ticket intake: store first, route after commit.

`ingest(incoming)` is the one write path for the webhook, the API and the CSV
import. It matches the account and contact, upserts the ticket by (source,
external_id) — concurrency-safe: the unique constraint decides, a losing insert
turns into an update of the winner's row — records the description and any new
comment as TicketMessages, and enqueues `tickets.jobs.route_ticket` once the
transaction commits when something routing depends on changed.

Matching:
- account: the explicit reference (API: id, domain or name), else the known
  contact's account, else the organization name (case-insensitive), else the
  requester's e-mail domain (AccountDomain);
- contact: by e-mail;
- a requester from an unknown address whose *name* is an executive contact's is
  flagged possible_vip (routing alerts the CSM: "possible VIP — verify identity");
  nothing is upgraded on a name alone.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Account, AccountDomain, Contact
from tickets.models import Ticket, TicketMessage
from vipdesk.lib.jobs import enqueue_on_commit

ZENDESK_PRIORITIES = {"urgent": "P1", "high": "P2", "normal": "P3", "low": "P4"}


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


def find_account(ref: int | str | None) -> Account | None:
    """An account by id, domain or name (the API's and CSV's `account` field)."""
    if ref is None or str(ref).strip() == "":
        return None
    ref = str(ref).strip()
    if ref.isdigit():
        account = Account.objects.filter(pk=int(ref)).first()
        if account:
            return account
    domain = AccountDomain.objects.select_related("account").filter(domain=ref.lower()).first()
    if domain:
        return domain.account
    return Account.objects.filter(name__iexact=ref).first()


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower() if "@" in (email or "") else ""


def match(incoming: Incoming) -> tuple[Account | None, Contact | None, bool]:
    """(account, contact, possible_vip) for an incoming ticket."""
    email = (incoming.requester_email or "").strip().lower()
    contact = (
        Contact.objects.select_related("account").filter(email=email).first() if email else None
    )
    account = find_account(incoming.account_ref)
    if account is None and contact is not None:
        account = contact.account
    if account is None and incoming.organization_name.strip():
        account = Account.objects.filter(name__iexact=incoming.organization_name.strip()).first()
    if account is None and email_domain(email):
        domain = (
            AccountDomain.objects.select_related("account")
            .filter(domain=email_domain(email))
            .first()
        )
        account = domain.account if domain else None
    possible_vip = (
        contact is None
        and bool(incoming.requester_name.strip())
        and Contact.objects.filter(
            name__iexact=incoming.requester_name.strip(), is_executive=True
        ).exists()
    )
    return account, contact, possible_vip


def comment_id(comment: Comment) -> str:
    if comment.external_id:
        return str(comment.external_id)[:100]
    return "c-" + hashlib.sha256(comment.body.encode()).hexdigest()[:20]


def ingest(incoming: Incoming, *, enqueue: bool = True) -> IngestResult:
    account, contact, possible_vip = match(incoming)
    fields = {
        "account_id": account.pk if account else None,
        "contact_id": contact.pk if contact else None,
        "possible_vip": possible_vip,
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
    key = {"source": incoming.source, "external_id": str(incoming.external_id)[:100]}
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().filter(**key).first()
        created = False
        if ticket is None:
            try:
                with transaction.atomic():
                    ticket = Ticket.objects.create(
                        **key, **fields, created_at=incoming.created_at, **_resolved(fields)
                    )
                created = True
            except IntegrityError:
                # A concurrent delivery inserted it first: update that row instead.
                ticket = Ticket.objects.select_for_update().get(**key)
        if created:
            reroute = True
            if incoming.body:
                TicketMessage.objects.create(
                    ticket=ticket,
                    external_id="description",
                    author_name=incoming.requester_name[:200],
                    body=incoming.body,
                    created_at=incoming.created_at,
                )
        else:
            reroute = _update(ticket, fields, incoming)
        if incoming.comment is not None and incoming.comment.body.strip():
            reroute |= _add_comment(ticket, incoming.comment)
        if reroute:
            if not created:
                ticket.routed = False
                ticket.save(update_fields=["routed", "updated_at"])
            if enqueue:
                from tickets.jobs import route_ticket

                version = int(ticket.updated_at.timestamp() * 1_000_000)
                enqueue_on_commit(
                    route_ticket,
                    ticket.pk,
                    job_id=f"route-ticket-{ticket.pk}-{version}",
                    queue="high",
                )
    return IngestResult(ticket.pk, created, reroute)


def _resolved(fields: dict) -> dict:
    if fields["status"] in (Ticket.Status.SOLVED, Ticket.Status.CLOSED):
        return {"resolved_at": timezone.now()}
    return {}


ROUTING_INPUTS = (
    "account_id",
    "contact_id",
    "possible_vip",
    "customer_priority",
    "body",
    "subject",
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
