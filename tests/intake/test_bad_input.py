"""Bad input from outside always gets a clear 4xx with {"error": …} and stores nothing."""

import io
import json

import pytest

from tests.factories import make_account
from tests.intake.helpers import post_webhook, zendesk_payload
from tickets.intake.csv_import import import_csv
from tickets.models import ApiToken, Ticket, TicketMessage

pytestmark = pytest.mark.django_db

FAR_FUTURE = "9999-12-31T23:59:59-12:00"


@pytest.fixture
def auth(db):
    return {"Authorization": f"Bearer {ApiToken.issue('tests')[1]}"}


@pytest.fixture
def acme(db):
    return make_account("Acme", arr=380_000, domain="acme.example")


def post_api(client, auth, body: bytes | dict, path="/api/v1/tickets"):
    data = body if isinstance(body, bytes) else json.dumps(body)
    return client.post(path, data=data, content_type="application/json", headers=auth)


def api_ticket(**kw) -> dict:
    return {"external_id": "CRM-1", "subject": "Help", "priority": "P3", **kw}


def nothing_stored():
    return not Ticket.objects.exists() and not TicketMessage.objects.exists()


@pytest.mark.parametrize(
    "created_at", [FAR_FUTURE, "9999-12-31T23:59:59", "1999-12-31T23:59:59Z", "2099-01-01"]
)
def test_the_webhook_refuses_a_created_at_out_of_range(client, acme, created_at):
    r = post_webhook(client, zendesk_payload(created_at=created_at))
    assert r.status_code == 400
    assert r.json()["field"] == "ticket.created_at"
    assert nothing_stored()


def test_the_webhook_refuses_a_comment_from_the_far_future(client, acme):
    comment = {"id": 5, "body": "Still broken", "created_at": FAR_FUTURE}
    r = post_webhook(client, zendesk_payload(comment=comment))
    assert r.status_code == 400 and r.json()["field"] == "ticket.comment.created_at"
    assert nothing_stored()


@pytest.mark.parametrize("created_at", [FAR_FUTURE, "9999-12-31T23:59:59", "1970-01-01T00:00:00Z"])
def test_the_api_refuses_a_created_at_out_of_range(client, auth, acme, created_at):
    r = post_api(client, auth, api_ticket(created_at=created_at))
    assert r.status_code == 400
    body = r.json()
    assert body["field"] == "created_at"
    assert "2000" in body["error"] or "future" in body["error"]
    assert nothing_stored()


def test_the_csv_import_reports_a_created_at_out_of_range(acme):
    text = f"external_id,subject,priority,created_at\nT-1,Help,P3,{FAR_FUTURE}\n"
    report = import_csv("tickets", io.BytesIO(text.encode()))
    assert not report.committed
    assert report.errors == [
        "line 2, column created_at: Value error, Must not be more than a day in the future."
    ]
    assert nothing_stored()


def test_a_created_at_within_a_day_ahead_is_accepted(client, auth, acme):
    from datetime import timedelta

    from django.utils import timezone

    soon = (timezone.now() + timedelta(hours=20)).isoformat()
    assert post_api(client, auth, api_ticket(created_at=soon)).status_code == 201


NUL = json.dumps({"ticket": {"id": 1, "subject": "a\u0000b", "priority": "low"}}).encode()
SURROGATE = b'{"ticket": {"id": 1, "subject": "a\\ud800b", "priority": "low"}}'
DEEP = b"[" * 5000 + b"]" * 5000


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        (NUL, "NUL"),
        (SURROGATE, "surrogate"),
        (DEEP, "nested"),
        (b'{"ticket": ', "Malformed"),
    ],
)
def test_the_webhook_answers_400_to_bodies_the_database_cannot_store(client, acme, raw, error):
    r = post_webhook(client, None, raw=raw)
    assert r.status_code == 400
    assert error in r.json()["error"]
    assert nothing_stored()


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        (json.dumps(api_ticket(subject="a\u0000b")).encode(), "NUL"),
        (b'{"external_id": "X", "subject": "a\\ud800b", "priority": "P3"}', "surrogate"),
        (b'{"external_id": "X", "subject": "S", "priority": "P3", "x": ' + DEEP + b"}", "nested"),
        (b"{not json", "Malformed"),
    ],
)
def test_the_api_answers_400_with_an_error_to_bodies_it_cannot_take(client, auth, acme, raw, error):
    r = post_api(client, auth, raw)
    assert r.status_code == 400
    assert error in r.json()["error"] and "detail" not in r.json()
    assert nothing_stored()


def test_the_api_answers_413_to_a_body_over_the_upload_limit(client, auth, acme, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    r = post_api(client, auth, api_ticket(body="x" * 2000))
    assert r.status_code == 413 and r.json()["error"]
    assert nothing_stored()


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/api/v1/nope", 404),
        ("get", "/api/v1/tickets/987654", 404),
        ("delete", "/api/v1/tickets", 405),
        ("put", "/api/v1/webhooks/zendesk", 405),
    ],
)
def test_the_api_answers_json_errors_for_unknown_paths_and_methods(
    client, auth, method, path, status
):
    r = getattr(client, method)(path, headers=auth)
    assert r.status_code == status
    assert r["Content-Type"].startswith("application/json") and r.json()["error"]


def test_the_api_answers_401_with_an_error_without_a_token(client, db):
    r = client.get("/api/v1/tickets/1")
    assert r.status_code == 401 and r.json() == {"error": "Unauthorized"}


@pytest.mark.parametrize(
    "query", ["quarter=0000Q1", "sort=arr&after=1E-999999999~5", "sort=renewal&after=0000-01-01~5"]
)
@pytest.mark.parametrize("path", ["/accounts/at-risk/", "/"])
def test_the_board_and_the_csm_home_ignore_impossible_parameters(client, csm, path, query):
    client.force_login(csm)
    assert client.get(f"{path}?{query}").status_code == 200


def import_bytes(raw: bytes, kind="tickets"):
    return import_csv(kind, io.BytesIO(raw))


TICKETS_CSV = "external_id,subject,priority\nT-1,Caf\u00e9 order,P3\n"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (TICKETS_CSV.encode("latin-1"), "line 1, column file: The file is not UTF-8"),
        (TICKETS_CSV.encode("utf-16"), "line 1, column file: The file is UTF-16"),
        (TICKETS_CSV.encode("utf-16-le"), "line 1, column file: The file is UTF-16"),
        (
            b"external_id,subject,priority\nT-1,a\x00b,P3\n",
            "line 2, column subject: contains a NUL",
        ),
        (
            b"x" * 200_000 + b",external_id\n1,2\n",
            "line 1, column header: unreadable CSV: field larger",
        ),
        (
            b"external_id,subject,priority,Subject\nT-1,a,P3,b\n",
            "line 1, column subject: appears more than once",
        ),
    ],
)
def test_the_csv_import_explains_files_it_cannot_read(db, raw, message):
    report = import_bytes(raw)
    assert not report.committed
    assert report.errors[0].startswith(message)
    assert nothing_stored()


def test_the_import_command_prints_one_line_instead_of_a_traceback(tmp_path, db):
    from django.core.management import CommandError, call_command

    path = tmp_path / "tickets.csv"
    path.write_bytes(TICKETS_CSV.encode("utf-16"))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_tickets", str(path), stdout=io.StringIO(), stderr=err)
    assert err.getvalue().startswith("line 1, column file: The file is UTF-16")


def test_the_upload_page_refuses_a_file_over_the_size_limit(client, admin_user, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.IMPORT_MAX_UPLOAD_MB = 1
    client.force_login(admin_user)
    upload = SimpleUploadedFile("big.csv", TICKETS_CSV.encode() + b"x" * 1024 * 1024)
    r = client.post("/admin/import/", {"kind": "tickets", "file": upload})
    assert r.status_code == 200
    assert "uploads are limited to 1 MB" in r.text
    assert nothing_stored()


def test_the_upload_page_reports_a_latin_1_file(client, admin_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(admin_user)
    upload = SimpleUploadedFile("t.csv", TICKETS_CSV.encode("latin-1"))
    r = client.post("/admin/import/", {"kind": "tickets", "file": upload})
    assert r.status_code == 200 and "The file is not UTF-8" in r.text
