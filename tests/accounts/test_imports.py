"""CSV imports of accounts and contacts (accounts/imports.py)."""

import io
from datetime import date
from decimal import Decimal

import pytest

from accounts.models import Account, AccountDomain, Contact
from tests.factories import make_account, make_user
from tickets.intake.csv_import import import_csv

pytestmark = pytest.mark.django_db

ACCOUNTS = """name,domain,arr,renewal_date,csm_email,strategic,executive_review,nps,plan,extra
Acme,acme.example,"$380,000",2027-01-05,csm@vipdesk.test,no,no,40,Enterprise,ignored
Globex,globex.example;globex.io,600000,,,,yes,,Platinum,
Tiny Co,tiny.example,1000,,,,,,,
"""


def run(kind, text, **kw):
    return import_csv(kind, io.BytesIO(text.encode()), **kw)


@pytest.fixture
def csm_user(db):
    return make_user("csm-user", email="csm@vipdesk.test")


def test_it_imports_accounts_and_tiers_them(csm_user):
    report = run("accounts", ACCOUNTS)
    assert report.committed and report.errors == []
    assert (report.rows, report.created) == (3, 3)
    acme = Account.objects.get(name="Acme")
    assert acme.arr == Decimal("380000.00") and acme.tier == 2
    assert acme.renewal_date == date(2027, 1, 5)
    assert acme.csm == csm_user and acme.nps == 40 and acme.plan == "Enterprise"
    globex = Account.objects.get(name="Globex")
    assert globex.tier == 1 and globex.executive_review
    assert set(globex.domains.values_list("domain", flat=True)) == {"globex.example", "globex.io"}
    assert Account.objects.get(name="Tiny Co").tier == 4


def test_it_changes_nothing_on_reimport(csm_user):
    run("accounts", ACCOUNTS)
    before = list(Account.objects.values().order_by("pk"))
    report = run("accounts", ACCOUNTS)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert list(Account.objects.values().order_by("pk")) == before
    assert AccountDomain.objects.count() == 4


def test_it_updates_by_name_case_insensitively(csm_user):
    run("accounts", ACCOUNTS)
    report = run("accounts", "name,arr,nps\nACME,90000,10\n")
    assert report.updated == 1
    acme = Account.objects.get(name="Acme")
    assert (acme.arr, acme.tier, acme.nps, acme.previous_nps) == (Decimal(90000), 3, 10, 40)
    assert Account.objects.count() == 3


def test_it_writes_nothing_when_a_row_is_invalid(csm_user):
    text = ACCOUNTS + "Bad,bad.example,lots,2027-13-01,nobody@x.example,maybe,,500,\n,,,,,,,,\n"
    report = run("accounts", text)
    assert not report.committed
    assert Account.objects.count() == 0
    assert report.errors == [
        "line 5, column arr: 'lots' is not a number",
        "line 5, column strategic: 'maybe' is not yes/no",
        "line 5, column renewal_date: '2027-13-01' is not a date (YYYY-MM-DD)",
        "line 5, column nps: must be between -100 and 100",
        "line 6, column name: is required",
        "line 6, column arr: is required",
    ]


def test_it_skips_invalid_rows_when_asked(csm_user):
    text = ACCOUNTS + "Bad,,x,,,,,,\n"
    report = run("accounts", text, skip_invalid=True)
    assert report.committed and report.invalid == 1 and report.created == 3
    assert report.errors == ["line 5, column arr: 'x' is not a number"]


def test_it_reports_unknown_csms_and_duplicates(csm_user):
    text = "name,domain,arr,csm_email\nA,a.example,1,ghost@x.example\nB,a.example,1,\na,,1,\n"
    report = run("accounts", text)
    assert report.errors == [
        "line 3, column domain: duplicate of line 2",
        "line 4, column name: duplicate of line 2",
        "line 2, column csm_email: no user with the e-mail ghost@x.example",
    ]


def test_it_refuses_a_domain_of_another_account(db):
    make_account("Other", domain="taken.example")
    report = run("accounts", "name,domain,arr\nMine,taken.example,5\n")
    assert report.errors == [
        "line 2, column domain: taken.example already belongs to the account Other"
    ]


def test_it_reports_missing_columns(db):
    report = run("accounts", "name,domain\nA,a.example\n")
    assert report.errors == ["line 1, column arr: missing column"]


def test_it_reports_progress(db):
    rows = "".join(f"Account {n},,{n}\n" for n in range(25))
    seen = []
    run(
        "accounts",
        "name,domain,arr\n" + rows,
        chunk_size=7,
        progress=seen.append,
        progress_every=10,
    )
    assert seen == [10, 20]
    assert Account.objects.count() == 25


CONTACTS = """account,name,email,title
acme.example,Pat Payer,PAT@acme.example,Engineer
Acme,Hank Scorpio,hank@acme.example,Chief Executive Officer
"""


def test_it_imports_contacts_by_domain_or_name(csm_user):
    run("accounts", ACCOUNTS)
    report = run("contacts", CONTACTS)
    assert report.committed and report.created == 2
    hank = Contact.objects.get(email="hank@acme.example")
    assert hank.is_executive and hank.account.name == "Acme"
    assert not Contact.objects.get(email="pat@acme.example").is_executive
    again = run("contacts", CONTACTS)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_it_keeps_an_executive_override(csm_user):
    run("accounts", ACCOUNTS)
    run("contacts", CONTACTS)
    Contact.objects.filter(email="hank@acme.example").update(
        executive_override=False, is_executive=False
    )
    run("contacts", CONTACTS.replace("Chief Executive Officer", "CEO"))
    assert not Contact.objects.get(email="hank@acme.example").is_executive


def test_it_rejects_contacts_of_unknown_accounts(db):
    report = run("contacts", "account,name,email\nnowhere.example,A,a@x.example\nx,,bad\n")
    assert report.errors == [
        "line 3, column name: is required",
        "line 3, column email: 'bad' is not an e-mail address",
        "line 2, column account: no account with the id, domain or name 'nowhere.example'",
    ]
