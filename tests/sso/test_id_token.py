"""The ID token check against real tokens of the provider in tests/oidc_provider: a
token with a bad signature, tampered claims or another audience is refused."""

import base64
import json
import secrets
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.utils import generate_code_challenge

from tests.factories import PASSWORD as LOCAL_PASSWORD
from tests.sso.provider import CLIENT_ID, CLIENT_SECRET
from tests.sso.test_sign_in import provider_redirect
from vipdesk.sso.backend import SsoBackend

NONCE = "nonce-for-the-test"


def issue_id_token(provider, username: str, client_id=CLIENT_ID, secret=CLIENT_SECRET) -> str:
    """A real ID token: the code flow with PKCE against the provider, outside vipdesk."""
    verifier = secrets.token_urlsafe(48)
    redirect_uri = "http://testserver/oidc/callback/"
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": "openid email profile groups",
        "state": "s",
        "nonce": NONCE,
        "code_challenge": generate_code_challenge(verifier, "S256"),
        "code_challenge_method": "S256",
    }
    back = provider_redirect(f"{provider.issuer}/authorize/?{urlencode(query)}", username)
    code = parse_qs(urlsplit(back).query)["code"][0]
    response = requests.post(
        urljoin(provider.issuer + "/", "token/"),
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": client_id,
            "client_secret": secret,
            "code_verifier": verifier,
        },
        timeout=10,
    )
    response.raise_for_status()
    return response.json()["id_token"]


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@pytest.fixture
def token(sso):
    sso.user("tina", "cs-team")
    return issue_id_token(sso, "tina")


def test_a_genuine_token_passes(token, sso):
    payload = SsoBackend().verify_token(token, nonce=NONCE)
    assert payload["aud"] == CLIENT_ID and payload["iss"] == sso.issuer
    assert payload["groups"] == ["cs-team"]


def test_a_tampered_token_is_refused(token):
    header, payload, signature = token.split(".")
    claims = jwt.decode(token, options={"verify_signature": False})
    forged = b64({**claims, "groups": ["vipdesk-admins"]})
    with pytest.raises(SuspiciousOperation, match="verification failed"):
        SsoBackend().verify_token(f"{header}.{forged}.{signature}", nonce=NONCE)


def test_a_token_signed_with_another_key_is_refused(token):
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    intruder = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims, intruder, algorithm="RS256", headers={"kid": header["kid"]})
    with pytest.raises(SuspiciousOperation, match="verification failed"):
        SsoBackend().verify_token(forged, nonce=NONCE)


def test_an_unsigned_token_is_refused(token):
    kid = jwt.get_unverified_header(token)["kid"]
    claims = jwt.decode(token, options={"verify_signature": False})
    unsigned = f"{b64({'alg': 'none', 'typ': 'JWT', 'kid': kid})}.{b64(claims)}."
    with pytest.raises(SuspiciousOperation, match="valid JWKS"):
        SsoBackend().verify_token(unsigned, nonce=NONCE)


def test_a_token_for_another_client_is_refused(sso):
    sso.client("other-app", "other-secret", "http://testserver/oidc/callback/")
    sso.user("tina", "cs-team")
    other = issue_id_token(sso, "tina", client_id="other-app", secret="other-secret")
    with pytest.raises(SuspiciousOperation, match="audience"):
        SsoBackend().verify_token(other, nonce=NONCE)


def test_a_replayed_token_with_another_nonce_is_refused(token):
    with pytest.raises(SuspiciousOperation, match="Nonce"):
        SsoBackend().verify_token(token, nonce="another-login")


def test_a_forged_code_in_the_callback_is_refused_politely(client, sso):
    sso.user("tina", "cs-team")
    start = client.get("/oidc/authenticate/")
    state = parse_qs(urlsplit(start.url).query)["state"][0]
    response = client.get(f"/oidc/callback/?code=forged&state={state}")
    assert response.url == "/oidc/refused/"
    assert "_auth_user_id" not in client.session
    assert "Single sign-on did not work" in client.get(response.url).content.decode()


def test_sso_refusals_never_lock_out_an_address(client, sso, settings, csm):
    """The provider throttles its own password form; one address may be a whole office."""

    def forged_callback():
        start = client.get("/oidc/authenticate/")
        state = parse_qs(urlsplit(start.url).query)["state"][0]
        return client.get(f"/oidc/callback/?code=forged&state={state}").status_code

    codes = [forged_callback() for _ in range(settings.AXES_FAILURE_LIMIT + 1)]
    assert codes == [302] * (settings.AXES_FAILURE_LIMIT + 1)
    response = client.post("/login/", {"username": "csm", "password": LOCAL_PASSWORD})
    assert response.status_code == 302
