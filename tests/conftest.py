"""Shared fixtures: one user per role plus an outsider (a CSM who owns nothing)."""

import os

import pytest
from django.conf import settings

from tests.factories import make_user
from vipdesk.roles import Role


@pytest.fixture
def csm(db):
    return make_user("csm", Role.CSM)


@pytest.fixture
def lead(db):
    return make_user("lead", Role.LEAD)


@pytest.fixture
def agent_user(db):
    return make_user("agent", Role.AGENT)


@pytest.fixture
def admin_user(db):
    return make_user("admin", Role.ADMIN, is_staff=True)


@pytest.fixture
def outsider(db):
    return make_user("outsider", Role.CSM)


@pytest.fixture
def redis_connection():
    """The machine's real Redis (a database of the tests' own), flushed before use.
    Unreachable Redis fails the test, in CI and locally: it is never skipped."""
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisConnectionError

    connection = Redis.from_url(settings.TEST_REDIS_URL)
    try:
        connection.ping()
    except RedisConnectionError as error:
        pytest.fail(f"Redis at {settings.TEST_REDIS_URL} is required: {error}")
    connection.flushdb()
    yield connection
    connection.flushdb()


def pytest_configure(config):
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
