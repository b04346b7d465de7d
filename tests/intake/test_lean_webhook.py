"""The signed webhook goes through the short middleware list of
vipdesk/machine_endpoints.py; everything else through settings.MIDDLEWARE."""

import pytest
from django.test import Client

from tests.intake.helpers import post_webhook, zendesk_payload
from vipdesk.machine_endpoints import Dispatch, paths

pytestmark = pytest.mark.django_db


def test_the_webhook_skips_the_middleware_meant_for_people(client):
    r = post_webhook(client, zendesk_payload())
    assert r.status_code == 201
    assert r.wsgi_request.resolver_match.url_name == "zendesk_webhook"
    # No session, CSRF, CSP or clickjacking work for a machine…
    assert "Content-Security-Policy" not in r.headers
    assert "X-Frame-Options" not in r.headers
    assert not r.cookies and not hasattr(r.wsgi_request, "session")
    # …but the security headers stay.
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "same-origin"


def test_the_full_stack_answers_the_webhook_the_same(db):
    """Django's own client (every middleware) gets the same answers: the lean path
    changes the stack around the view, not the view."""
    full = Client()
    assert post_webhook(full, zendesk_payload()).status_code == 201
    assert post_webhook(full, zendesk_payload()).status_code == 200
    assert post_webhook(full, zendesk_payload(), signature="bad").status_code == 401


def test_other_paths_keep_every_middleware(client):
    r = client.get("/healthz")
    assert "Content-Security-Policy" in r.headers
    assert client.get("/api/v1/docs").status_code == 401


def test_errors_of_the_lean_path_answer_json(client):
    r = client.put("/api/v1/webhooks/zendesk")
    assert r.status_code == 405 and r.json() == {"error": "Method Not Allowed."}
    r = post_webhook(client, zendesk_payload(), signature="bad")
    assert r.status_code == 401 and r.json()["error"] == "bad signature"


def test_dispatch_sends_only_the_webhook_path_to_the_lean_handler():
    dispatch = Dispatch(lambda environ, *a: "full", lambda environ, *a: "lean")
    assert paths() == {"/api/v1/webhooks/zendesk"}
    assert dispatch({"PATH_INFO": "/api/v1/webhooks/zendesk"}, None) == "lean"
    assert dispatch({"PATH_INFO": "/api/v1/webhooks/zendesk/"}, None) == "full"
    assert dispatch({"PATH_INFO": "/api/v1/tickets"}, None) == "full"
