import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_it_passes_the_deploy_check_in_production_mode():
    env = {
        key: value
        for key, value in os.environ.items()
        # The production settings must stand on their own, not on the tests' environment.
        if key not in {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
        and not key.startswith("EMAIL_")
    }
    env.update(
        VIPDESK_MODE="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="vipdesk.example.com",
        ZENDESK_WEBHOOK_SECRET=secrets.token_hex(16),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
