"""/escalations/<id>/post-mortem/: the form, draft and complete, the close gate."""

from datetime import date, timedelta

import pytest

from escalations.actions import Refused, transition
from escalations.models import EscalationEvent, FollowUp, PostMortem
from escalations.postmortems import actions
from tests.factories import make_account, make_escalation, make_user
from tests.postmortems.conftest import complete_data
from vipdesk.lib.roles import Role

pytestmark = pytest.mark.django_db


def url(e, rest=""):
    return f"/escalations/{e.pk}/post-mortem/{rest}"


def add_follow_up(e, owner):
    return actions.add_follow_up(
        e, by=owner, description="Add a lock timeout to migrations", owner=owner,
        due_on=date.today() + timedelta(days=10),
    )  # fmt: skip


def test_it_works_and_prefills_the_timeline_from_the_events(client, csm, resolved):
    client.force_login(csm)
    response = client.get(url(resolved))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Opened by Csm (person)." in body and "Resolved by Csm." in body
    assert "A schema migration locked the export table." in body  # root cause carried over
    assert 'data-testid="pm-status">Missing' in body
    assert not PostMortem.objects.exists()  # a GET writes nothing


def test_it_checks_access(client, agent_user, outsider, resolved):
    client.force_login(agent_user)
    assert client.get(url(resolved)).status_code == 200  # agents read
    assert client.post(url(resolved, "save/"), complete_data()).status_code == 403
    client.force_login(outsider)  # a CSM of another account
    assert client.post(url(resolved, "save/"), complete_data()).status_code == 403
    client.logout()
    assert client.get(url(resolved)).status_code == 302
    assert client.get("/escalations/999999/post-mortem/").status_code in (302, 404)


def test_it_answers_404_for_an_unknown_escalation(client, csm):
    client.force_login(csm)
    assert client.get("/escalations/999999/post-mortem/").status_code == 404


@pytest.mark.parametrize("rest", ["save/", "follow-ups/", "follow-ups/1/close/"])
def test_writes_require_post(client, csm, resolved, rest):
    client.force_login(csm)
    assert client.get(url(resolved, rest)).status_code == 405


def test_a_half_filled_draft_saves(client, csm, resolved):
    client.force_login(csm)
    data = {
        "executive_summary": "Exports failed.",
        "recommendation": "Communicate better.",
        "timeline-TOTAL_FORMS": "0",
        "timeline-INITIAL_FORMS": "0",
        "intent": "draft",
    }
    response = client.post(url(resolved, "save/"), data)
    assert response.status_code == 302
    pm = PostMortem.objects.get(escalation=resolved)
    assert pm.status == "draft" and pm.recommendation == "Communicate better."
    body = client.get(url(resolved)).content.decode()
    assert "too vague to act on" in body  # what completing still needs, listed
    assert EscalationEvent.objects.filter(escalation=resolved, kind="post_mortem").exists()


def test_completing_names_each_missing_field(client, csm, resolved):
    client.force_login(csm)
    data = {"timeline-TOTAL_FORMS": "0", "timeline-INITIAL_FORMS": "0", "intent": "complete"}
    response = client.post(url(resolved, "save/"), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-testid="error-executive_summary"' in body
    assert "Enter the ARR lost (0 if none)." in body
    assert "Pick the root-cause category." in body
    assert "The timeline needs at least one dated event." in body
    assert not PostMortem.objects.exists()  # nothing saved


def test_a_vague_recommendation_is_refused_with_a_hint(client, csm, resolved):
    add_follow_up(resolved, csm)
    client.force_login(csm)
    response = client.post(
        url(resolved, "save/"), complete_data(recommendation="Communicate better.")
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "“communicate better” is too vague to act on" in body
    assert PostMortem.objects.get().status == "draft"  # unchanged


def test_it_completes_and_lets_the_escalation_close(client, csm, resolved):
    with pytest.raises(Refused, match="cannot close without a complete post-mortem"):
        transition(resolved, "closed", by=csm, confirmed=True)
    add_follow_up(resolved, csm)
    client.force_login(csm)
    response = client.post(url(resolved, "save/"), complete_data())
    assert response.status_code == 302
    pm = PostMortem.objects.get()
    assert pm.status == "complete" and pm.completed_at is not None
    assert pm.contributing_factors.count() == 2 and pm.systemic is False
    assert pm.timeline[0]["text"] == "Customer reported failed exports"
    closed = transition(resolved, "closed", by=csm, confirmed=True)
    assert closed.status == "closed"


def test_the_api_reports_the_post_mortem_status(client, csm, resolved):
    from tickets.models import ApiToken

    auth = {"Authorization": f"Bearer {ApiToken.issue('t')[1]}"}
    get = lambda: client.get(f"/api/v1/escalations/{resolved.pk}", headers=auth).json()  # noqa: E731
    assert get()["post_mortem"] == "missing"
    add_follow_up(resolved, csm)
    assert get()["post_mortem"] == "draft"
    client.force_login(csm)
    client.post(url(resolved, "save/"), complete_data())
    assert get()["post_mortem"] == "complete"


def test_refresh_keeps_pinned_rows(client, csm, resolved):
    client.force_login(csm)
    data = complete_data(intent="refresh", **{"timeline-0-pinned": "on"})
    assert client.post(url(resolved, "save/"), data).status_code == 302
    texts = [r["text"] for r in PostMortem.objects.get().timeline]
    assert texts == [
        "Customer reported failed exports",
        "Opened by Csm (person).",
        "Resolved by Csm.",
    ]


def test_follow_ups_are_added_and_closed_with_a_reason(client, csm, resolved):
    client.force_login(csm)
    owner = make_user("eng", Role.LEAD)
    response = client.post(
        url(resolved, "follow-ups/"),
        {"description": "Add a lock timeout", "owner": owner.pk, "due_on": "2026-12-20"},
    )
    assert response.status_code == 302
    item = FollowUp.objects.get()
    assert item.owner == owner and item.status == "open"
    client.post(url(resolved, f"follow-ups/{item.pk}/close/"), {"status": "wont_do"})
    item.refresh_from_db()
    assert item.status == "open"  # no reason: refused
    client.post(
        url(resolved, f"follow-ups/{item.pk}/close/"),
        {"status": "wont_do", "reason": "Replaced by the new importer"},
    )
    item.refresh_from_db()
    assert item.status == "wont_do" and item.reason == "Replaced by the new importer"


def test_customer_text_stays_text_on_the_page_and_the_print_view(client, csm, resolved):
    add_follow_up(resolved, csm)
    client.force_login(csm)
    client.post(
        url(resolved, "save/"),
        complete_data(customer_outcome="<script>alert(1)</script>", intent="draft"),
    )
    for path in (url(resolved), url(resolved, "print/")):
        body = client.get(path).content.decode()
        assert "<script>alert(1)</script>" not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_the_print_view_shows_the_review(client, csm, resolved):
    add_follow_up(resolved, csm)
    client.force_login(csm)
    client.post(url(resolved, "save/"), complete_data())
    body = client.get(url(resolved, "print/")).content.decode()
    assert "Post-escalation review" in body and "Product defect" in body
    assert "Add a lock timeout to migrations" in body and 'class="print"' in body


def test_it_runs_a_constant_number_of_queries(client, csm, resolved, django_assert_num_queries):
    """However many follow-ups, events and related escalations there are."""
    add_follow_up(resolved, csm)
    client.force_login(csm)
    client.post(url(resolved, "save/"), complete_data(intent="draft"))
    add_follow_up(make_escalation(make_account("First other")), csm)
    with django_assert_num_queries(26):
        client.get(url(resolved))
    for i in range(3):
        add_follow_up(resolved, csm)
        other = make_escalation(make_account(f"Other {i}"), summary=f"other {i}")
        add_follow_up(other, csm)
    with django_assert_num_queries(26):
        client.get(url(resolved))


def test_a_post_mortem_started_by_a_follow_up_is_prefilled_too(client, csm, resolved):
    add_follow_up(resolved, csm)
    pm = PostMortem.objects.get()
    assert pm.status == "draft" and [r["text"] for r in pm.timeline] == [
        "Opened by Csm (person).",
        "Resolved by Csm.",
    ]
    assert pm.root_cause == "A schema migration locked the export table."


def test_the_systemic_answer_survives_a_refused_completion(client, csm, resolved):
    client.force_login(csm)
    response = client.post(url(resolved, "save/"), complete_data(systemic="false"))
    assert response.status_code == 400  # no follow-up yet
    body = response.content.decode()
    select = body[body.index('name="systemic"') :].split("</select>")[0]
    assert '<option value="false" selected>' in select
    assert '<option value="" selected>' not in select


def test_the_api_close_gate_follows_the_form(client, csm, resolved):
    from tickets.models import ApiToken

    auth = {"Authorization": f"Bearer {ApiToken.issue('t')[1]}"}
    path = f"/api/v1/escalations/{resolved.pk}/transition"
    body = {"to": "closed", "note": "Customer confirmed on the call"}
    refused = client.post(path, body, content_type="application/json", headers=auth)
    assert refused.status_code == 409
    assert "post-mortem" in refused.json()["reason"]
    add_follow_up(resolved, csm)
    client.force_login(csm)
    client.post(url(resolved, "save/"), complete_data())
    allowed = client.post(path, body, content_type="application/json", headers=auth)
    assert allowed.status_code == 200 and allowed.json()["status"] == "closed"
    assert allowed.json()["post_mortem"] == "complete"
