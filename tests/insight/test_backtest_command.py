"""manage.py backtest_risk on a small hand-made history: the contract's JSON with
worked-out answers, and nothing written to live scores or alerts."""

import io
import json
from datetime import UTC, datetime

import pytest
from django.core.management import call_command

from accounts.models import Account, ScoreSnapshot, ScoreWeights, ScoringRun
from accounts.scoring import FACTORS
from tests.factories import make_account, make_escalation, make_ticket, make_user
from vipdesk.alerts.models import Alert
from vipdesk.lib.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def burst_weights():
    """Only a ticket burst scores: 5 tickets in a week is 100 points."""
    weights = ScoreWeights.load()
    for _, field in FACTORS.values():
        setattr(weights, field, 0)
    weights.ticket_frequency_points = 100
    weights.save()
    return weights


def burst(account, day: int):
    for hour in range(5):
        make_ticket(account, created_at=datetime(2026, 3, day, 10 + hour, tzinfo=UTC))


def test_it_writes_the_contract_figures_and_nothing_else(tmp_path, burst_weights):
    csm = make_user("csm", Role.CSM)
    escalated = make_account("Escalated", csm=csm)
    quiet_alarm = make_account("False alarm", csm=csm)
    make_account("Calm", csm=csm)
    burst(escalated, 5)  # scored ≥ 70 from the midnight ending 5 March
    burst(quiet_alarm, 10)
    escalation = make_escalation(escalated, opened_at=datetime(2026, 3, 9, 6, tzinfo=UTC))
    out = tmp_path / "backtest.json"

    stdout = io.StringIO()
    call_command(
        "backtest_risk",
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-14",
        "--json",
        str(out),
        stdout=stdout,
    )

    data = json.loads(out.read_text())
    assert data == {
        "escalations": 1,
        "recall_24h": 1.0,
        "recall_72h": 1.0,
        "recall_7d": 0.0,
        "alerts_per_csm_week": 1.0,  # 2 crossings, 1 CSM, 2 weeks
        "precision_30d": 0.5,  # the false alarm had no escalation
        "per_escalation": [
            {
                "code": f"ESC-{escalation.pk:04d}",
                "external_id": None,
                "account": "Escalated",
                "opened_at": "2026-03-09T06:00:00+00:00",
                "first_crossed_at": "2026-03-06T00:00:00+00:00",
                "lead_hours": 78.0,
            }
        ],
    }
    assert "rule ticket_spike" in stdout.getvalue()
    for account in Account.objects.all():
        assert account.scored_at is None and account.risk_score == 0
    assert not ScoreSnapshot.objects.exists()
    assert not Alert.objects.exists() and not ScoringRun.objects.exists()


def test_a_higher_threshold_is_not_reached(tmp_path, burst_weights):
    burst_weights.ticket_frequency_points = 80
    burst_weights.save()
    account = make_account()
    burst(account, 5)
    make_escalation(account, opened_at=datetime(2026, 3, 9, 6, tzinfo=UTC))
    out = tmp_path / "b.json"
    call_command(
        "backtest_risk",
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-14",
        "--threshold",
        "85",
        "--json",
        str(out),
        stdout=io.StringIO(),
    )
    data = json.loads(out.read_text())
    assert data["recall_24h"] == 0.0 and data["per_escalation"][0]["first_crossed_at"] is None
    assert data["precision_30d"] is None
