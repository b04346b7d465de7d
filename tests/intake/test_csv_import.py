import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Account, AccountDomain, Contact
from tests.factories import make_account, make_user
from tickets.intake.csv_import import import_csv
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

ACCOUNTS = """name,domain,arr,renewal_date,csm_email,strategic,executive_review,nps,plan,extra
Acme,acme.example,"$380,000",2027-01-05,csm@vipdesk.test,no,no,40,Enterprise,ignored
Globex,globex.example;globex.io,600000,,,,yes,,Platinum,
Tiny Co,tiny.example,1000,,,,,,,
"""


def run(kind, text, **kw):
    return import_csv(kind, io.StringIO(text), **kw)


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


HEADER = (
    "external_id,account,contact_email,contact_name,contact_title,subject,body,priority,created_at"
)
TICKETS = f"""{HEADER}
CRM-1,acme.example,pat@acme.example,Pat,Engineer,Invoice,We are frustrated,P3,2026-11-20T16:47:00Z
CRM-2,Acme,,,,Login,,p2,
"""


def test_it_imports_tickets_and_routes_them(csm_user, django_capture_on_commit_callbacks):
    run("accounts", ACCOUNTS)
    with django_capture_on_commit_callbacks(execute=True):
        report = run("tickets", TICKETS)
    assert report.committed and report.created == 2
    one = Ticket.objects.get(external_id="CRM-1")
    assert one.source == "csv" and one.routed and one.queue == "priority"
    assert one.churn_signals[0]["phrase"] == "frustrated"
    assert Ticket.objects.get(external_id="CRM-2").customer_priority == "P2"
    again = run("tickets", TICKETS)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_it_updates_a_changed_ticket_and_routes_it_again(
    csm_user, django_capture_on_commit_callbacks
):
    run("accounts", ACCOUNTS)
    with django_capture_on_commit_callbacks(execute=True):
        run("tickets", TICKETS)
    with django_capture_on_commit_callbacks(execute=True):
        report = run("tickets", TICKETS.replace(",P3,", ",P1,"))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    one = Ticket.objects.get(external_id="CRM-1")
    assert (one.customer_priority, one.effective_priority, one.routed) == ("P1", "P1", True)


def test_it_matches_ticket_accounts_like_intake(csm_user, django_capture_on_commit_callbacks):
    run("accounts", ACCOUNTS)
    acme = Account.objects.get(name="Acme")
    rows = (
        f"{HEADER}\nA,{acme.pk},,,,S,,P3,\nB, ACME ,,,,S,,P3,\n"
        "C,,someone@globex.io,,,S,,P3,\nD,,x@unknown.example,,,S,,P3,\n"
    )
    run("tickets", rows)
    got = dict(Ticket.objects.values_list("external_id", "account__name"))
    assert got == {"A": "Acme", "B": "Acme", "C": "Globex", "D": None}


def test_it_validates_tickets_like_the_api(db):
    report = run("tickets", TICKETS.replace("P3", "P7").replace("Login", ""))
    assert report.errors == [
        "line 2, column priority: Value error, must be one of P1, P2, P3, P4",
        "line 3, column subject: String should have at least 1 character",
    ]


def test_the_commands_import_and_report(tmp_path, csm_user, capsys):
    path = tmp_path / "accounts.csv"
    path.write_text(ACCOUNTS)
    call_command("import_accounts", str(path))
    assert "3 created" in capsys.readouterr().out
    path.write_text(ACCOUNTS + "Bad,,x,,,,,,\n")
    with pytest.raises(CommandError):
        call_command("import_accounts", str(path))
    assert "line 5, column arr" in capsys.readouterr().err
    call_command("import_accounts", str(path), "--skip-invalid")
    assert "3 unchanged, 1 invalid — imported" in capsys.readouterr().out


def test_the_upload_page_imports_with_the_same_validator(client, admin_user, csm_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(admin_user)
    assert client.get("/admin/import/").status_code == 200
    upload = SimpleUploadedFile("a.csv", (ACCOUNTS + "Bad,,x,,,,,,\n").encode())
    r = client.post("/admin/import/", {"kind": "accounts", "file": upload})
    assert r.status_code == 200
    assert "line 5, column arr: &#x27;x&#x27; is not a number" in r.content.decode()
    assert Account.objects.count() == 0
    upload = SimpleUploadedFile("a.csv", ACCOUNTS.encode())
    r = client.post("/admin/import/", {"kind": "accounts", "file": upload})
    assert Account.objects.count() == 3


def test_the_upload_page_is_for_staff_only(client, csm):
    client.force_login(csm)
    r = client.get("/admin/import/")
    assert r.status_code == 302 and "/admin/login/" in r["Location"]
