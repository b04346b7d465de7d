"""The one advisory-lock helper (routing's drainer, the full rescore)."""

import pytest
from django.db import connections

from vipdesk.lib.locks import advisory_lock

pytestmark = pytest.mark.django_db


def test_it_is_granted_once_and_released_on_exit():
    with advisory_lock("test.lock") as first:
        assert first
    with advisory_lock("test.lock") as again:
        assert again


def test_it_is_refused_while_another_session_holds_it_never_waiting():
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", ["test.lock"])
        with advisory_lock("test.lock") as acquired:
            assert not acquired
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", ["test.lock"])
    finally:
        other.close()
    with advisory_lock("test.lock") as acquired:
        assert acquired
