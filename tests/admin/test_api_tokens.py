import re

from accounts.models import PolicyChange
from tickets.models import ApiToken


def issue_through_admin(client, name="zendesk-bridge"):
    return client.post("/admin/tickets/apitoken/add/", {"name": name}, follow=True)


def test_it_issues_a_token_and_shows_it_once(admin_client, admin_user):
    response = issue_through_admin(admin_client)
    content = response.content.decode()
    plaintext = re.search(r"(vd_[A-Za-z0-9_-]{20,})", content).group(1)
    token = ApiToken.objects.get()
    assert (token.name, token.created_by) == ("zendesk-bridge", admin_user)
    assert token.token_hash == ApiToken.hash(plaintext)
    assert token.prefix == plaintext[:8]
    assert "it will not be shown again" in content
    # Neither the list nor the token's page shows it again.
    assert plaintext not in admin_client.get("/admin/tickets/apitoken/").content.decode()
    page = admin_client.get(f"/admin/tickets/apitoken/{token.pk}/change/")
    assert plaintext not in page.content.decode()


def test_it_audits_issuing_without_the_hash(admin_client):
    issue_through_admin(admin_client)
    change = PolicyChange.objects.get()
    assert (change.model, change.action, change.changes) == (
        "tickets.ApiToken",
        "create",
        {"name": [None, "zendesk-bridge"]},
    )


def test_it_rejects_a_duplicate_token_name(admin_client):
    ApiToken.issue("zendesk-bridge")
    response = admin_client.post("/admin/tickets/apitoken/add/", {"name": "zendesk-bridge"})
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert ApiToken.objects.count() == 1


def test_it_revokes_selected_tokens(admin_client):
    live, _ = ApiToken.issue("live")
    kept, _ = ApiToken.issue("kept")
    admin_client.post(
        "/admin/tickets/apitoken/", {"action": "revoke", "_selected_action": [live.pk]}
    )
    live.refresh_from_db()
    kept.refresh_from_db()
    assert live.revoked_at is not None
    assert kept.revoked_at is None
    change = PolicyChange.objects.get()
    assert change.object_id == str(live.pk)
    assert change.changes["revoked_at"][0] is None


def test_it_does_not_edit_an_issued_token(admin_client):
    token, _ = ApiToken.issue("live")
    url = f"/admin/tickets/apitoken/{token.pk}/change/"
    assert b'name="_save"' not in admin_client.get(url).content
    assert admin_client.post(url, {"name": "renamed"}).status_code == 403
    token.refresh_from_db()
    assert token.name == "live"
