"""The README's first command runs the demo on SQLite (no PostgreSQL, jobs inline):
every phase of seed_demo, the follow-up tasks included, and the report pages built from
rollups must run there."""

from tests.embedded import run_on_sqlite

SCRIPT = """
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from tickets.models import Ticket
from vipdesk.tasks.models import Task

call_command("seed_demo", accounts=60, tickets=1500, now="2026-12-01T09:00:00+00:00")
client = Client(SERVER_NAME="127.0.0.1")
client.force_login(User.objects.get(username="lead"))
pages = [client.get(url).status_code for url in ("/reports/vip/2026-11/", "/reports/escalations/")]
print("RESULT", Ticket.objects.count() >= 1500, Task.objects.exists(), pages)
"""


def test_the_demo_seeds_and_reports_on_sqlite(tmp_path):
    assert run_on_sqlite(tmp_path, SCRIPT) == "RESULT True True [200, 200]"
