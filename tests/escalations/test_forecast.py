"""Resolution forecasts: the median of the most similar past escalations (worked out by
hand below), stored per similarity group by a job and looked up by the page and the
alert job, and an alert when an open escalation runs past its forecast."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Account
from escalations import forecast
from escalations.forecast import FIGURES, STALE_AFTER, groups, refresh_figures
from escalations.jobs import alert_past_forecast
from escalations.models import PostMortem, RootCauseCategory
from tests.factories import make_account, make_escalation, make_user
from tests.tickets.test_snapshots import use_test_redis
from tickets.models import Snapshot
from vipdesk.alerts.models import Alert
from vipdesk.lib.roles import Role

DAY = timedelta(days=1)
HISTORY = [
    (("technical", "high", 2, "Bug"), 2 * DAY),
    (("technical", "high", 2, "Bug"), 4 * DAY),
    (("technical", "high", 2, "Bug"), 9 * DAY),
    (("technical", "high", 2, ""), 6 * DAY),
    (("technical", "high", 1, "Bug"), 1 * DAY),
    (("technical", "low", 2, "Bug"), 20 * DAY),
]


def predict(key):
    return forecast.forecast(key, groups(HISTORY).get)


def test_it_takes_the_median_of_the_closest_group_with_enough_escalations():
    # Root cause "Bug", tier 2: 2, 4, 9 days → median 4.
    same = predict(("technical", "high", 2, "Bug"))
    assert (same.median, same.based_on) == (4 * DAY, 3)
    assert same.text == (
        "3 similar escalations (same type, severity, tier and root cause), median 4.0 days"
    )
    # No root cause recorded: type, severity and tier: 2, 4, 6, 9 → median 5.
    tier = predict(("technical", "high", 2, ""))
    assert (tier.median, tier.based_on, tier.alike) == (5 * DAY, 4, "same type, severity and tier")
    # Only two of "Network" in tier 2 would not do either: the same fallback.
    assert predict(("technical", "high", 2, "Network")) == tier
    # Tier 3 has none: type and severity, 1, 2, 4, 6, 9 → median 4.
    wider = predict(("technical", "high", 3, "Bug"))
    assert (wider.median, wider.based_on, wider.alike) == (4 * DAY, 5, "same type and severity")
    # Critical has none: every technical one, 1, 2, 4, 6, 9, 20 → median 5.
    widest = predict(("technical", "critical", 2, "Bug"))
    assert (widest.median, widest.based_on, widest.alike) == (5 * DAY, 6, "same type")
    assert predict(("legal", "high", 2, "Bug")) is None


def test_it_reads_like_the_issue_says():
    f = forecast.Forecast(timedelta(days=4.2), 7, "same type and severity")
    assert f.text == "7 similar escalations (same type and severity), median 4.2 days"


def test_it_keeps_no_group_too_small_to_forecast_from():
    found = groups(HISTORY)
    assert ("technical", "high", 1) not in found and ("technical", "low") not in found
    assert found[("technical",)] == forecast.Group(5 * DAY, 6)


def closed(account, days: float, now, **kw):
    return make_escalation(
        account, opened_at=now - 30 * DAY, status="closed", closed_at=now - 30 * DAY + days * DAY,
        **kw,
    )  # fmt: skip


@pytest.mark.django_db
def test_the_job_stores_every_group_with_the_reports_root_cause(client):
    now = timezone.now()
    account = make_account()
    bug = RootCauseCategory.objects.create(name="Bug")
    for days in (1, 2, 3):  # reviewed: the post-mortem's category
        PostMortem.objects.create(escalation=closed(account, days, now), root_cause_category=bug)
    closed(account, 10, now, root_cause_category="Bug")  # recorded on the escalation only
    closed(account, 20, now - 800 * DAY)  # ended more than two years ago: not history
    assert refresh_figures(now) == 4  # type+severity+tier+Bug, type+severity+tier, …
    row = Snapshot.objects.get(name=FIGURES)
    assert row.computed_at == now
    stored = forecast.stored(now)
    tier = Account.objects.get(pk=account.pk).tier
    assert stored.group(("technical", "high", tier, "Bug")) == forecast.Group(2.5 * DAY, 4)
    assert stored.group(("technical",)) == forecast.Group(2.5 * DAY, 4)


@pytest.mark.django_db
def test_the_page_reads_the_stored_figures_with_their_age(client):
    now = timezone.now()
    owner = make_user("owner", Role.CSM)
    account = make_account()
    for days in (1, 2, 3):
        closed(account, days, now, root_cause_category="Bug")
    e = make_escalation(account, owner=owner, root_cause_category="Bug")
    refresh_figures(now - timedelta(minutes=4))
    for days in (10, 11, 12, 13):  # closed since the last run: not yet in the figures
        closed(account, days, now, root_cause_category="Bug")
    client.force_login(owner)
    html = client.get(f"/escalations/{e.pk}/").content.decode()
    assert "3 similar escalations (same type, severity, tier and root cause), median 2.0" in html
    assert "from figures of 4 min ago)" in html and "stale" not in html
    refresh_figures(now - STALE_AFTER - timedelta(minutes=1))  # the job stopped: refreshed
    html = client.get(f"/escalations/{e.pk}/").content.decode()
    assert "7 similar escalations (same type, severity, tier and root cause), median 10.0" in html


@pytest.mark.django_db
@pytest.mark.rq
def test_the_page_says_the_forecast_is_being_computed(client, settings, redis_connection):
    use_test_redis(settings)
    owner = make_user("owner", Role.CSM)
    e = make_escalation(make_account(), owner=owner)
    client.force_login(owner)
    html = client.get(f"/escalations/{e.pk}/").content.decode()
    assert "being computed (a background job)" in html
    assert not Snapshot.objects.filter(name=FIGURES).exists()


@pytest.mark.django_db
def test_an_escalation_running_past_its_forecast_alerts_its_owner_once(client):
    now = timezone.now()
    owner = make_user("owner", Role.CSM)
    account = make_account()
    for days in (1, 2, 3):
        closed(account, days, now)
    late = make_escalation(account, owner=owner, opened_at=now - 5 * DAY)
    make_escalation(account, owner=owner, opened_at=now - DAY)  # within its forecast
    assert alert_past_forecast(now) == 1  # computes the figures the first time
    assert alert_past_forecast(now) == 0
    [alert] = Alert.objects.filter(user=owner)
    assert alert.link == f"/escalations/{late.pk}/" and "median 2.0 days" in alert.body
    client.force_login(owner)
    page = client.get(f"/escalations/{late.pk}/")
    assert "median 2.0 days" in page.content.decode()
