"""/escalations/<id>/drafts/…: build, edit, log as sent, print; access and escaping."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from escalations.actions import add_action
from escalations.models import Communication, Draft, EscalationEvent
from tests.factories import make_account, make_escalation

pytestmark = pytest.mark.django_db
SCRIPT = "<script>alert('x')</script>"


@pytest.fixture
def e(csm):
    account = make_account("Globex", arr=Decimal(620000), csm=csm)
    escalation = make_escalation(
        account, severity="critical", owner=csm, customer_statement=f"Exports fail {SCRIPT}"
    )
    add_action(escalation, by=csm, horizon="immediate", description="Roll back",
               owner=csm, due_at=timezone.now() + timedelta(hours=3))  # fmt: skip
    return escalation


def new(client, e, kind):
    response = client.post(f"/escalations/{e.pk}/drafts/new/", {"kind": kind})
    assert response.status_code == 302
    return Draft.objects.latest("pk")


def test_it_lists_the_drafts_and_offers_each_kind(client, csm, e):
    client.force_login(csm)
    body = client.get(f"/escalations/{e.pk}/drafts/").content.decode()
    for kind in Draft.Kind.values:
        assert f'data-kind="{kind}"' in body


def test_it_builds_a_draft_with_a_frozen_snapshot(client, csm, e):
    client.force_login(csm)
    draft = new(client, e, "internal_brief")
    assert draft.snapshot["escalation"]["code"] == e.code
    assert draft.snapshot["actions"][0]["description"] == "Roll back"
    e.summary = "Changed later"
    e.save()
    draft.refresh_from_db()
    assert draft.snapshot["escalation"]["summary"] != "Changed later"
    assert EscalationEvent.objects.filter(escalation=e, kind="draft").exists()
    body = client.get(f"/escalations/{e.pk}/drafts/{draft.pk}/").content.decode()
    assert 'data-testid="word-count"' in body and "of at most 300 words" in body


def test_a_draft_on_a_sparse_record_links_the_gaps(client, csm, e):
    client.force_login(csm)
    draft = new(client, e, "internal_brief")
    body = client.get(f"/escalations/{e.pk}/drafts/{draft.pk}/").content.decode()
    assert "Fill in the business impact" in body
    assert f'href="/escalations/{e.pk}/#analysis"' in body
    assert "None" not in draft.body


def test_editing_the_brief_enforces_the_word_limit_and_flags_blame(client, csm, e):
    client.force_login(csm)
    draft = new(client, e, "internal_brief")
    url = f"/escalations/{e.pk}/drafts/{draft.pk}/edit/"
    response = client.post(url, {"body": "word " * 301})
    assert response.status_code == 400
    assert "The internal brief has 301 words; keep it within 300." in response.content.decode()
    assert client.post(url, {"body": "It was the on-call engineer's fault."}).status_code == 302
    body = client.get(f"/escalations/{e.pk}/drafts/{draft.pk}/").content.decode()
    assert 'data-testid="blame"' in body and "fault" in body


def test_logging_as_sent_writes_the_communication_log_once(client, csm, e):
    client.force_login(csm)
    draft = new(client, e, "first_response")
    url = f"/escalations/{e.pk}/drafts/{draft.pk}/sent/"
    data = {"type": "email", "recipient": "Dana Reyes", "to_customer": "on"}
    assert client.post(url, data).status_code == 302
    draft.refresh_from_db()
    communication = Communication.objects.get()
    assert draft.sent_at and draft.communication == communication
    assert communication.to_customer and "First customer response" in communication.summary
    e.refresh_from_db()
    assert e.last_customer_update_at == draft.sent_at
    client.post(url, data)
    assert Communication.objects.count() == 1
    response = client.post(f"/escalations/{e.pk}/drafts/{draft.pk}/edit/", {"body": "late"})
    assert response.status_code == 400  # sent drafts no longer change


def test_customer_text_stays_text_in_drafts_and_print_views(client, csm, e):
    client.force_login(csm)
    for kind in ("first_response", "recovery", "exec_call"):
        draft = new(client, e, kind)
        assert SCRIPT in draft.body  # stored as typed …
        for path in ("", "print/"):
            body = client.get(f"/escalations/{e.pk}/drafts/{draft.pk}/{path}").content.decode()
            assert SCRIPT not in body  # … and escaped wherever it is shown
            assert "&lt;script&gt;" in body


def test_the_print_view_shows_the_text(client, csm, e):
    client.force_login(csm)
    draft = new(client, e, "timeline")
    body = client.get(f"/escalations/{e.pk}/drafts/{draft.pk}/print/").content.decode()
    assert "14-DAY RESOLUTION TIMELINE" in body and 'class="print"' in body


def test_it_checks_access(client, agent_user, outsider, csm, e):
    client.force_login(csm)
    draft = new(client, e, "first_response")
    client.force_login(agent_user)
    assert client.get(f"/escalations/{e.pk}/drafts/{draft.pk}/").status_code == 200
    assert client.post(f"/escalations/{e.pk}/drafts/new/", {"kind": "recovery"}).status_code == 403
    client.force_login(outsider)
    url = f"/escalations/{e.pk}/drafts/{draft.pk}/edit/"
    assert client.post(url, {"body": "x"}).status_code == 403
    other = make_escalation(make_account("Other", csm=outsider))
    client.force_login(csm)
    assert client.get(f"/escalations/{other.pk}/drafts/{draft.pk}/").status_code == 404


@pytest.mark.parametrize("rest", ["new/", "1/edit/", "1/sent/"])
def test_writes_require_post(client, csm, e, rest):
    client.force_login(csm)
    assert client.get(f"/escalations/{e.pk}/drafts/{rest}").status_code == 405


def test_the_draft_page_runs_a_constant_number_of_queries(
    client, csm, e, django_assert_num_queries
):
    client.force_login(csm)
    draft = new(client, e, "internal_brief")
    with django_assert_num_queries(12):
        client.get(f"/escalations/{e.pk}/drafts/{draft.pk}/")
    with django_assert_num_queries(10):
        client.get(f"/escalations/{e.pk}/drafts/")
