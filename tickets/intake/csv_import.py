"""CSV import of tickets: the fields of POST /api/v1/tickets, on
vipdesk/lib/csv_import.py. Re-importing the same file changes nothing (tickets upsert
by (source, external_id) through tickets.intake.ingest); the new tickets are then
routed like every other ticket (request_routing_on_commit).

IMPORTERS lists every CSV import for the admin's upload page and import_csv."""

from typing import BinaryIO

from pydantic import ValidationError

from accounts.imports import AccountImporter, ContactImporter, NpsImporter, UsageImporter
from accounts.models import AccountDomain, Contact
from accounts.resolve import AmbiguousAccount, resolve_refs
from tickets.intake.ingest import description, email_domain, ingest, resolved, ticket_fields
from tickets.intake.schemas import TicketIn
from tickets.models import Ticket, TicketMessage
from tickets.routing.jobs import request_routing_on_commit
from vipdesk.lib.csv_import import Importer, ImportReport, RowInvalid, run_import


class TicketImporter(Importer):
    """Rows are the fields of POST /api/v1/tickets, validated by the same schema; the
    fields stored and the account/contact matching are tickets.intake.ingest's."""

    kind = "tickets"
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
        """New tickets in bulk (the same matching as tickets.intake.ingest.match, a few queries
        per chunk); existing ones through tickets.intake.ingest.ingest when they changed."""

        source = Ticket.Source.CSV
        incoming = [item.to_incoming(source) for _, item in chunk]
        existing = {
            t.external_id: t
            for t in Ticket.objects.filter(
                source=source, external_id__in=[i.external_id for i in incoming]
            )
        }
        emails = {i.requester_email for i in incoming if i.requester_email}
        contacts = {c.email: c for c in Contact.objects.filter(email__in=emails)}
        by_domain = dict(
            AccountDomain.objects.filter(domain__in={email_domain(e) for e in emails}).values_list(
                "domain", "account_id"
            )
        )
        new = []
        for item in incoming:
            contact = contacts.get(item.requester_email)
            account_id = self.accounts.account_id(item.account_ref)
            account_id = account_id or (contact.account_id if contact else None)
            account_id = account_id or by_domain.get(email_domain(item.requester_email))
            fields = ticket_fields(item, account_id, contact)
            ticket = existing.get(item.external_id)
            if ticket is None:
                new.append(
                    (
                        Ticket(
                            source=source,
                            external_id=item.external_id,
                            created_at=item.created_at,
                            **fields,
                            **resolved(fields),
                        ),
                        item,
                    )
                )
            elif all(getattr(ticket, k) == v for k, v in fields.items() if k != "body" or v):
                self.report.unchanged += 1
            else:
                ingest(item, enqueue=False)
                self.report.updated += 1
        Ticket.objects.bulk_create([t for t, _ in new])
        TicketMessage.objects.bulk_create([description(t, i) for t, i in new if i.body])
        self.report.created += len(new)

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
