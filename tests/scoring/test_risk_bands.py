"""Risk-band workflows, once per crossing: a check-in draft for the CSM, a stakeholder
room with a brief and an owner, an executive briefing."""

from datetime import timedelta

import pytest

from accounts.models import Account
from tests.factories import (
    make_account,
    make_escalation,
    make_ticket,
    make_user,
    plant_history,
    this_morning,
    usage_drives_the_score,
)
from vipdesk.alerts.models import Alert
from vipdesk.insight import jobs
from vipdesk.lib.roles import Role

pytestmark = pytest.mark.django_db


def bands(user):
    return list(Alert.objects.filter(user=user, kind=Alert.Kind.RISK_BAND).order_by("id"))


@pytest.fixture
def people():
    return {
        "csm": make_user("csm1", Role.CSM),
        "manager": make_user("am1", Role.CSM),
        "lead": make_user("lead1", Role.LEAD),
        "admin": make_user("admin1", Role.ADMIN),
    }


def test_each_band_acts_once_per_crossing(people):
    usage_drives_the_score()  # −32 % → 64 points
    now = this_morning()  # five hourly rescores, all today
    account = make_account(
        "Globex",
        arr=250_000,
        csm=people["csm"],
        account_manager=people["manager"],
        executive_sponsor="Dana CEO",
        usage_trend_pct=-32.0,
    )  # 64: check-in band
    make_ticket(account, subject="Exports keep failing", created_at=now - timedelta(days=2))
    make_escalation(account, opened_at=now - timedelta(days=200), status="closed")

    jobs.rescore_all(now)
    [draft] = bands(people["csm"])
    assert "check-in e-mail draft" in draft.title
    assert "Exports keep failing" in draft.body and "nothing was sent" in draft.body
    jobs.rescore_all(now + timedelta(hours=1))
    assert len(bands(people["csm"])) == 1  # once per crossing

    plant_history(account, usage_trend_pct=-41.0)  # 82: stakeholder room
    jobs.rescore_all(now + timedelta(hours=2))
    room = bands(people["lead"])[0]
    assert "stakeholder room" in room.title
    assert "$250,000 ARR at risk" in room.body and "1 escalations so far" in room.body
    assert len(bands(people["manager"])) == 1 and len(bands(people["csm"])) == 2
    account.refresh_from_db()
    assert account.intervention_owner == people["csm"] and account.intervention_status == "planned"

    plant_history(account, usage_trend_pct=-46.0)  # 92: executive briefing
    jobs.rescore_all(now + timedelta(hours=3))
    [briefing] = bands(people["admin"])
    assert "Dana CEO" in briefing.body and "Talking points" in briefing.body

    plant_history(account, usage_trend_pct=-20.0)  # below every band, then back up
    jobs.rescore_all(now + timedelta(hours=4))
    plant_history(account, usage_trend_pct=-32.0)
    jobs.rescore_all(now + timedelta(hours=5))
    assert len(bands(people["csm"])) == 3  # a new crossing, a new draft
    assert Account.objects.get(pk=account.pk).intervention_owner == people["csm"]
