"""CSV import of tickets: the fields of POST /api/v1/tickets, on
vipdesk/lib/csv_import.py. Re-importing the same file changes nothing (tickets upsert
by (source, external_id) through tickets.intake.ingest.write_tickets, the intake's batch
path); the new tickets are then routed like every other ticket
(request_routing_on_commit).

IMPORTERS lists every CSV import for the admin's upload page and import_csv."""

from typing import BinaryIO

from pydantic import ValidationError

from accounts.imports import AccountImporter, ContactImporter, NpsImporter, UsageImporter
from accounts.resolve import AmbiguousAccount, resolve_refs
from tickets.intake.ingest import Item, write_tickets
from tickets.intake.schemas import TicketIn
from tickets.models import Ticket, TicketMessage
from tickets.routing.jobs import request_routing_on_commit
from vipdesk.lib.csv_import import Importer, ImportReport, RowInvalid, run_import


class TicketImporter(Importer):
    """Rows are the fields of POST /api/v1/tickets, validated by the same schema; the
    fields stored and the account/contact matching are tickets.intake.ingest's."""

    kind = "tickets"
    loads = (Ticket, TicketMessage)
    required_columns = ("external_id", "subject", "priority")

    def parse(self, row, line):

        data = {k: v for k, v in row.items() if k in TicketIn.model_fields and v is not None}
        try:
            item = TicketIn.model_validate(data)
        except ValidationError as e:
            raise RowInvalid(
                [(".".join(str(p) for p in err["loc"]) or "row", err["msg"]) for err in e.errors()]
            ) from None
        problems = []
        self.once(item.external_id, line, "external_id", problems)
        if problems:
            raise RowInvalid(problems)
        return item

    def resolve(self, chunk):
        self.accounts = resolve_refs(item.account for _, item in chunk)
        good = []
        for line, item in chunk:
            try:
                self.accounts.account_id(item.account)
            except AmbiguousAccount as error:
                self.reject(line, [("account", str(error))])
            else:
                good.append((line, item))
        return good

    def write(self, chunk):
        """The chunk's tickets through tickets.intake.ingest.write_tickets (the intake's
        batch matching and writes), left pending for the drainer to route."""
        written = write_tickets([Item(item.to_incoming(Ticket.Source.CSV)) for _, item in chunk])
        self.report.created += sum(w.created for w in written)
        self.report.updated += sum(w.changed and not w.created for w in written)
        self.report.unchanged += sum(not w.changed for w in written)

    def finish(self):
        request_routing_on_commit()


IMPORTERS = {
    "accounts": AccountImporter,
    "contacts": ContactImporter,
    "tickets": TicketImporter,
    "nps": NpsImporter,
    "usage": UsageImporter,
}


def import_csv(kind: str, source: BinaryIO, **options) -> ImportReport:
    """Import a CSV file of this kind (see IMPORTERS), given as a binary file object;
    options as run_import's."""
    return run_import(IMPORTERS[kind], source, **options)
