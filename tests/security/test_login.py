import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from tests.factories import PASSWORD

LIMIT = settings.AXES_FAILURE_LIMIT


def log_in(client, username, password=PASSWORD, url="/login/", **extra):
    return client.post(url, {"username": username, "password": password}, **extra)


def fail(client, username, times, **extra):
    return [log_in(client, username, "wrong-password", **extra).status_code for _ in range(times)]


def page_text(response) -> str:
    # Everything but the per-request CSRF token.
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", response.content.decode())


def test_it_shows_the_login_page(client):
    response = client.get("/login/")
    assert response.status_code == 200
    assert b'name="username"' in response.content and b'name="password"' in response.content


def test_it_logs_in_and_goes_home(client, csm):
    response = log_in(client, "csm")
    assert response.status_code == 302
    assert response.url == "/"
    assert client.session["_auth_user_id"] == str(csm.pk)


def test_it_follows_next_after_login(client, csm):
    response = client.post(
        "/login/", {"username": "csm", "password": PASSWORD, "next": "/accounts/at-risk/"}
    )
    assert response.url == "/accounts/at-risk/"


def test_it_refuses_a_wrong_password_without_saying_which_part(client, csm):
    response = log_in(client, "csm", "nope")
    assert response.status_code == 200
    assert "Your username and password didn" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_locks_a_username_and_address_after_repeated_failures(client, csm):
    assert fail(client, "csm", LIMIT - 1) == [200] * (LIMIT - 1)
    assert fail(client, "csm", 1) == [429]
    response = log_in(client, "csm")  # even the right password
    assert response.status_code == 429
    assert "Try again in 15 minutes" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_answers_the_same_for_unknown_usernames(client, csm):
    fail(client, "csm", LIMIT)
    fail(client, "nobody", LIMIT)
    known, unknown = log_in(client, "csm"), log_in(client, "nobody")
    assert known.status_code == unknown.status_code == 429
    assert page_text(known) == page_text(unknown)


def test_it_locks_only_that_username_from_that_address(client, csm, lead):
    fail(client, "csm", LIMIT)
    assert log_in(client, "lead").status_code == 302
    elsewhere = Client()
    assert log_in(elsewhere, "csm", REMOTE_ADDR="10.0.0.7").status_code == 302


def test_it_unlocks_after_the_cool_off(client, csm):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        fail(client, "csm", LIMIT)
        clock.move_to(start + settings.AXES_COOLOFF_TIME - timedelta(minutes=1))
        assert log_in(client, "csm").status_code == 429
        clock.move_to(start + settings.AXES_COOLOFF_TIME + timedelta(minutes=1))
        assert log_in(client, "csm").status_code == 302


def test_it_does_not_extend_the_lock_on_failures_during_it(client, csm):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        fail(client, "csm", LIMIT)
        clock.move_to(start + timedelta(minutes=10))
        fail(client, "csm", 3)
        clock.move_to(start + settings.AXES_COOLOFF_TIME + timedelta(minutes=1))
        assert log_in(client, "csm").status_code == 302


def test_it_forgets_failures_after_a_successful_login(client, csm):
    fail(client, "csm", LIMIT - 1)
    assert log_in(client, "csm").status_code == 302
    client.post("/logout/")
    assert fail(client, "csm", LIMIT - 1) == [200] * (LIMIT - 1)


def test_it_throttles_the_admin_login_too(client, admin_user):
    codes = fail(client, "admin", LIMIT, url="/admin/login/")
    assert codes[-1] == 429
    assert log_in(client, "admin", url="/admin/login/").status_code == 429
    assert log_in(client, "admin").status_code == 429  # one lock, whichever form


@pytest.mark.parametrize("url", ["/login/", "/admin/login/"])
def test_it_refuses_a_login_post_without_csrf_token(url, csm):
    client = Client(enforce_csrf_checks=True)
    response = log_in(client, "csm", url=url)
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_a_lockout_behind_the_trusted_proxy_is_per_client(client, csm, settings):
    settings.TRUSTED_PROXIES = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    attacker = {**proxy, "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    fail(client, "csm", LIMIT, **attacker)
    assert log_in(Client(), "csm", **attacker).status_code == 429
    real_user = {**proxy, "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    assert log_in(Client(), "csm", **real_user).status_code == 302


def test_a_forwarded_address_from_an_untrusted_peer_is_ignored(client, csm, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    fail(client, "csm", LIMIT, REMOTE_ADDR="192.0.2.50", HTTP_X_FORWARDED_FOR="203.0.113.9")
    spoofed = {"REMOTE_ADDR": "192.0.2.50", "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    assert log_in(Client(), "csm", **spoofed).status_code == 429


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "client_ip"),
    [
        ("10.0.0.2", "203.0.113.9", 1, "203.0.113.9"),
        ("10.0.0.2", "6.6.6.6, 203.0.113.9", 1, "203.0.113.9"),  # spoofed first hop
        ("10.0.0.3", "203.0.113.9, 10.0.0.2", 2, "203.0.113.9"),
        ("10.0.0.2", "203.0.113.9", ["10.0.0.2"], "203.0.113.9"),
        ("10.0.0.3", "6.6.6.6, 203.0.113.9, 10.0.0.2", ["10.0.0.2", "10.0.0.3"], "203.0.113.9"),
        ("192.0.2.50", "203.0.113.9", ["10.0.0.2"], "192.0.2.50"),
        ("10.0.0.2", "203.0.113.9", 0, "10.0.0.2"),
    ],
)
def test_it_finds_the_client_behind_the_trusted_proxies(remote, forwarded, trusted, client_ip):
    from vipdesk.lib.middleware import client_address

    assert client_address(remote, forwarded, trusted) == client_ip
