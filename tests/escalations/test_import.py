"""import_escalations: SPEC's columns, idempotent on external_id, the timeline from the
given times, clear per-row errors, all or nothing."""

import csv
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from escalations.importer import COLUMNS
from escalations.models import Escalation, EscalationEvent
from tests.factories import make_account

pytestmark = pytest.mark.django_db


def write_csv(tmp_path, *rows):
    path = tmp_path / "escalations.csv"
    with path.open("w", newline="") as f:
        w = csv.DictWriter(f, COLUMNS)
        w.writeheader()
        for row in rows:
            w.writerow({c: "" for c in COLUMNS} | row)
    return str(path)


ROW = {
    "external_id": "OLD-1",
    "account": "acme.example",
    "type": "technical",
    "severity": "high",
    "summary": "Outage in March",
    "opened_at": "2026-03-01T09:00:00Z",
    "acknowledged_at": "2026-03-01T09:30:00Z",
    "resolved_at": "2026-03-09T10:00:00Z",
    "closed_at": "2026-03-10T10:00:00Z",
    "reopened_at": "2026-03-05T08:00:00Z;2026-03-04T08:00:00Z",
    "csat": "4",
}


@pytest.fixture
def acme(csm):
    return make_account("Acme", domain="acme.example", csm=csm)


def run(path):
    out = StringIO()
    call_command("import_escalations", path, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_it_imports_a_row_with_its_timeline(tmp_path, acme):
    assert "1 escalations created, 0 updated" in run(write_csv(tmp_path, ROW))
    e = Escalation.objects.get()
    assert (e.external_id, e.source, e.status, e.reopen_count, e.csat, e.account) == (
        "OLD-1",
        "import",
        "closed",
        2,
        4,
        acme,
    )
    assert e.reopened_at.isoformat() == "2026-03-05T08:00:00+00:00"
    timeline = [(ev.at.isoformat()[:16], ev.kind, ev.to_value) for ev in e.events.all()]
    assert timeline == [
        ("2026-03-01T09:00", "opened", "open"),
        ("2026-03-01T09:30", "status", "acknowledged"),
        ("2026-03-04T08:00", "reopened", "open"),
        ("2026-03-05T08:00", "reopened", "open"),
        ("2026-03-09T10:00", "status", "resolved"),
        ("2026-03-10T10:00", "status", "closed"),
    ]


def test_reimporting_updates_and_never_duplicates(tmp_path, acme):
    run(write_csv(tmp_path, ROW))
    out = run(write_csv(tmp_path, ROW | {"summary": "Outage in March (corrected)", "csat": "5"}))
    assert "0 escalations created, 1 updated" in out
    e = Escalation.objects.get()
    assert (e.summary, e.csat) == ("Outage in March (corrected)", 5)
    assert EscalationEvent.objects.count() == 6


def test_an_open_row_stays_open(tmp_path, acme):
    empty = dict.fromkeys(
        ["resolved_at", "closed_at", "reopened_at", "csat", "acknowledged_at"], ""
    )
    run(write_csv(tmp_path, ROW | empty))
    e = Escalation.objects.get()
    assert (e.status, e.resolved_at, e.closed_at, e.reopen_count) == ("open", None, None, 0)


@pytest.mark.parametrize(
    "change,error",
    [
        ({"type": "angry"}, "line 3: type “angry” is not one of"),
        ({"severity": ""}, "line 3: severity “” is not one of"),
        ({"opened_at": "yesterday"}, "line 3: opened_at “yesterday” is not an ISO 8601 time"),
        ({"account": "nobody"}, "line 3: no account matches “nobody”"),
        ({"csat": "7"}, "line 3: csat “7” is not a whole number from 1 to 5"),
        ({"acknowledged_at": "2026-02-01T00:00:00Z"}, "line 3: acknowledged_at"),
        ({"closed_at": "2026-03-09T09:00:00Z"}, "line 3: closed_at is before resolved_at"),
        ({"external_id": "OLD-1"}, "line 3: external_id “OLD-1” repeats line 2"),
    ],
)
def test_a_bad_row_writes_nothing_and_says_where(tmp_path, acme, change, error):
    good = ROW
    bad = ROW | {"external_id": "OLD-2"} | change
    err = StringIO()
    with pytest.raises(CommandError, match="nothing written"):
        call_command("import_escalations", write_csv(tmp_path, good, bad), stderr=err)
    assert error in err.getvalue()
    assert not Escalation.objects.exists()
    assert not EscalationEvent.objects.exists()


def test_it_names_missing_columns(tmp_path, acme):
    path = tmp_path / "x.csv"
    path.write_text("external_id,account\nA,acme.example\n")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_escalations", str(path), stderr=err)
    assert "missing columns: type, severity" in err.getvalue()
