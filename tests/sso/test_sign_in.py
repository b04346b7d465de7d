"""Single sign-on end to end against the real provider of tests/oidc_provider:
discovery, the code flow with PKCE, the ID token's signature, group → role mapping."""

from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session

from tests.factories import PASSWORD as LOCAL_PASSWORD
from tests.sso.provider import PASSWORD
from vipdesk.lib.roles import Role, roles_of
from vipdesk.sso.models import GroupRole, SsoIdentity


@pytest.fixture
def mapping(db):
    GroupRole.objects.create(group="cs-team", role=Role.CSM)
    GroupRole.objects.create(group="support-leads", role=Role.LEAD)
    GroupRole.objects.create(group="vipdesk-admins", role=Role.ADMIN)


def provider_redirect(location: str, username: str, password: str = PASSWORD) -> str:
    """Sign in at the provider's own login page, as a browser would; returns where the
    provider sends the browser back (vipdesk's callback with code and state)."""
    browser = requests.Session()
    page = browser.get(location, timeout=10)  # authorize → the provider's login page
    assert "Provider username" in page.text
    response = browser.post(
        page.url,
        data={
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
        },
        allow_redirects=False,
        timeout=10,
    )
    while not (location := urljoin(response.url, response.headers["Location"])).startswith(
        "http://testserver/"
    ):
        response = browser.get(location, allow_redirects=False, timeout=10)
    return location


def sign_in(client, username: str, next_url: str = ""):
    start = client.get("/oidc/authenticate/" + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302
    callback = provider_redirect(start.url, username)
    return client.get(callback.removeprefix("http://testserver"))


def test_the_login_page_offers_the_provider_beside_the_password(client, sso):
    page = client.get("/login/").content.decode()
    assert "Sign in with Test IdP" in page
    assert 'name="password"' in page


def test_it_starts_the_code_flow_with_pkce_at_the_discovered_endpoint(client, sso):
    response = client.get("/oidc/authenticate/")
    url = urlsplit(response.url)
    query = parse_qs(url.query)
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{sso.issuer}/authorize/"
    assert query["response_type"] == ["code"]
    assert query["client_id"] == ["vipdesk"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert query["scope"] == ["openid email profile groups"]
    assert query["redirect_uri"] == ["http://testserver/oidc/callback/"]
    assert query["nonce"] and query["state"]


def test_first_login_creates_the_user_with_the_mapped_role(client, sso, mapping):
    sso.user("dana", "cs-team", "everyone", given_name="Dana", email="dana@corp.test")
    response = sign_in(client, "dana", next_url="/accounts/at-risk/")
    assert response.status_code == 302
    assert response.url == "/accounts/at-risk/"
    user = User.objects.get(pk=client.session["_auth_user_id"])
    assert (user.username, user.email, user.first_name) == ("dana", "dana@corp.test", "Dana")
    assert not user.has_usable_password()
    assert roles_of(user) == {Role.CSM}
    identity = SsoIdentity.objects.get(user=user)
    assert identity.issuer == sso.issuer
    assert client.get("/").status_code == 200


def test_a_group_change_applies_at_the_next_login(client, sso, mapping):
    sso.user("lee", "support-leads")
    sign_in(client, "lee")
    user = User.objects.get(username="lee")
    assert roles_of(user) == {Role.LEAD} and not user.is_staff

    client.post("/logout/")
    sso.user("lee", "vipdesk-admins", "cs-team")
    sign_in(client, "lee")
    user = User.objects.get(username="lee")
    assert roles_of(user) == {Role.ADMIN, Role.CSM} and user.is_staff
    assert User.objects.filter(username__startswith="lee").count() == 1


def test_an_unmapped_user_is_refused_politely_and_not_created(client, sso, mapping):
    sso.user("sam", "marketing")
    response = sign_in(client, "sam")
    assert response.url == "/oidc/refused/"
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(username="sam").exists()
    page = client.get(response.url).content.decode()
    assert "Ask your vipdesk admin to map one of your groups" in page
    assert "Your groups: marketing" in page


def test_a_user_whose_groups_are_unmapped_loses_the_role_and_is_refused(client, sso, mapping):
    sso.user("kim", "cs-team")
    sign_in(client, "kim")
    client.post("/logout/")
    sso.user("kim", "alumni")
    assert sign_in(client, "kim").url == "/oidc/refused/"
    assert roles_of(User.objects.get(username="kim")) == set()
    assert "_auth_user_id" not in client.session


def test_a_local_account_of_the_same_name_is_never_taken_over(client, sso, mapping, csm):
    sso.user("csm", "support-leads")
    sign_in(client, "csm")
    user = User.objects.get(pk=client.session["_auth_user_id"])
    assert user != csm and user.username.startswith("csm~")
    assert roles_of(csm) == {Role.CSM}


def test_the_password_login_keeps_working(client, sso, csm):
    response = client.post("/login/", {"username": "csm", "password": LOCAL_PASSWORD})
    assert response.url == "/"


def test_logout_ends_the_session_and_the_providers(client, sso, mapping):
    sso.user("ola", "cs-team")
    sign_in(client, "ola")
    session_key = client.session.session_key
    response = client.post("/logout/")
    url = urlsplit(response.url)
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{sso.issuer}/logout/"
    query = parse_qs(url.query)
    assert query["post_logout_redirect_uri"] == ["http://testserver/login/"]
    assert query["id_token_hint"]
    assert "_auth_user_id" not in client.session
    assert not Session.objects.filter(session_key=session_key).exists()
    assert client.get("/").status_code == 302


def test_the_sso_session_follows_the_idle_rules(client, sso, mapping, settings):
    sso.user("ida", "cs-team")
    sign_in(client, "ida")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE
    assert cookie["httponly"]


def test_sso_pages_are_not_found_while_sso_is_off(client, db):
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/?code=x&state=y").status_code == 404
    assert "Sign in with" not in client.get("/login/").content.decode()


def test_password_login_can_be_turned_off(client, sso, csm, settings):
    settings.PASSWORD_LOGIN = False
    page = client.get("/login/").content.decode()
    assert "Sign in with Test IdP" in page and 'name="password"' not in page
    assert client.post("/login/", {"username": "csm", "password": "x"}).status_code == 404


def test_password_logins_are_still_throttled(client, sso, csm, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "csm", "password": "wrong"})
    assert client.post("/login/", {"username": "csm", "password": "wrong"}).status_code == 429
