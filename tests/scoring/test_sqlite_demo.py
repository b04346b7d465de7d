"""The embedded demo runs on SQLite: the same features statement (SQLite dialect) and
scoring, in a separate process against a fresh SQLite file."""

from tests.embedded import run_on_sqlite

SCRIPT = """
from datetime import timedelta
from django.core.management import call_command
from django.utils import timezone
from accounts.models import Account, ScoreSnapshot
from tests.factories import (every_factor_counts, make_account, make_contact, make_escalation,
                             make_message, make_ticket, make_user)
from vipdesk.alerts.models import Alert
from vipdesk.lib.roles import Role

every_factor_counts()  # so that all nine factors show (the usage weeks included)
now = timezone.now()
account = make_account(csm=make_user("demo-csm", Role.CSM), nps=-20, previous_nps=30,
                       usage_trend_pct=-40.0, renewal_date=(now + timedelta(days=20)).date())
for days in (100, 60):
    t = make_ticket(account, created_at=now - timedelta(days=days), status="solved",
                    customer_priority="P4", sentiment=0.5)
    make_message(t, "x" * 400, created_at=t.created_at)
for days in (1, 2, 3, 5):
    t = make_ticket(account, created_at=now - timedelta(days=days), customer_priority="P1",
                    sentiment=-0.6, churn_points=30,
                    churn_signals=[{"phrase": "cancel", "kind": "direct"}])
    make_message(t, "no.", created_at=t.created_at)
make_escalation(account, severity="critical")
make_contact(account, is_champion=True, last_contacted_at=now - timedelta(days=100))
make_account(nps=60)
call_command("score_accounts")
call_command("score_accounts")
account.refresh_from_db()
names = sorted(f["name"] for f in account.risk_factors)
print("RESULT", account.risk_score, account.risk_level, len(names),
      ScoreSnapshot.objects.count(), Alert.objects.filter(kind="risk_threshold").count())
"""


def test_it_scores_on_sqlite(tmp_path):
    result = run_on_sqlite(tmp_path, SCRIPT)
    assert result == "RESULT 100 critical 9 2 1"
