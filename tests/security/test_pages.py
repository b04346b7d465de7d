"""Every page needs a login (except the machine API), and pages carry a strict CSP."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import make_account

# Pages that must answer without a login, and prefixes that authenticate otherwise.
PUBLIC = {"login/", "logout/", "healthz", "favicon.ico", "oidc/refused/"}
# A token or an allowed network (tests/metrics); the identity provider (tests/sso).
OWN_AUTH = {"metrics", "oidc/authenticate/", "oidc/callback/"}
OWN_AUTH_PREFIXES = ("api/", "admin/")


def page_paths(patterns=None, prefix="") -> list[str]:
    """Every plain path the URLconf serves, with 1 for each parameter."""
    paths = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = str(entry.pattern)
        if route.startswith("^"):
            continue  # regex routes (admin internals)
        for converter in ("<int:", "<str:", "<slug:", "<"):
            while converter in route:
                start = route.index(converter)
                route = route[:start] + "1" + route[route.index(">", start) + 1 :]
        if isinstance(entry, URLResolver):
            paths += page_paths(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            paths.append(prefix + route)
    return sorted(
        {p for p in paths if p not in PUBLIC | OWN_AUTH and not p.startswith(OWN_AUTH_PREFIXES)}
    )


@pytest.mark.parametrize("path", ["", *page_paths()])
def test_it_sends_anonymous_visitors_to_login(client, path):
    response = client.get(f"/{path}")
    assert response.status_code == 302, path
    assert response.url == f"/login/?next=/{path}"


def test_it_sends_anonymous_visitors_to_login_from_the_spec_pages(client, db):
    make_account()
    for path in ["/", "/queue/", "/accounts/at-risk/", "/accounts/1/", "/notifications/"]:
        response = client.get(path)
        # Pages the other issues add must redirect too; until they exist they 404.
        assert response.status_code in (302, 404), path
        if response.status_code == 302:
            assert response.url == f"/login/?next={path}"


@pytest.mark.parametrize(
    "path", ["/api/v1/openapi.json", "/api/v1/tickets/1", "/api/v1/accounts/1"]
)
def test_it_does_not_redirect_the_api(client, path):
    response = client.get(path)
    assert response.status_code != 302
    assert "Location" not in response.headers


def test_it_answers_healthz_without_login(client, db):
    assert client.get("/healthz").json()["status"] == "ok"


def csp_directives(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


@pytest.mark.parametrize("path", ["/login/", "/admin/", "/admin/accounts/tierpolicy/thresholds/"])
def test_it_sends_a_strict_content_security_policy(admin_user, client, path):
    if path.startswith("/admin/"):
        client.force_login(admin_user)
    response = client.get(path)
    assert response.status_code == 200
    csp = csp_directives(response)
    assert csp["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp.get("default-src", [])
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]


def test_it_sends_the_other_security_headers(client):
    response = client.get("/login/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
