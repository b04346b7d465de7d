"""Test settings: the machine's real PostgreSQL; jobs inline unless a test starts RQ."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/vipdesk")
os.environ.pop("REDIS_URL", None)
os.environ.setdefault("TIME_ZONE", "UTC")

from vipdesk.settings import *  # noqa: E402,F403

# Real Redis for the tests that run RQ workers; a database number of its own.
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
ZENDESK_WEBHOOK_SECRET = "test-webhook-secret"  # noqa: S105
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
