import pytest
from django.core.management import CommandError, call_command

from accounts.models import Account
from tests.accounts.test_imports import ACCOUNTS, run
from tests.factories import make_user
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def csm_user(db):
    return make_user("csm-user", email="csm@vipdesk.test")


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
        "line 2, column priority: Input should be 'P1', 'P2', 'P3' or 'P4'",
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


def test_it_analyzes_what_it_loaded(csm_user, monkeypatch):
    # This PostgreSQL may run without autovacuum: an import leaves its tables analyzed.
    from tickets.models import TicketMessage
    from vipdesk.lib import csv_import

    analyzed = []
    monkeypatch.setattr(csv_import, "analyze", analyzed.append)
    run("accounts", ACCOUNTS)
    run("tickets", TICKETS)
    assert analyzed[0][0] is Account and analyzed[1] == (Ticket, TicketMessage)
    run("tickets", TICKETS)  # nothing new: nothing to analyze
    assert len(analyzed) == 2
