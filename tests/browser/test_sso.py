"""Single sign-on in Chromium: through the real provider's page to the mapped role's home."""

import pytest
from playwright.sync_api import expect

from tests.sso.conftest import enable_sso, oidc_provider  # noqa: F401 (fixture)
from tests.sso.provider import PASSWORD
from vipdesk.lib.roles import Role
from vipdesk.sso.models import GroupRole

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sso(settings, oidc_provider, live_server):  # noqa: F811
    enable_sso(settings, oidc_provider, live_server.url)
    GroupRole.objects.create(group="support-leads", role=Role.LEAD)
    GroupRole.objects.create(group="support-agents", role=Role.AGENT)
    return oidc_provider


def sign_in_at_the_provider(page, username):
    page.goto("/login/")
    page.get_by_role("link", name="Sign in with Test IdP").click()
    page.get_by_label("Provider username").fill(username)
    page.get_by_label("Provider password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in at the provider").click()


def test_a_lead_signs_in_and_lands_on_the_dashboard(page, sso, live_server):
    sso.user("nora", "support-leads", given_name="Nora")
    sign_in_at_the_provider(page, "nora")
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="VIP support dashboard")).to_be_visible()
    expect(page.locator(".who")).to_have_text("Nora")
    assert not [e for e in page.console_errors if "Content Security Policy" in e]


def test_an_agent_lands_on_the_queue_and_logs_out_of_both(page, sso, live_server):
    sso.user("omar", "support-agents")
    sign_in_at_the_provider(page, "omar")
    page.wait_for_url(f"{live_server.url}/queue/")
    expect(page.get_by_role("heading", name="VIP queue")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server.url}/login/")
    page.goto("/queue/")
    page.wait_for_url(f"{live_server.url}/login/?next=/queue/")
