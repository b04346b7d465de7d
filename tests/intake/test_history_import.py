"""import_nps and import_usage: dated history, idempotent, per-row errors, all or
nothing; the account import appends a dated NPS point."""

import io
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import Account, NpsPoint, UsagePoint
from tests.factories import make_account
from tickets.intake.csv_import import import_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme():
    return make_account("Acme", domain="acme.example")


def csv_file(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode())


def write(tmp_path, text):
    path = tmp_path / "history.csv"
    path.write_text(text)
    return str(path)


def test_it_imports_nps_results_by_domain_or_name_and_shows_the_latest(tmp_path, acme):
    path = write(tmp_path, "account,date,score\nacme.example,2026-05-01,40\nAcme,2026-08-01,10\n")
    call_command("import_nps", path, stdout=io.StringIO())
    assert list(NpsPoint.objects.values_list("date", "score")) == [
        (date(2026, 5, 1), 40),
        (date(2026, 8, 1), 10),
    ]
    acme.refresh_from_db()
    assert (acme.nps, acme.previous_nps) == (10, 40)
    assert acme.rescore_requested


def test_reimporting_the_same_file_changes_nothing_and_a_new_score_updates(tmp_path, acme):
    path = write(tmp_path, "account,date,score\nacme.example,2026-05-01,40\n")
    call_command("import_nps", path, stdout=io.StringIO())
    report = import_csv("nps", csv_file("account,date,score\nacme.example,2026-05-01,40\n"))
    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)
    report = import_csv("nps", csv_file("account,date,score\nacme.example,2026-05-01,-5\n"))
    assert report.updated == 1 and NpsPoint.objects.get().score == -5


def test_a_bad_row_writes_nothing_and_says_where(tmp_path, acme):
    text = (
        "account,date,score\n"
        "acme.example,2026-05-01,40\n"
        "nobody.example,2026-05-01,40\n"
        "acme.example,yesterday,140\n"
        "acme.example,2026-05-01,30\n"
    )
    report = import_csv("nps", csv_file(text))
    assert not report.committed and not NpsPoint.objects.exists()
    assert sorted(report.errors) == [
        "line 3, column account: no account with the id, domain or name 'nobody.example'",
        "line 4, column date: 'yesterday' is not a date (YYYY-MM-DD)",
        "line 4, column score: must be between -100 and 100",
        "line 5, column date: duplicate of line 2",
    ]
    with pytest.raises(CommandError):
        call_command(
            "import_nps", write(tmp_path, text), stdout=io.StringIO(), stderr=io.StringIO()
        )


def test_it_imports_weekly_usage_as_mondays_and_derives_the_trend(tmp_path, acme):
    today = timezone.now().date()
    monday = today - timedelta(days=today.weekday())
    rows = [
        f"Acme,{monday - timedelta(weeks=w) + timedelta(days=2)},{100 if w > 4 else 50}"
        for w in range(1, 9)
    ]
    call_command(
        "import_usage",
        write(tmp_path, "account,week,active_users\n" + "\n".join(rows)),
        stdout=io.StringIO(),
    )
    weeks = list(UsagePoint.objects.values_list("week", flat=True))
    assert len(weeks) == 8 and all(w.weekday() == 0 for w in weeks)
    acme.refresh_from_db()
    # the pages' trend: the 4 latest weeks (50) against the 4 before (100), whatever
    # windows the risk score's usage drop reads
    assert acme.usage_trend_pct == -50.0
    assert acme.weekly_active_users == [100, 100, 100, 100, 50, 50, 50, 50]


def test_usage_must_be_a_count(acme):
    report = import_csv("usage", csv_file("account,week,active_users\nAcme,2026-05-04,-3\n"))
    assert report.errors == ["line 2, column active_users: must be 0 or more"]


def test_the_account_import_appends_todays_nps_result(acme):
    import_csv("accounts", csv_file("name,domain,arr,nps\nAcme,acme.example,1000,25\n"))
    point = NpsPoint.objects.get(account=acme)
    assert (point.date, point.score) == (timezone.now().date(), 25)
    assert Account.objects.get(pk=acme.pk).nps == 25
