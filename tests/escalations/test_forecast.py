"""Resolution forecasts: the median of the most similar past escalations, and an
alert when an open one runs past it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from escalations.forecast import forecast
from escalations.jobs import alert_past_forecast
from tests.factories import make_account, make_escalation, make_user
from vipdesk.alerts.models import Alert
from vipdesk.lib.roles import Role

DAY = timedelta(days=1)


def test_it_takes_the_median_of_the_closest_group_with_enough_escalations():
    history = [
        (("technical", "high", 2), 2 * DAY),
        (("technical", "high", 2), 4 * DAY),
        (("technical", "high", 2), 9 * DAY),
        (("technical", "high", 1), 1 * DAY),
        (("technical", "low", 2), 20 * DAY),
    ]
    same = forecast(("technical", "high", 2), history)
    assert (same.median, same.based_on) == (4 * DAY, 3)
    assert same.text == "3 similar escalations (same type, severity and tier), median 4.0 days"
    wider = forecast(("technical", "high", 3), history)
    assert (wider.median, wider.based_on, wider.alike) == (3 * DAY, 4, "same type and severity")
    assert forecast(("legal", "high", 2), history) is None


@pytest.mark.django_db
def test_an_escalation_running_past_its_forecast_alerts_its_owner_once(client):
    now = timezone.now()
    owner = make_user("owner", Role.CSM)
    account = make_account()
    for days in (1, 2, 3):
        make_escalation(
            account,
            opened_at=now - 30 * DAY,
            status="closed",
            closed_at=now - 30 * DAY + days * DAY,
        )
    late = make_escalation(account, owner=owner, opened_at=now - 5 * DAY)
    make_escalation(account, owner=owner, opened_at=now - DAY)  # within its forecast
    assert alert_past_forecast(now) == 1
    assert alert_past_forecast(now) == 0
    [alert] = Alert.objects.filter(user=owner)
    assert alert.link == f"/escalations/{late.pk}/" and "median 2.0 days" in alert.body
    client.force_login(owner)
    page = client.get(f"/escalations/{late.pk}/")
    assert "median 2.0 days" in page.content.decode()
