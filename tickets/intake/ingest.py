"""Ticket intake, set-based: `write_tickets(items)` is the one write path from
incoming data to tickets, for the inbox drainer (tickets/intake/drain.py: webhook and
API deliveries) and the CSV import. For a whole batch it matches accounts and contacts
(`match_batch`: one query each for contacts, names, domains), loads the existing
tickets locked, applies each delivery in memory, routes the tickets that need it in
memory when given a routing context (tickets/routing/actions.py: decide), then writes:
new tickets in one INSERT (already routed), changed ones in one UPDATE, messages in
one INSERT, and the routing's alerts, tasks and rescore requests in one pass each.
Without a routing context (the CSV import) tickets are left pending for the drainer.

The caller holds whatever makes the keys its own (the drainer: the inbox rows, locked;
the import: its transaction), and runs it inside a transaction.

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

from django.db.models import Q
from django.utils import timezone

from accounts.models import Account, Contact
from accounts.resolve import AccountRefs, AmbiguousAccount, resolve_refs
from tickets.models import Ticket, TicketMessage
from tickets.routing.actions import Context, decide, finish_routing
from vipdesk.lib.bulk import insert_objects, update_rows

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


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower() if "@" in (email or "") else ""


@dataclass
class Item:
    """One ticket's deliveries for a batch: the fields of the newest (`incoming`; None
    when only its comments are new, i.e. a delivery older than one already applied)
    and the comments of all. `ticket_id`: the id reserved for a new ticket."""

    incoming: Incoming
    apply_fields: bool = True
    comments: list[Comment] = field(default_factory=list)
    ticket_id: int | None = None


@dataclass
class Written:
    ticket: Ticket
    created: bool
    changed: bool


@dataclass(frozen=True)
class Matcher:
    """Account and contact matching for a batch: see the module docstring."""

    refs: AccountRefs
    contacts: dict[str, Contact]

    def match(self, incoming: Incoming) -> tuple[int | None, Contact | None]:
        """(account id, contact); AmbiguousAccount when the explicit reference names
        several accounts."""
        email = normalised_email(incoming.requester_email)
        contact = self.contacts.get(email)
        account_id = self.refs.account_id(incoming.account_ref)
        if account_id is None and contact is not None:
            account_id = contact.account_id
        if account_id is None and incoming.organization_name.strip():
            account_id = self.refs.named(incoming.organization_name)
        if account_id is None:
            account_id = self.refs.with_domain(email_domain(email))
        return account_id, contact


def normalised_email(email: str) -> str:
    return (email or "").strip().lower()


def match_batch(incomings: list[Incoming]) -> Matcher:
    emails = {normalised_email(i.requester_email) for i in incomings} - {""}
    contacts: dict[str, Contact] = {}
    for contact in Contact.objects.filter(email__in=emails).order_by("pk"):
        contacts.setdefault(contact.email, contact)
    refs = resolve_refs(
        (i.account_ref for i in incomings if i.account_ref not in (None, "")),
        names=(i.organization_name for i in incomings),
        domains=(email_domain(e) for e in emails),
    )
    return Matcher(refs, contacts)


def comment_id(comment: Comment) -> str:
    if comment.external_id:
        return str(comment.external_id)[:100]
    return "c-" + hashlib.sha256(comment.body.encode()).hexdigest()[:20]


def write_tickets(items: list[Item], ctx: Context | None = None) -> list[Written]:
    """Upsert the tickets of these items (one per (source, external_id)) with their
    messages; route those that need it when `ctx` is given. Items whose explicit
    account reference is ambiguous must have been refused before (AmbiguousAccount)."""
    if not items:
        return []
    now = ctx.now if ctx else timezone.now()
    matcher = match_batch([i.incoming for i in items])
    matches = [matcher.match(i.incoming) for i in items]
    accounts = Account.objects.in_bulk({a for a, _ in matches if a is not None})
    by_source: dict[str, list[str]] = {}
    for item in items:
        by_source.setdefault(item.incoming.source, []).append(key(item.incoming))
    keys = Q()
    for source, external_ids in by_source.items():
        keys |= Q(source=source, external_id__in=external_ids)
    existing = {
        (t.source, t.external_id): t
        for t in Ticket.objects.select_for_update(of=("self",))
        .select_related("account", "contact")
        .filter(keys)
    }
    threads: dict[int, list[TicketMessage]] = {t.pk: [] for t in existing.values()}
    for m in TicketMessage.objects.filter(ticket_id__in=threads).order_by("created_at", "pk"):
        threads[m.ticket_id].append(m)

    written: list[Written] = []
    new_messages: list[TicketMessage] = []
    edited_messages: list[TicketMessage] = []
    updated_fields: set[str] = set()
    to_route: list[tuple[Ticket, list[TicketMessage]]] = []
    for item, (account_id, contact) in zip(items, matches, strict=True):
        incoming = item.incoming
        fields = ticket_fields(incoming, account_id, contact)
        ticket = existing.get((incoming.source, key(incoming)))
        created = ticket is None
        if created:
            ticket = Ticket(
                pk=item.ticket_id,
                source=incoming.source,
                external_id=key(incoming),
                created_at=incoming.created_at,
                **fields,
                **resolved(fields, now),
            )
            thread = [description(ticket, incoming)] if incoming.body else []
            changed, reroute = set(fields), True
        else:
            thread = threads[ticket.pk]
            changed = update(ticket, fields, incoming, now) if item.apply_fields else set()
            reroute = bool(changed & set(ROUTING_INPUTS))
            if "body" in changed:
                edited_messages.extend(edit_description(ticket, thread, incoming))
        if created or "account_id" in changed:
            ticket.account = accounts.get(ticket.account_id)
        if created or "contact_id" in changed:
            ticket.contact = contact
        known = {m.external_id for m in thread}
        for comment in item.comments:
            if comment.body.strip() and comment_id(comment) not in known:
                known.add(comment_id(comment))
                thread.append(new_comment(ticket, comment, now))
                reroute |= comment.author == TicketMessage.Author.CUSTOMER
        fresh = [m for m in thread if m.pk is None]
        new_messages.extend(fresh)
        if reroute and not created:
            ticket.routed, ticket.routing_error = False, ""
            changed |= {"routed", "routing_error"}
        updated_fields |= changed if not created else set()
        if reroute and ctx is not None:
            to_route.append((ticket, thread))
        written.append(Written(ticket, created, bool(changed or fresh)))

    routing = decide(to_route, ctx) if to_route else None
    new = [w.ticket for w in written if w.created]
    insert_objects(Ticket, new)
    updated = [w.ticket for w in written if not w.created and w.changed]
    if routing is not None:
        updated_fields |= routing.fields
        skip = {id(t) for t in updated} | {id(t) for t in new}
        updated += [t for t in routing.changed if id(t) not in skip]
    for ticket in updated:
        ticket.updated_at = now
    if updated and updated_fields:
        update_rows(Ticket, updated, sorted(updated_fields | {"updated_at"}))
    insert_objects(TicketMessage, new_messages)
    if edited_messages:
        update_rows(TicketMessage, edited_messages, ["body", "author_name"])
    if routing is not None:
        finish_routing(routing, ctx)
    return written


def key(incoming: Incoming) -> str:
    return str(incoming.external_id)[:100]


def ticket_fields(incoming: Incoming, account_id: int | None, contact: Contact | None) -> dict:
    """The ticket's stored fields for this delivery (everything but the key)."""
    return {
        "account_id": account_id,
        "contact_id": contact.pk if contact else None,
        "requester_name": incoming.requester_name[:200],
        "requester_email": normalised_email(incoming.requester_email)[:254],
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


def new_comment(ticket: Ticket, comment: Comment, now: datetime) -> TicketMessage:
    return TicketMessage(
        ticket=ticket,
        external_id=comment_id(comment),
        author=comment.author,
        author_name=comment.author_name[:200],
        body=comment.body,
        created_at=comment.created_at or now,
    )


def resolved(fields: dict, now: datetime) -> dict:
    if fields["status"] in (Ticket.Status.SOLVED, Ticket.Status.CLOSED):
        return {"resolved_at": now}
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


def update(ticket: Ticket, fields: dict, incoming: Incoming, now: datetime) -> set[str]:
    """Apply a redelivery to the ticket in memory; the names of the fields it changed."""
    if not incoming.body:
        fields = {k: v for k, v in fields.items() if k != "body"}
    changed = {k for k, v in fields.items() if getattr(ticket, k) != v}
    for k in changed:
        setattr(ticket, k, fields[k])
    if "account_id" in changed:
        ticket.account = None if ticket.account_id is None else ticket.account
    if "status" in changed and ticket.resolved_at is None and not ticket.is_open:
        ticket.resolved_at = now
        changed.add("resolved_at")
    return changed


def edit_description(
    ticket: Ticket, thread: list[TicketMessage], incoming: Incoming
) -> list[TicketMessage]:
    """The description message after the body changed: edited, or new in the thread."""
    for m in thread:
        if m.external_id == "description":
            m.body, m.author_name = incoming.body, incoming.requester_name[:200]
            return [m]
    m = description(ticket, incoming)
    m.created_at = ticket.created_at
    thread.insert(0, m)
    return []


__all__ = ["AmbiguousAccount"]
