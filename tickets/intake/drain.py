"""The inbox drainer: stored deliveries (tickets/intake/inbox.py) become routed
tickets, a batch at a time.

`drain_inbox()` takes pending InboxDelivery rows in batches with SELECT … FOR UPDATE
SKIP LOCKED, so any number of drainers run side by side, each on rows no other holds,
with no global lock. A batch is one transaction: parse every row's deliveries, then
tickets.intake.ingest.write_tickets (set-based matching, routing in memory, bulk
writes, alerts in one pass), then mark the rows done. A crash anywhere rolls the batch
back and its rows stay pending for the next drainer or the sweep; a redelivery waits
for the batch holding its row and is then pending again, so it is drained too.

A row none of whose deliveries can be read (say, the API's account reference became
ambiguous since) is marked failed with the reason, shown in the admin's inbox, and
does not hold up the batch; a batch the database refuses as a whole is drained again
one row at a time, so only the bad row fails."""

import logging
import time
from dataclasses import dataclass
from datetime import datetime

from django.db import DatabaseError, transaction
from pydantic import ValidationError

from accounts.resolve import AmbiguousAccount, resolve_refs
from tickets.intake import zendesk
from tickets.intake.ingest import Item, write_tickets
from tickets.intake.schemas import TicketIn
from tickets.models import InboxDelivery, Ticket
from tickets.routing.actions import Context, Contexts, make_context
from vipdesk.lib.bulk import update_rows

logger = logging.getLogger(__name__)

BATCH_SIZE = 200


class Unreadable(ValueError):
    """A stored delivery cannot become a ticket; str(error) says why."""


def parse(source: str, payload: dict, sent_at: datetime):
    """The Incoming ticket of one stored delivery, or Unreadable."""
    if source == Ticket.Source.ZENDESK:
        try:
            return zendesk.parse(payload, sent_at)
        except zendesk.PayloadError as e:
            raise Unreadable(f"{e.field or 'body'}: {e.message}") from None
    try:
        return TicketIn.model_validate(payload).to_incoming(source)
    except ValidationError as e:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'body'}: {err['msg']}" for err in e.errors()
        )
        raise Unreadable(problems) from None


@dataclass
class Parsed:
    row: InboxDelivery
    item: Item | None
    newest_sent_at: datetime | None
    problems: list[str]


def parse_row(row: InboxDelivery) -> Parsed:
    """The row's deliveries, oldest first: the newest readable one gives the fields
    (unless a newer one was applied already), every readable one its comment."""
    readable, problems = [], []
    stamped = sorted(row.deliveries, key=lambda d: datetime.fromisoformat(d["sent_at"]))
    for n, delivery in enumerate(stamped, 1):
        sent_at = datetime.fromisoformat(delivery["sent_at"])
        try:
            readable.append((sent_at, parse(row.source, delivery["payload"], sent_at)))
        except Unreadable as e:
            problems.append(f"delivery {n} of {len(stamped)} ({delivery['sent_at']}): {e}")
    if not readable:
        return Parsed(row, None, None, problems or ["no delivery"])
    sent_at, newest = readable[-1]
    item = Item(
        incoming=newest,
        apply_fields=row.applied_sent_at is None or sent_at >= row.applied_sent_at,
        comments=[i.comment for _, i in readable if i.comment is not None],
        ticket_id=row.ticket_id,
    )
    return Parsed(row, item, max(sent_at, row.applied_sent_at or sent_at), problems)


def refuse_ambiguous(parsed: list[Parsed]) -> None:
    """An explicit account reference naming several accounts fails its row (the API
    refuses it in the request; it can become ambiguous before the drain)."""
    refs = resolve_refs(
        p.item.incoming.account_ref
        for p in parsed
        if p.item is not None and p.item.incoming.account_ref not in (None, "")
    )
    for p in parsed:
        if p.item is not None and p.item.incoming.account_ref not in (None, ""):
            try:
                refs.account_id(p.item.incoming.account_ref)
            except AmbiguousAccount as e:
                p.item, p.problems = None, [*p.problems, f"account: {e}"]


def drain_rows(rows: list[InboxDelivery], ctx: Context) -> int:
    """Drain these locked rows (inside the caller's transaction); returns how many
    became tickets."""
    parsed = [parse_row(row) for row in rows]
    refuse_ambiguous(parsed)
    good = [p for p in parsed if p.item is not None]
    try:
        with transaction.atomic():
            write_tickets([p.item for p in good], ctx)
    except DatabaseError as error:
        if len(good) > 1:
            logger.warning("draining %s inbox rows failed (%s): one at a time", len(good), error)
            ctx = make_context(ctx.now, ctx.policies)  # the failed batch's assignments are void
            drained = sum(drain_rows([p.row], ctx) for p in good)
            finish_rows([p for p in parsed if p.item is None], ctx.now)
            return drained
        for p in good:
            p.item, p.problems = None, [*p.problems, f"{type(error).__name__}: {error}"]
    finish_rows(parsed, ctx.now)
    return sum(p.item is not None for p in parsed)


def finish_rows(parsed: list[Parsed], now: datetime) -> None:
    """Mark the rows done (their deliveries applied) or failed (with the reasons)."""
    for p in parsed:
        row = p.row
        row.processed_at = now
        row.error = "\n".join(p.problems)[:5000]
        if p.item is None:
            row.state = InboxDelivery.State.FAILED
            logger.error("inbox %s %s failed: %s", row.source, row.external_id, row.error)
        else:
            row.state, row.deliveries = InboxDelivery.State.DONE, []
            row.applied_sent_at = p.newest_sent_at
    update_rows(
        InboxDelivery,
        [p.row for p in parsed],
        ["state", "deliveries", "applied_sent_at", "processed_at", "error"],
    )


def drain_inbox(
    batch_size: int = BATCH_SIZE,
    deadline: float | None = None,
    received_before: datetime | None = None,
    contexts: Contexts | None = None,
) -> int:
    """Drain pending rows batch after batch until none is left (rows other drainers
    hold are theirs), or until `deadline` (time.monotonic()). Returns how many rows
    became tickets. `received_before`: only rows waiting since then (the sweep)."""
    pending = InboxDelivery.objects.filter(state=InboxDelivery.State.PENDING)
    if received_before is not None:
        pending = pending.filter(received_at__lte=received_before)
    contexts = contexts or Contexts()
    total = 0
    while True:
        with transaction.atomic():
            rows = list(pending.select_for_update(skip_locked=True).order_by("pk")[:batch_size])
            if not rows:
                return total
            try:
                total += drain_rows(rows, contexts.get())
            except BaseException:
                contexts.void()
                raise
        if len(rows) < batch_size or (deadline is not None and time.monotonic() > deadline):
            return total
