"""Store-and-ack: the webhook and the API keep each delivery as it came, in one
statement, and answer; the drainer (tickets/intake/drain.py) does the rest.

`store()` upserts the InboxDelivery row of (source, external_id): the unique constraint
decides between racing deliveries, and a delivery arriving before the drain is added to
the row's list, never written over. The ticket's id is reserved at the first delivery
(the existing ticket's id, else the next value of the ticket table's sequence), so the
answer carries the vipdesk id the contract promises without matching or routing
anything in the request. `created` is true when neither the row nor the ticket
existed (201), false for a redelivery (200).

On PostgreSQL it is one INSERT … ON CONFLICT; on SQLite (the embedded demo, one
process, drained inline right after the commit) the same steps in a transaction."""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from tickets.models import InboxDelivery, Ticket

TABLE = InboxDelivery._meta.db_table


@dataclass(frozen=True)
class Stored:
    ticket_id: int
    created: bool
    pending: bool  # False: the same payload as the drained one, nothing to do


def store(source: str, external_id: str, payload: dict, sent_at: datetime) -> Stored:
    """Keep this delivery durably (committed when this returns in autocommit)."""
    external_id = str(external_id)[:100]
    payload_json = json.dumps(payload, sort_keys=True)
    digest = hashlib.sha256(payload_json.encode()).hexdigest()
    if connection.vendor != "postgresql":
        item = {"sent_at": sent_at.isoformat(), "payload": payload}
        return _store_portable(source, external_id, item, digest)
    deliveries = f'[{{"sent_at": "{sent_at.isoformat()}", "payload": {payload_json}}}]'
    with connection.cursor() as cursor:
        cursor.execute(
            _upsert_sql(),
            {
                "source": source,
                "external_id": external_id,
                "deliveries": deliveries,
                "hash": digest,
                "now": timezone.now(),
            },
        )
        ticket_id, created, pending = cursor.fetchone()
    return Stored(ticket_id, created, pending)


_sql: list[str] = []


def _upsert_sql() -> str:
    if not _sql:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [Ticket._meta.db_table])
            sequence = cursor.fetchone()[0]
        ticket = connection.ops.quote_name(Ticket._meta.db_table)
        # A pending or failed row keeps its deliveries (a failed one may hold a comment
        # the new delivery lacks); a drained one starts a new list, unless the payload is
        # the one drained already. Names come from the catalog, values are parameters.
        _sql.append(
            f"""
            WITH existing AS (
                SELECT id FROM {ticket} WHERE source = %(source)s AND external_id = %(external_id)s
            )
            INSERT INTO {TABLE} AS inbox
                (source, external_id, ticket_id, deliveries, state, error, received_at,
                 last_hash)
            VALUES (%(source)s, %(external_id)s,
                    COALESCE((SELECT id FROM existing), nextval('{sequence}')),
                    %(deliveries)s::jsonb, 'pending', '', %(now)s, %(hash)s)
            ON CONFLICT (source, external_id) DO UPDATE SET
                deliveries = CASE
                    WHEN inbox.state <> 'done' THEN inbox.deliveries || EXCLUDED.deliveries
                    WHEN inbox.last_hash = EXCLUDED.last_hash THEN inbox.deliveries
                    ELSE EXCLUDED.deliveries END,
                state = CASE WHEN inbox.state = 'done' AND inbox.last_hash = EXCLUDED.last_hash
                             THEN 'done' ELSE 'pending' END,
                error = CASE WHEN inbox.state = 'done' AND inbox.last_hash = EXCLUDED.last_hash
                             THEN inbox.error ELSE '' END,
                received_at = EXCLUDED.received_at,
                last_hash = EXCLUDED.last_hash
            RETURNING ticket_id, xmax = 0 AND NOT EXISTS (SELECT 1 FROM existing),
                      state = 'pending'
            """  # noqa: S608
        )
    return _sql[0]


def _store_portable(source: str, external_id: str, item: dict, digest: str) -> Stored:
    with transaction.atomic():
        row = InboxDelivery.objects.filter(source=source, external_id=external_id).first()
        if row is not None:
            if row.state == row.State.DONE and row.last_hash == digest:
                return Stored(row.ticket_id, False, False)
            row.deliveries = ([] if row.state == row.State.DONE else row.deliveries) + [item]
            row.state, row.error, row.received_at = row.State.PENDING, "", timezone.now()
            row.last_hash = digest
            row.save(update_fields=["deliveries", "state", "error", "received_at", "last_hash"])
            return Stored(row.ticket_id, False, True)
        existing = (
            Ticket.objects.filter(source=source, external_id=external_id)
            .values_list("pk", flat=True)
            .first()
        )
        ticket_id = existing or 1 + max(
            Ticket.objects.aggregate(m=Max("pk"))["m"] or 0,
            InboxDelivery.objects.aggregate(m=Max("ticket_id"))["m"] or 0,
        )
        InboxDelivery.objects.create(
            source=source,
            external_id=external_id,
            ticket_id=ticket_id,
            deliveries=[item],
            received_at=timezone.now(),
            last_hash=digest,
        )
        return Stored(ticket_id, existing is None, True)
