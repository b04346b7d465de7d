"""CSV imports of accounts, contacts and dated history (NPS results, weekly usage),
on vipdesk/lib/csv_import.py.

Re-importing the same file changes nothing: accounts upsert by name
(case-insensitive), contacts by e-mail, history points by account and day;
unchanged rows are not written at all. After an account import, tiers are
recomputed set-based; after a history import, the accounts show their latest values
and are asked to be rescored.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.executives import is_executive_title
from accounts.history import refresh_current_values
from accounts.models import Account, AccountDomain, Contact, NpsPoint, UsagePoint
from accounts.resolve import AmbiguousAccount, resolve_refs
from accounts.tiering import retier_accounts
from vipdesk.lib.csv_import import (
    EMAIL,
    Importer,
    ImportReport,
    RowInvalid,
    field_value,
    parse_bool,
    parse_date,
    parse_decimal,
)

DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


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


class AccountRefImporter(Importer):
    """Rows with an `account_ref` (id, domain or name): resolve sets `account_id` and
    rejects the rows naming no account or several (accounts/resolve.py)."""

    def resolve(self, chunk):
        return self.resolve_accounts(chunk)

    def resolve_accounts(self, chunk):
        """For rows with an `account_ref`: set `account_id`, reject the rows naming no
        account or several."""
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
    loads = (Account, AccountDomain, NpsPoint)
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
            field_value(problems, "arr", parse_decimal, raw_arr)
            if raw_arr.strip()
            else problems.append(("arr", "is required"))
        )
        domains = field_value(problems, "domain", parse_domains, row.get("domain") or "") or []
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
                else field_value(problems, column, parse_bool, raw)
            )
        plan = (row.get("plan") or "").strip()
        if len(plan) > 50:
            problems.append(("plan", "is longer than 50 characters"))
        item = AccountRow(
            name=name,
            domains=domains,
            arr=arr,
            renewal_date=field_value(
                problems, "renewal_date", parse_date, row.get("renewal_date") or ""
            ),
            csm_email=csm_email,
            strategic=flags["strategic"],
            executive_review=flags["executive_review"],
            nps=field_value(problems, "nps", parse_nps, row.get("nps") or ""),
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
        # The NPS cell is also a dated result (today's), the history scores read.
        NpsPoint.objects.bulk_create(
            [
                NpsPoint(account=by_name[r.name.lower()], date=timezone.now().date(), score=r.nps)
                for _, r in chunk
                if r.nps is not None
            ],
            update_conflicts=True,
            unique_fields=["account", "date"],
            update_fields=["score"],
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


class ContactImporter(AccountRefImporter):
    loads = (Contact,)
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


@dataclass
class PointRow:
    account_ref: str
    day: date
    value: int
    account_id: int | None = None


class HistoryImporter(AccountRefImporter):
    """Dated history (NPS results, weekly usage): one point per account and day, upserted;
    afterwards the accounts show their latest values and are rescored."""

    model: type[NpsPoint] | type[UsagePoint]
    day_column = ""
    value_column = ""
    day_field = ""
    value_field = ""

    def __init__(self, report: ImportReport):
        super().__init__(report)
        self.touched: set[int] = set()
        self.loads = (self.model,)

    def parse_day(self, raw: str) -> date:
        day = parse_date(raw)
        if day is None:
            raise ValueError("is required")
        return day

    def parse_value(self, raw: str) -> int:
        raise NotImplementedError

    def parse(self, row, line):
        problems = []
        ref = (row.get("account") or "").strip()
        if not ref:
            problems.append(("account", "is required"))
        day = field_value(problems, self.day_column, self.parse_day, row.get(self.day_column) or "")
        value = field_value(
            problems, self.value_column, self.parse_value, row.get(self.value_column) or ""
        )
        if ref and day:
            self.once(f"{ref.lower()}|{day}", line, self.day_column, problems)
        if problems:
            raise RowInvalid(problems)
        return PointRow(ref, day, value)

    def write(self, chunk):
        existing = {
            (p.account_id, getattr(p, self.day_field)): p
            for p in self.model.objects.filter(
                account_id__in={r.account_id for _, r in chunk},
                **{f"{self.day_field}__in": {r.day for _, r in chunk}},
            )
        }
        new, changed = [], []
        for _, r in chunk:
            point = existing.get((r.account_id, r.day))
            if point is None:
                new.append(
                    self.model(
                        account_id=r.account_id,
                        **{self.day_field: r.day, self.value_field: r.value},
                    )
                )
            elif getattr(point, self.value_field) != r.value:
                setattr(point, self.value_field, r.value)
                changed.append(point)
            else:
                self.report.unchanged += 1
                continue
            self.touched.add(r.account_id)
        self.model.objects.bulk_create(new)
        self.model.objects.bulk_update(changed, [self.value_field])
        self.report.created += len(new)
        self.report.updated += len(changed)

    def finish(self):
        if self.touched:
            refresh_current_values(self.touched, timezone.now().date())
            Account.objects.filter(pk__in=self.touched).request_rescore()


class NpsImporter(HistoryImporter):
    """`account, date, score`: an NPS result (-100…100) on a day."""

    kind = "nps"
    required_columns = ("account", "date", "score")
    model = NpsPoint
    day_column, value_column = "date", "score"
    day_field, value_field = "date", "score"

    def parse_value(self, raw):
        score = parse_nps(raw)
        if score is None:
            raise ValueError("is required")
        return score


class UsageImporter(HistoryImporter):
    """`account, week, active_users`: weekly active users; `week` is any day of the
    week, stored as its Monday."""

    kind = "usage"
    required_columns = ("account", "week", "active_users")
    model = UsagePoint
    day_column, value_column = "week", "active_users"
    day_field, value_field = "week", "active_users"

    def parse_day(self, raw):
        day = super().parse_day(raw)
        return day - timedelta(days=day.weekday())

    def parse_value(self, raw):
        try:
            users = int(raw.strip())
        except ValueError:
            raise ValueError(f"{raw!r} is not a whole number") from None
        if users < 0:
            raise ValueError("must be 0 or more")
        return users
