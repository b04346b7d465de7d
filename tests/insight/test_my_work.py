"""/my/: each role's work in one list by due time; closing tasks from it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_account, make_agent, make_user
from tests.tickets.conftest import make_vip_ticket
from vipdesk.lib.context_processors import navigation
from vipdesk.lib.roles import Role
from vipdesk.tasks.models import Task

pytestmark = pytest.mark.django_db


def make_task(owner, *, hours=1, lead=None, kind=Task.Kind.CHECK_IN, **kw) -> Task:
    n = Task.objects.count() + 1
    kw.setdefault("title", f"Task {n}")
    return Task.objects.create(
        kind=kind,
        key=f"test:{n}",
        owner=owner,
        lead=lead,
        due_at=timezone.now() + timedelta(hours=hours),
        **kw,
    )


def titles(response) -> list[str]:
    return [item.title for item in response.context["work"].items]


class TestMyWork:
    def test_it_lists_an_agents_tickets_and_follow_ups_by_due_time(self, client, agent_user):
        agent = make_agent(agent_user, level=3)
        ticket = make_vip_ticket(assigned_agent=agent, minutes_left=90, subject="API outage")
        make_task(agent_user, hours=3, title="Call Hank")
        make_task(agent_user, hours=-1, title="Send the summary")
        make_task(make_user("someone-else"), title="Not mine")
        client.force_login(agent_user)
        r = client.get("/my/")
        assert r.status_code == 200
        assert titles(r) == [
            "Send the summary",
            f"#{ticket.pk} API outage — {ticket.account.name}",
            "Call Hank",
        ]
        html = r.content.decode()
        assert "1 overdue" in html
        assert 'data-testid="my-work-count">2<' in html

    def test_it_lists_a_csms_tasks_and_at_risk_accounts(self, client, csm):
        make_account("Stark", csm=csm, risk_level="high", risk_score=78)
        make_account("Calm", csm=csm, risk_level="low")
        make_task(csm, kind=Task.Kind.BUSINESS_REVIEW, title="QBR with Stark")
        client.force_login(csm)
        r = client.get("/my/")
        assert titles(r) == ["QBR with Stark", "Stark — risk 78/100, renewal"]

    def test_it_shows_a_lead_the_overdue_tasks_of_the_team(self, client, lead, agent_user):
        other_lead = make_user("other-lead", Role.LEAD)
        make_task(agent_user, hours=-2, lead=lead, title="Overdue call")
        make_task(agent_user, hours=2, lead=lead, title="Not due yet")
        make_task(agent_user, hours=-2, lead=other_lead, title="Another team")
        make_task(make_user("a-csm", Role.CSM), hours=-3, title="A CSM's own check-in")
        make_task(None, hours=-1, title="Nobody's review")
        client.force_login(lead)
        r = client.get("/my/")
        assert titles(r) == ["Overdue call", "Nobody's review"]
        assert "Agent" in r.content.decode()  # whose task it is

    def test_it_answers_in_a_fixed_number_of_queries(
        self, client, agent_user, django_assert_num_queries
    ):
        agent = make_agent(agent_user, level=3)
        agent_user.groups.add(*make_user("x", Role.CSM).groups.all())
        agent_user.groups.add(*make_user("y", Role.LEAD).groups.all())
        for _ in range(5):
            make_vip_ticket(assigned_agent=agent)
            make_task(agent_user)
            make_task(None, hours=-1)
        client.force_login(agent_user)
        # session, user, groups, tasks, tickets, at-risk accounts, the team's overdue tasks
        # (2), nav alerts, nav tasks, and the session saved (savepoint, update, release)
        with django_assert_num_queries(13):
            assert client.get("/my/").status_code == 200

    def test_it_refuses_users_without_a_role(self, client):
        client.force_login(make_user("nobody"))
        assert client.get("/my/").status_code == 403

    def test_it_sends_anonymous_users_to_login(self, client):
        r = client.get("/my/")
        assert r.status_code == 302 and "/login/" in r["Location"]


class TestClosingTasks:
    def test_the_owner_marks_a_task_done(self, client, agent_user):
        task = make_task(agent_user)
        client.force_login(agent_user)
        r = client.post(f"/tasks/{task.pk}/done/")
        assert r.status_code == 302 and r["Location"] == "/my/"
        task.refresh_from_db()
        assert (task.status, task.closed_by) == ("done", agent_user)

    def test_skipping_needs_a_reason(self, client, agent_user):
        task = make_task(agent_user)
        client.force_login(agent_user)
        client.post(f"/tasks/{task.pk}/skip/", {"reason": " "})
        task.refresh_from_db()
        assert task.status == "open"
        client.post(f"/tasks/{task.pk}/skip/", {"reason": "Customer on holiday"})
        task.refresh_from_db()
        assert (task.status, task.skip_reason) == ("skipped", "Customer on holiday")

    def test_the_lead_may_close_a_task_of_the_team(self, client, agent_user):
        pool_lead = make_user("pool-lead", Role.AGENT)
        task = make_task(agent_user, lead=pool_lead)
        client.force_login(pool_lead)
        assert client.post(f"/tasks/{task.pk}/done/").status_code == 302

    def test_someone_elses_task_is_a_404(self, client, agent_user, outsider):
        task = make_task(agent_user)
        client.force_login(outsider)
        assert client.post(f"/tasks/{task.pk}/done/").status_code == 404
        assert client.post(f"/tasks/{task.pk}/skip/", {"reason": "x"}).status_code == 404
        task.refresh_from_db()
        assert task.status == "open"

    def test_closing_requires_post(self, client, agent_user):
        task = make_task(agent_user)
        client.force_login(agent_user)
        assert client.get(f"/tasks/{task.pk}/done/").status_code == 405
        assert client.get(f"/tasks/{task.pk}/skip/").status_code == 405


def test_the_navigation_counts_open_tasks_in_one_query(rf, agent_user, django_assert_num_queries):
    make_task(agent_user, hours=-1)
    make_task(agent_user, hours=1)
    request = rf.get("/")
    request.user = agent_user
    agent_user._vipdesk_roles = {Role.AGENT}
    with django_assert_num_queries(2):  # unread alerts, open tasks
        context = navigation(request)
    assert context["my_tasks"] == {"open": 2, "overdue": 1}
