"""Reminders before and after a post-mortem or a follow-up action is due, and the
overdue lists, with a moved clock."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from escalations.models import PostMortemPolicy
from escalations.postmortems import actions, tracking
from escalations.postmortems.jobs import remind_post_mortems
from tests.factories import make_escalation, make_user
from vipdesk.alerts.models import Alert
from vipdesk.lib.roles import Role

pytestmark = pytest.mark.django_db
RESOLVED = datetime(2026, 12, 1, 10, tzinfo=UTC)  # a Tuesday


@pytest.fixture
def e(account, csm):
    return make_escalation(
        account, severity="critical", status="resolved", owner=csm,
        opened_at=RESOLVED - timedelta(days=1), resolved_at=RESOLVED,
    )  # fmt: skip


def due(e):
    return next(
        d.due
        for d in tracking.post_mortems_due(RESOLVED, PostMortemPolicy.load())
        if d.escalation == e
    )


def test_the_post_mortem_is_due_five_business_days_after_resolution(e):
    assert due(e).astimezone(UTC).date() == date(2026, 12, 8)  # Wed, Thu, Fri, Mon, Tue


def test_owners_are_reminded_before_and_after_a_post_mortem_is_due(
    e, csm, django_capture_on_commit_callbacks
):
    deadline = due(e)
    with time_machine.travel(RESOLVED + timedelta(hours=1), tick=False):
        assert remind_post_mortems() == 0
        assert tracking.overdue(RESOLVED + timedelta(hours=1))["post_mortems"] == []
    with time_machine.travel(deadline - timedelta(hours=2), tick=False):
        assert remind_post_mortems() == 1
        assert remind_post_mortems() == 0  # once per stage
    soon = Alert.objects.get()
    assert soon.user == csm and soon.title == f"{e.code} post-mortem due soon"
    assert soon.link == f"/escalations/{e.pk}/post-mortem/"
    with time_machine.travel(deadline + timedelta(minutes=5), tick=False):
        assert remind_post_mortems() == 1
        assert [
            d.escalation for d in tracking.overdue(deadline + timedelta(minutes=5))["post_mortems"]
        ] == [e]
    assert Alert.objects.filter(title=f"{e.code} post-mortem overdue").exists()


def test_a_complete_post_mortem_is_no_longer_tracked(e, csm):
    actions.add_follow_up(e, by=csm, description="x", owner=csm, due_on=date(2027, 1, 1))
    e.post_mortem.status = "complete"
    e.post_mortem.save()
    assert tracking.post_mortems_due(RESOLVED + timedelta(days=30), PostMortemPolicy.load()) == []


def test_a_low_escalation_without_a_post_mortem_is_not_tracked(account):
    make_escalation(account, severity="low", status="resolved", resolved_at=RESOLVED)
    assert tracking.post_mortems_due(RESOLVED + timedelta(days=30), PostMortemPolicy.load()) == []


def test_follow_up_owners_are_reminded_and_the_overdue_lists_show_them(e, csm, client):
    owner = make_user("eli", Role.LEAD, first_name="Eli")
    item = actions.add_follow_up(
        e, by=csm, description="Add lock timeouts <script>x</script>", owner=owner,
        due_on=date(2026, 12, 15),
    )  # fmt: skip
    with time_machine.travel(datetime(2026, 12, 13, 12, tzinfo=UTC), tick=False):
        remind_post_mortems()
        assert not Alert.objects.filter(user=owner).exists()
    with time_machine.travel(datetime(2026, 12, 14, 12, tzinfo=UTC), tick=False):
        remind_post_mortems()
        assert Alert.objects.get(user=owner).title == f"{e.code} follow-up action due soon"
        assert tracking.overdue(datetime(2026, 12, 14, 12, tzinfo=UTC))["follow_ups"] == []
    with time_machine.travel(datetime(2026, 12, 16, 9, tzinfo=UTC), tick=False):
        remind_post_mortems()
        assert Alert.objects.filter(user=owner, title__endswith="overdue").count() == 1
        client.force_login(owner)
        page = client.get("/escalations/overdue/").content.decode()
        fragment = client.get("/escalations/overdue/", headers={"HX-Request": "true"})
        notifications = client.get("/notifications/").content.decode()
    assert f'data-overdue-follow-up="{item.pk}"' in page
    assert (
        "<html" not in fragment.content.decode()
        and f'data-overdue-follow-up="{item.pk}"' in fragment.content.decode()
    )
    for body in (page, notifications):
        assert "<script>x</script>" not in body and "&lt;script&gt;x&lt;/script&gt;" in body
    item.status = "done"
    item.save()
    assert tracking.overdue(datetime(2026, 12, 16, 9, tzinfo=UTC))["follow_ups"] == []


def test_reminder_e_mails_are_plain_text(e, csm, django_capture_on_commit_callbacks, settings):
    actions.add_follow_up(
        e, by=csm, description="<script>x</script>", owner=csm, due_on=date(2026, 12, 1)
    )
    from vipdesk.alerts.delivery import deliver_alert

    with time_machine.travel(datetime(2026, 12, 3, tzinfo=UTC), tick=False):
        remind_post_mortems()
    for alert in Alert.objects.all():
        deliver_alert(alert.pk)
    message = next(m for m in mail.outbox if "follow-up" in m.subject)
    assert "<script>x</script>" in message.body and not message.alternatives


def test_the_escalations_page_loads_the_overdue_list(client, csm):
    client.force_login(csm)
    body = client.get("/escalations/").content.decode()
    assert 'hx-get="/escalations/overdue/"' in body


def test_the_overdue_page_checks_access(client, db):
    assert client.get("/escalations/overdue/").status_code == 302
    client.force_login(make_user("nobody"))
    assert client.get("/escalations/overdue/").status_code == 403


def test_the_overdue_list_runs_a_constant_number_of_queries(
    client, account, csm, django_assert_num_queries
):
    def add(n):
        for i in range(n):
            e = make_escalation(
                account, severity="high", status="resolved", owner=csm,
                opened_at=RESOLVED - timedelta(days=1), resolved_at=RESOLVED,
            )  # fmt: skip
            actions.add_follow_up(
                e, by=csm, description=f"a{i}", owner=csm, due_on=date(2026, 12, 2)
            )

    add(1)
    with time_machine.travel(datetime(2026, 12, 20, tzinfo=UTC), tick=False):
        client.force_login(csm)
        client.get("/escalations/overdue/")
        with django_assert_num_queries(15):
            client.get("/escalations/overdue/")
        add(4)
        with django_assert_num_queries(15):
            body = client.get("/escalations/overdue/").content.decode()
    assert body.count("data-overdue-post-mortem") == 5 and body.count("data-overdue-follow-up") == 5
