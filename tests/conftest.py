"""Shared fixtures: one user per role plus an outsider (a CSM who owns nothing)."""

import importlib
import os

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache

from tests.client import DispatchingClient
from tests.factories import make_user
from vipdesk.lib.roles import Role


@pytest.fixture
def client():
    return DispatchingClient()


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


@pytest.fixture(autouse=True)
def _empty_cache():
    """Pages cache slow aggregates for a minute; every test starts cold."""
    cache.clear()


DEFAULT_POLICY_MIGRATIONS = [
    "tickets.migrations.0010_default_calendar",
    "accounts.migrations.0002_default_policies",
    "accounts.migrations.0007_cadence_policy",
    "tickets.migrations.0002_default_policies",
    "tickets.migrations.0010_default_follow_up_policies",
    "vipdesk.tasks.migrations.0002_defaults_and_follow_ups",
    "escalations.migrations.0002_default_policies",
    "escalations.migrations.0006_playbook_defaults",
    "escalations.migrations.0008_post_mortem_defaults",
    "escalations.migrations.0009_report_policy",
]


@pytest.fixture(autouse=True)
def _default_policies_after_flush(request):
    """Transactional tests (live server, real RQ workers) flush every table when they
    end, including the default policies the data migrations loaded; reload them so
    each such test starts from a fresh install's state."""
    marker = request.node.get_closest_marker("django_db")
    marked = marker is not None and marker.kwargs.get("transaction", False)
    if not marked and not {"transactional_db", "live_server"} & set(request.fixturenames):
        return
    request.getfixturevalue("transactional_db")
    for module in DEFAULT_POLICY_MIGRATIONS:
        importlib.import_module(module).load(apps, None)


def pytest_configure(config):
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
