"""The identity provider, found by OpenID Connect discovery and cached for an hour.

mozilla-django-oidc reads its endpoints from settings; `setting()` answers those
from the discovery document instead, lazily, so nothing is fetched until a login
needs it (a signed-in user's requests never wait for the provider)."""

import time

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import lazy
from mozilla_django_oidc.utils import import_from_settings

DISCOVERY_TTL_SECONDS = 3600
ENDPOINT_SETTINGS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}

_documents: dict[str, tuple[float, dict]] = {}


def discovery() -> dict:
    issuer = settings.OIDC_ISSUER
    cached = _documents.get(issuer)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    response = requests.get(
        f"{issuer}/.well-known/openid-configuration", timeout=settings.OIDC_TIMEOUT
    )
    response.raise_for_status()
    document = response.json()
    if document.get("issuer", "").rstrip("/") != issuer:
        raise ImproperlyConfigured(
            f"The provider at OIDC_ISSUER calls itself {document.get('issuer')!r}."
        )
    _documents[issuer] = (time.monotonic() + DISCOVERY_TTL_SECONDS, document)
    return document


def endpoint(name: str) -> str:
    return discovery()[name]


lazy_endpoint = lazy(endpoint, str)


def setting(attr: str, *args):
    """mozilla-django-oidc's settings lookup, with the endpoints from discovery."""
    if attr in ENDPOINT_SETTINGS:
        return lazy_endpoint(ENDPOINT_SETTINGS[attr])
    return import_from_settings(attr, *args)
