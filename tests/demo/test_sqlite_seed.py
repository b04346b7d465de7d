"""The README's first command seeds the demo on SQLite (no PostgreSQL, jobs inline):
every phase of seed_demo, the follow-up tasks included, must run there."""

from tests.embedded import run_on_sqlite

SCRIPT = """
from django.core.management import call_command
from tickets.models import Ticket
from vipdesk.tasks.models import Task

call_command("seed_demo", accounts=60, tickets=1500, now="2026-12-01T09:00:00+00:00")
print("RESULT", Ticket.objects.count() >= 1500, Task.objects.exists())
"""


def test_seed_demo_runs_on_sqlite(tmp_path):
    assert run_on_sqlite(tmp_path, SCRIPT) == "RESULT True True"
