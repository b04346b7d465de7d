"""The playbook's policies are admin tables; the timeline is read-only there."""

import pytest

from escalations.actions import transition
from tests.factories import make_escalation

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    ["playbookpolicy/1/change/", "roleholder/", "typeowners/", "goodwillapprovalrule/",
     "severitypolicy/"],
)  # fmt: skip
def test_the_admin_edits_the_playbook_policies(admin_user, client, path):
    client.force_login(admin_user)
    assert client.get(f"/admin/escalations/{path}").status_code == 200


def test_events_are_read_only_in_the_admin(admin_user, client, account, csm):
    e = make_escalation(account)
    transition(e, "acknowledged", by=csm)
    event = e.events.get()
    client.force_login(admin_user)
    assert client.get("/admin/escalations/escalationevent/").status_code == 200
    client.post(f"/admin/escalations/escalationevent/{event.pk}/change/", {"text": "edited"})
    client.post(f"/admin/escalations/escalationevent/{event.pk}/delete/", {"post": "yes"})
    event.refresh_from_db()
    assert event.text == "Acknowledged by Csm."
    assert client.get("/admin/escalations/escalationevent/add/").status_code == 403
