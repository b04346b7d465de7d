"""The playbook's pages and POST views: each works, checks access, requires POST."""

from decimal import Decimal

import pytest
from django.utils import timezone

from escalations import actions
from escalations.models import Escalation, Goodwill, RoleHolder
from tests.escalations.conftest import ago
from tests.factories import make_account, make_escalation, make_ticket, make_user
from vipdesk.lib.roles import Role

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script>'


def test_the_new_form_is_prefilled_from_a_ticket(client, lead, account):
    ticket = make_ticket(account, subject="Refund for the outage", body="We were charged")
    client.force_login(lead)
    body = client.get(f"/escalations/new/?ticket={ticket.pk}").content.decode()
    assert 'value="commercial" selected' in body
    assert "Refund for the outage" in body and f'name="ticket" value="{ticket.pk}"' in body


def test_the_new_form_is_for_csms_leads_and_admins(client, agent_user, account):
    client.force_login(agent_user)
    assert client.get(f"/escalations/new/?account={account.pk}").status_code == 403


def test_opening_from_a_ticket_links_it(client, lead, account):
    ticket = make_ticket(account)
    client.force_login(lead)
    r = client.post("/escalations/open/", {"ticket": ticket.pk, "type": "technical",
                    "severity": "critical", "summary": "Down", "customer_statement": XSS,
                    "business_impact": "Orders stopped", "users_affected": "1200"})  # fmt: skip
    e = Escalation.objects.get()
    assert r.status_code == 302 and r.url == f"/escalations/{e.pk}/"
    assert (e.source, e.users_affected, list(e.tickets.all())) == ("person", 1200, [ticket])
    assert e.events.first().actor == lead


def test_opening_twice_links_to_the_open_one_and_says_so(client, lead, account):
    e = make_escalation(account, type="technical")
    ticket = make_ticket(account)
    client.force_login(lead)
    r = client.post("/escalations/open/", {"ticket": ticket.pk, "type": "technical",
                    "severity": "high", "summary": "Again"}, follow=True)  # fmt: skip
    assert Escalation.objects.count() == 1
    assert f"already has an open Technical escalation: {e.code}" in r.content.decode()


def test_opening_needs_post_and_a_valid_form(client, lead, account):
    client.force_login(lead)
    assert client.get("/escalations/open/").status_code == 405
    r = client.post("/escalations/open/", {"account": account.pk, "type": "nope"})
    assert r.status_code == 400 and not Escalation.objects.exists()


@pytest.fixture
def e(account):
    return make_escalation(account, severity="high")


def post(client, e, path, data=None):
    return client.post(f"/escalations/{e.pk}/{path}", data or {}, follow=True)


def test_it_adds_an_action_and_marks_it_done(client, csm, e):
    client.force_login(csm)
    post(client, e, "actions/", {"horizon": "immediate", "description": "Roll back",
                                 "owner": csm.pk, "due_at": "2026-12-01T16:00"})  # fmt: skip
    action = e.actions.get()
    assert (action.description, action.owner) == ("Roll back", csm)
    post(client, e, f"actions/{action.pk}/done/")
    action.refresh_from_db()
    assert action.status == "done"
    r = post(client, e, f"actions/{action.pk}/done/")
    assert "already done" in r.content.decode()


def test_it_logs_a_customer_update(client, csm, e):
    client.force_login(csm)
    post(client, e, "communications/", {"at": "2026-12-01T10:00", "type": "call",
         "to_customer": "on", "recipient": "Pat (CTO)", "summary": "Workaround"})  # fmt: skip
    e.refresh_from_db()
    assert e.last_customer_update_at is not None
    assert e.communications.get().sender == csm


def test_it_records_plan_stakeholders_risks_and_analysis(client, csm, e):
    client.force_login(csm)
    post(client, e, "plan/", {"audience": "Customer (exec)", "message": "Daily status",
                              "channel": "Email", "timing": "17:00 daily"})  # fmt: skip
    post(client, e, "stakeholders/", {"name": "Dana", "role": "VP Eng", "ask": "Hotfix"})
    post(client, e, "risks/", {"kind": "churn", "probability": 3, "impact": 2, "mitigation": "QBR"})
    post(client, e, "analysis/", {"root_cause_category": "Process", "contributing_factors": "a\nb",
                                  "business_impact": "", "initial_assessment": "",
                                  "root_cause": ""})  # fmt: skip
    e.refresh_from_db()
    assert e.communication_plan.count() == 1 and e.stakeholders.count() == 1
    assert e.risks.get().score == 6 and e.root_cause_category == "Process"
    assert [ev.kind for ev in e.events.all()] == [
        "communication",
        "stakeholder",
        "risk",
        "analysis",
    ]


def test_it_moves_up_with_a_reason(client, csm, e):
    client.force_login(csm)
    post(client, e, "level-up/", {"reason": "No progress in 6 h"})
    e.refresh_from_db()
    assert e.level == 1


def test_a_refusal_is_shown_and_changes_nothing(client, csm, e):
    client.force_login(csm)
    r = post(client, e, "transition/", {"to": "closed", "confirmed": "on"})
    assert "cannot close without a complete post-mortem" in r.content.decode()
    e.refresh_from_db()
    assert e.status == "open"


def test_goodwill_is_approved_only_by_the_right_role(client, csm, e):
    vp = make_user("vp", Role.CSM)
    RoleHolder.objects.create(role="vp_cs", user=vp)
    client.force_login(csm)
    post(client, e, "goodwill/", {"kind": "credit", "amount": "8000", "reason": "Outage"})
    offer = Goodwill.objects.get()
    assert offer.approver_role == "vp_cs"
    r = post(client, e, f"goodwill/{offer.pk}/decide/", {"decision": "approve"})
    assert "Only the VP CS" in r.content.decode()
    r = post(client, e, f"goodwill/{offer.pk}/offer/")
    assert "cannot be offered before the VP CS approves it" in r.content.decode()
    client.force_login(vp)
    assert b"Approve</button>" in client.get(f"/escalations/{e.pk}/").content
    post(client, e, f"goodwill/{offer.pk}/decide/", {"decision": "approve"})
    offer.refresh_from_db()
    assert offer.status == "approved"


@pytest.mark.parametrize(
    "path",
    ["transition/", "level-up/", "actions/", "actions/1/done/", "plan/", "communications/",
     "stakeholders/", "risks/", "analysis/", "goodwill/", "goodwill/1/offer/"],
)  # fmt: skip
def test_the_actions_are_for_those_who_run_it(client, agent_user, outsider, e, path):
    for user in (agent_user, outsider):
        client.force_login(user)
        assert client.post(f"/escalations/{e.pk}/{path}").status_code == 403
        assert client.get(f"/escalations/{e.pk}/{path}").status_code == 405
    assert not e.events.exists()


def test_customer_text_stays_escaped_on_the_page_timeline_and_print(client, csm, account):
    ticket = make_ticket(account, subject=XSS, body=XSS)
    e, _ = actions.open_escalation(account, type="technical", severity="high", summary=XSS,
                                   source="person", tickets=[ticket], customer_statement=XSS,
                                   business_impact=XSS)  # fmt: skip
    actions.log_communication(e, by=csm, at=timezone.now(), type="email", to_customer=True,
                              recipient=XSS, summary=XSS)  # fmt: skip
    actions.request_goodwill(e, by=csm, kind="premium_support", amount=None, months=None,
                             duration=XSS, reason=XSS)  # fmt: skip
    client.force_login(csm)
    for path in (f"/escalations/{e.pk}/", f"/escalations/{e.pk}/print/", "/escalations/"):
        body = client.get(path).content.decode()
        assert "<script>alert" not in body, path
        assert "&lt;script&gt;" in body, path


def test_the_list_filters_by_owner_account_overdue_and_reescalated(client, lead, csm, account):
    other = make_account("Initech", csm=make_user("x"))
    mine = make_escalation(account, owner=csm, severity="low")
    late = make_escalation(other, severity="critical", opened_at=ago(hours=3))
    again = make_escalation(other, type="legal", severity="low", reopen_count=1)
    client.force_login(lead)

    def codes(query):
        body = client.get(f"/escalations/?{query}").content.decode()
        return {x.code for x in (mine, late, again) if f">{x.code}<" in body}

    assert codes(f"owner={csm.pk}") == {mine.code}
    assert codes(f"account={other.pk}") == {late.code, again.code}
    assert codes("account=initech") == {late.code, again.code}
    assert codes("overdue=on") == {late.code}
    assert codes("reescalated=on") == {again.code}
    actions.add_action(mine, by=csm, horizon="immediate", description="x", owner=csm,
                       due_at=ago(minutes=5))  # fmt: skip
    assert codes("overdue=on") == {mine.code, late.code}


def test_entry_points_link_to_the_form(client, lead, account):
    ticket = make_ticket(account)
    client.force_login(lead)
    assert (
        f"/escalations/new/?ticket={ticket.pk}"
        in client.get(f"/tickets/{ticket.pk}/").content.decode()
    )
    assert (
        f"/escalations/new/?account={account.pk}"
        in client.get(f"/accounts/{account.pk}/").content.decode()
    )


def test_goodwill_amounts_show_as_money(client, csm, e):
    actions.request_goodwill(e, by=csm, kind="credit", amount=Decimal("1234.5"), months=None,
                             duration="", reason="")  # fmt: skip
    client.force_login(csm)
    assert "$1,234.50" in client.get(f"/escalations/{e.pk}/").content.decode()


@pytest.mark.parametrize("name", ["analysis", "reassign", "level", "stakeholder", "action", "plan",
                                  "communication", "risk", "goodwill"])  # fmt: skip
def test_each_form_comes_as_a_fragment_or_a_page(client, csm, e, name):
    client.force_login(csm)
    url = f"/escalations/{e.pk}/forms/{name}/"
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.startswith("<form") and 'name="csrfmiddlewaretoken"' in fragment
    page = client.get(url).content.decode()
    assert "<html" in page and f"/escalations/{e.pk}/" in page


def test_the_forms_are_for_those_who_run_it(client, agent_user, csm, e):
    client.force_login(agent_user)
    assert client.get(f"/escalations/{e.pk}/forms/action/").status_code == 403
    client.force_login(csm)
    assert client.get(f"/escalations/{e.pk}/forms/nope/").status_code == 404


def test_owner_and_severity_changes_are_on_the_timeline(client, csm, lead, e):
    client.force_login(csm)
    post(client, e, "reassign/", {"owner": lead.pk, "severity": "critical", "reason": "CFO called"})
    e.refresh_from_db()
    assert (e.owner, e.severity) == (lead, "critical")
    assert [(ev.kind, ev.to_value) for ev in e.events.all()] == [
        ("owner", str(lead.pk)),
        ("severity", "critical"),
    ]
    r = post(client, e, "reassign/", {"owner": lead.pk, "severity": "", "reason": "x"})
    assert "Nothing changed." in r.content.decode()
