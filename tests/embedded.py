"""Run a script in a separate process against a fresh SQLite file, as the embedded demo
runs (no Redis: jobs inline)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_on_sqlite(tmp_path, script: str, **env_vars: str) -> str:
    """Migrate a new SQLite database, run `script` in `manage.py shell` and return the
    line it printed starting with "RESULT"."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "vipdesk.settings",
        "LOG_LEVEL": "WARNING",
        **env_vars,
    }
    env.pop("REDIS_URL", None)
    python = [sys.executable, "manage.py"]
    subprocess.run([*python, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    out = subprocess.run(
        [*python, "shell", "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return next(line for line in out.splitlines() if line.startswith("RESULT"))
