from datetime import timedelta

import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from tests.factories import PASSWORD

IDLE = timedelta(seconds=settings.SESSION_COOKIE_AGE)


def log_in(client, username):
    response = client.post("/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_it_gives_a_new_session_id_at_login(client, csm):
    session = client.session
    session["probe"] = "before login"
    session.save()
    anonymous_key = session.session_key
    key = log_in(client, "csm")
    assert key != anonymous_key
    assert not Session.objects.filter(session_key=anonymous_key).exists()


def test_it_ends_the_session_on_the_server_at_logout(client, admin_user):
    key = log_in(client, "admin")
    response = client.post("/logout/")
    assert response.status_code == 302 and response.url == "/login/"
    assert not Session.objects.filter(session_key=key).exists()
    # Replaying the old cookie gets the login page, not the app.
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = key
    assert replay.get("/admin/tickets/holiday/").url == "/login/?next=/admin/tickets/holiday/"


def test_it_logs_out_only_by_post(client, admin_user):
    log_in(client, "admin")
    assert client.get("/logout/").status_code == 405
    assert client.get("/admin/").status_code == 200


def test_it_ends_an_idle_session(client, admin_user):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        log_in(client, "admin")
        clock.move_to(start + IDLE + timedelta(minutes=1))
        assert client.get("/admin/tickets/holiday/").url == "/login/?next=/admin/tickets/holiday/"


def test_it_keeps_an_active_session_alive(client, admin_user):
    # Each request pushes the expiry out (SESSION_SAVE_EVERY_REQUEST), so only
    # idleness ends a session, not its total age.
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        log_in(client, "admin")
        for step in range(1, 4):
            clock.move_to(start + step * (IDLE - timedelta(minutes=5)))
            assert client.get("/admin/").status_code == 200


def test_it_sets_session_cookie_flags(client, csm):
    log_in(client, "csm")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE


def test_it_refuses_a_logged_in_post_without_csrf_token(admin_user):
    from tickets.models import Holiday

    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    response = client.post("/admin/tickets/holiday/add/", {"day": "2026-12-25", "name": "X"})
    assert response.status_code == 403
    assert not Holiday.objects.exists()


def test_the_queues_background_refresh_does_not_extend_the_session(client, lead):
    start = timezone.now()
    background = {"HX-Request": "true", "X-Background-Refresh": "1"}
    with time_machine.travel(start, tick=False) as clock:
        log_in(client, "lead")
        clock.move_to(start + IDLE - timedelta(minutes=5))
        assert client.get("/queue/", headers=background).status_code == 200
        clock.move_to(start + IDLE + timedelta(minutes=1))
        assert client.get("/queue/", headers=background).url == "/login/?next=/queue/"


def test_the_queue_marks_its_poll_as_a_background_refresh(client, lead):
    client.force_login(lead)
    assert 'hx-headers=\'{"X-Background-Refresh": "1"}\'' in client.get("/queue/").text
