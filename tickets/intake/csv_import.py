"""CSV import of CRM exports: accounts, contacts, tickets. One code path for the
management commands and the admin upload page.

- Every row is validated; problems read "line N, column X: message" (line 1 is
  the header).
- All or nothing: the whole file is one transaction, rolled back if any row is
  invalid — unless skip_invalid, which writes the valid rows and reports the rest.
- Streaming: a csv reader over the file, upserts chunk by chunk (a few queries per
  chunk), a progress callback every `progress_every` rows; memory stays flat
  apart from the set of keys seen (to report duplicate rows).
- Re-importing the same file changes nothing: accounts upsert by name
  (case-insensitive), contacts by e-mail, tickets by (source, external_id) through
  tickets.intake.ingest; unchanged rows are not written at all.
- After an account import, tiers are recomputed set-based; after a ticket import,
  the new tickets are routed by tickets.routing.jobs.route_pending (a job when Redis is
  configured).
"""

import csv
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.functions import Lower
from pydantic import ValidationError

from accounts.executives import is_executive_title
from accounts.models import Account, AccountDomain, Contact
from accounts.resolve import AmbiguousAccount, resolve_refs
from accounts.tiering import retier_accounts
from tickets.intake.ingest import description, email_domain, ingest, resolved, ticket_fields
from tickets.intake.schemas import TicketIn
from tickets.models import Ticket, TicketMessage
from tickets.routing.jobs import request_routing_on_commit

MAX_ERRORS = 500
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
TRUE = {"1", "true", "yes", "y", "t", "x"}
FALSE = {"0", "false", "no", "n", "f", ""}


class RowInvalid(Exception):
    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__(problems)
        self.problems = problems


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0
    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    committed: bool = False

    def add_error(self, line: int, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(f"line {line}, column {column}: {message}")

    @property
    def summary(self) -> str:
        state = "imported" if self.committed else "nothing written"
        text = (
            f"{self.kind}: {self.rows} rows read, {self.created} created, {self.updated} "
            f"updated, {self.unchanged} unchanged, {self.invalid} invalid — {state}"
        )
        if self.error_count > len(self.errors):
            text += f" (first {len(self.errors)} of {self.error_count} errors listed)"
        return text


# Field parsers: raise ValueError with the message for the user.


def parse_decimal(value: str) -> Decimal:
    cleaned = value.strip().replace("$", "").replace(",", "").replace(" ", "")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number") from None
    if not number.is_finite() or number < 0:
        raise ValueError("must be a number of 0 or more")
    if number >= Decimal("1e12"):
        raise ValueError("is too large")
    return number.quantize(Decimal("0.01"))


def parse_date(value: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def parse_bool(value: str) -> bool:
    v = value.strip().lower()
    if v in TRUE:
        return True
    if v in FALSE:
        return False
    raise ValueError(f"{value!r} is not yes/no")


def parse_nps(value: str) -> int | None:
    if not value.strip():
        return None
    try:
        nps = int(value.strip())
    except ValueError:
        raise ValueError(f"{value!r} is not a whole number") from None
    if not -100 <= nps <= 100:
        raise ValueError("must be between -100 and 100")
    return nps


def parse_domains(value: str) -> list[str]:
    domains = [d.strip().lower() for d in re.split(r"[;,\s]+", value or "") if d.strip()]
    for d in domains:
        if not DOMAIN.match(d):
            raise ValueError(f"{d!r} is not a domain")
    return domains


def _field(problems, column, parser, raw):
    try:
        return parser(raw)
    except ValueError as e:
        problems.append((column, str(e)))
        return None


class Importer:
    kind = ""
    required_columns: tuple[str, ...] = ()

    def __init__(self, report: ImportReport):
        self.report = report
        self.seen: dict[str, int] = {}

    def once(self, key: str, line: int, column: str, problems: list) -> None:
        """Report a key that appeared on an earlier line of the same file."""
        if key in self.seen:
            problems.append((column, f"duplicate of line {self.seen[key]}"))
        else:
            self.seen[key] = line

    def parse(self, row: dict, line: int):
        raise NotImplementedError

    def resolve(self, chunk: list[tuple[int, object]]) -> list[tuple[int, object]]:
        """Look up references for a chunk (a few queries); report rows that fail."""
        return chunk

    def write(self, chunk: list[tuple[int, object]]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        pass

    def reject(self, line: int, problems: list[tuple[str, str]]) -> None:
        self.report.invalid += 1
        for column, message in problems:
            self.report.add_error(line, column, message)


@dataclass
class AccountRow:
    name: str
    domains: list[str]
    arr: Decimal
    renewal_date: date | None
    csm_email: str
    strategic: bool | None
    executive_review: bool | None
    nps: int | None
    plan: str
    csm_id: int | None = None
    account: Account | None = None


class AccountImporter(Importer):
    kind = "accounts"
    required_columns = ("name", "arr")

    def parse(self, row, line):
        problems = []
        name = " ".join((row.get("name") or "").split())
        if not name:
            problems.append(("name", "is required"))
        elif len(name) > 200:
            problems.append(("name", "is longer than 200 characters"))
        else:
            self.once(name.lower(), line, "name", problems)
        raw_arr = row.get("arr") or ""
        arr = (
            _field(problems, "arr", parse_decimal, raw_arr)
            if raw_arr.strip()
            else problems.append(("arr", "is required"))
        )
        domains = _field(problems, "domain", parse_domains, row.get("domain") or "") or []
        for d in domains:
            self.once("domain:" + d, line, "domain", problems)
        csm_email = (row.get("csm_email") or "").strip().lower()
        if csm_email and not EMAIL.match(csm_email):
            problems.append(("csm_email", f"{csm_email!r} is not an e-mail address"))
        flags = {}
        for column in ("strategic", "executive_review"):
            raw = row.get(column)
            flags[column] = (
                None
                if raw is None or not raw.strip()
                else _field(problems, column, parse_bool, raw)
            )
        plan = (row.get("plan") or "").strip()
        if len(plan) > 50:
            problems.append(("plan", "is longer than 50 characters"))
        item = AccountRow(
            name=name,
            domains=domains,
            arr=arr,
            renewal_date=_field(
                problems, "renewal_date", parse_date, row.get("renewal_date") or ""
            ),
            csm_email=csm_email,
            strategic=flags["strategic"],
            executive_review=flags["executive_review"],
            nps=_field(problems, "nps", parse_nps, row.get("nps") or ""),
            plan=plan,
        )
        if problems:
            raise RowInvalid(problems)
        return item

    def resolve(self, chunk):
        emails = {r.csm_email for _, r in chunk if r.csm_email}
        users = {}
        if emails:
            for pk, email in (
                get_user_model()
                .objects.annotate(e=Lower("email"))
                .filter(e__in=emails)
                .values_list("pk", "e")
            ):
                users.setdefault(email, pk)
        names = {r.name.lower() for _, r in chunk}
        existing = {
            a.lname: a
            for a in Account.objects.annotate(lname=Lower("name")).filter(lname__in=names)
        }
        domains = {d for _, r in chunk for d in r.domains}
        owners = dict(
            AccountDomain.objects.filter(domain__in=domains).values_list("domain", "account__name")
        )
        good = []
        for line, r in chunk:
            problems = []
            if r.csm_email:
                r.csm_id = users.get(r.csm_email)
                if r.csm_id is None:
                    problems.append(("csm_email", f"no user with the e-mail {r.csm_email}"))
            r.account = existing.get(r.name.lower())
            for d in r.domains:
                owner = owners.get(d)
                if owner is not None and owner.lower() != r.name.lower():
                    problems.append(("domain", f"{d} already belongs to the account {owner}"))
            if problems:
                self.reject(line, problems)
            else:
                good.append((line, r))
        return good

    def write(self, chunk):
        new, changed = [], []
        fields = ["arr", "renewal_date", "csm_id", "strategic", "executive_review", "nps", "plan"]
        for _, r in chunk:
            values = {"arr": r.arr, "plan": r.plan}
            # Empty optional cells leave what the account has.
            for name in ("renewal_date", "csm_id", "strategic", "executive_review", "nps"):
                if getattr(r, name) is not None:
                    values[name] = getattr(r, name)
            if r.account is None:
                new.append(Account(name=r.name, **values))
                continue
            account = r.account
            diff = {k: v for k, v in values.items() if getattr(account, k) != v}
            if "nps" in diff:
                account.previous_nps = account.nps
            if diff:
                for k, v in diff.items():
                    setattr(account, k, v)
                changed.append(account)
            else:
                self.report.unchanged += 1
        if new:
            Account.objects.bulk_create(new)
        if changed:
            Account.objects.bulk_update(changed, [*fields, "previous_nps", "updated_at"])
        self.report.created += len(new)
        self.report.updated += len(changed)
        by_name = {a.name.lower(): a for a in [*new, *changed]} | {
            r.account.name.lower(): r.account for _, r in chunk if r.account is not None
        }
        AccountDomain.objects.bulk_create(
            [
                AccountDomain(account=by_name[r.name.lower()], domain=d)
                for _, r in chunk
                for d in r.domains
            ],
            ignore_conflicts=True,
        )

    def finish(self):
        retier_accounts()


@dataclass
class ContactRow:
    account_ref: str
    name: str
    email: str
    title: str
    account_id: int | None = None


class ContactImporter(Importer):
    kind = "contacts"
    required_columns = ("account", "name", "email")

    def parse(self, row, line):
        problems = []
        ref = (row.get("account") or "").strip()
        if not ref:
            problems.append(("account", "is required"))
        name = " ".join((row.get("name") or "").split())
        if not name:
            problems.append(("name", "is required"))
        email = (row.get("email") or "").strip().lower()
        if not email:
            problems.append(("email", "is required"))
        elif not EMAIL.match(email) or len(email) > 254:
            problems.append(("email", f"{email!r} is not an e-mail address"))
        else:
            self.once(email, line, "email", problems)
        title = (row.get("title") or "").strip()
        if len(title) > 200 or len(name) > 200:
            problems.append(("title" if len(title) > 200 else "name", "is too long"))
        if problems:
            raise RowInvalid(problems)
        return ContactRow(ref, name, email, title)

    def resolve(self, chunk):
        accounts = resolve_refs(r.account_ref for _, r in chunk)
        good = []
        for line, r in chunk:
            try:
                r.account_id = accounts.account_id(r.account_ref)
            except AmbiguousAccount as error:
                self.reject(line, [("account", str(error))])
                continue
            if r.account_id is None:
                self.reject(
                    line, [("account", f"no account with the id, domain or name {r.account_ref!r}")]
                )
            else:
                good.append((line, r))
        return good

    def write(self, chunk):
        existing = {
            c.email: c for c in Contact.objects.filter(email__in=[r.email for _, r in chunk])
        }
        new, changed = [], []
        for _, r in chunk:
            contact = existing.get(r.email)
            if contact is None:
                new.append(
                    Contact(
                        account_id=r.account_id,
                        name=r.name,
                        email=r.email,
                        title=r.title,
                        is_executive=is_executive_title(r.title),
                    )
                )
                continue
            values = {"account_id": r.account_id, "name": r.name, "title": r.title}
            if contact.executive_override is None:
                values["is_executive"] = is_executive_title(r.title)
            diff = {k: v for k, v in values.items() if getattr(contact, k) != v}
            if diff:
                for k, v in diff.items():
                    setattr(contact, k, v)
                changed.append(contact)
            else:
                self.report.unchanged += 1
        Contact.objects.bulk_create(new)
        if changed:
            Contact.objects.bulk_update(changed, ["account_id", "name", "title", "is_executive"])
        self.report.created += len(new)
        self.report.updated += len(changed)


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


IMPORTERS = {"accounts": AccountImporter, "contacts": ContactImporter, "tickets": TicketImporter}


class _Rollback(Exception):
    pass


def import_csv(
    kind: str,
    lines: Iterable[str],
    *,
    skip_invalid: bool = False,
    chunk_size: int = 1000,
    progress: Callable[[int], None] | None = None,
    progress_every: int = 10_000,
) -> ImportReport:
    """Import a CSV file (an iterable of text lines, e.g. an open file)."""
    report = ImportReport(kind=kind)
    importer = IMPORTERS[kind](report)
    reader = csv.DictReader(lines)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [c for c in importer.required_columns if c not in header]
    if missing:
        for column in missing:
            report.add_error(1, column, "missing column")
        return report

    def flush(chunk):
        good = importer.resolve(chunk)
        if skip_invalid or report.error_count == 0:
            importer.write(good)

    try:
        with transaction.atomic():
            chunk = []
            for row in reader:
                report.rows += 1
                line = reader.line_num
                if None in row:
                    row.pop(None)
                    report.add_error(line, "row", "more cells than the header has columns")
                    report.invalid += 1
                    continue
                try:
                    chunk.append((line, importer.parse(row, line)))
                except RowInvalid as e:
                    importer.reject(line, e.problems)
                if len(chunk) >= chunk_size:
                    flush(chunk)
                    chunk = []
                if progress and report.rows % progress_every == 0:
                    progress(report.rows)
            if chunk:
                flush(chunk)
            if report.error_count and not skip_invalid:
                raise _Rollback
            importer.finish()
    except _Rollback:
        report.created = report.updated = report.unchanged = 0
        return report
    except (csv.Error, UnicodeDecodeError) as e:
        report.add_error(reader.line_num, "row", f"unreadable CSV: {e}")
        report.created = report.updated = report.unchanged = 0
        return report
    report.committed = True
    return report
