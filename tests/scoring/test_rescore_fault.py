"""kill -9 of a real RQ work horse in the middle of a full rescore: no account is left
half-scored, no run stays "running", and the retry's scores equal a clean run's."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from rq import Queue, Retry

from accounts.models import Account, ScoringRun
from tests.factories import make_account, make_contact, make_escalation, make_ticket
from vipdesk.insight import jobs

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.rq


def wait_for(predicate, timeout=60.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


def horse_of(worker_pid: int) -> int | None:
    """The worker's youngest child: the work horse (the scheduler child is older)."""
    children = Path(f"/proc/{worker_pid}/task/{worker_pid}/children").read_text().split()

    def started(pid: str) -> int:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])

    return int(max(children, key=started)) if children else None


def populate(now):
    for i in range(12):
        account = make_account(nps=40 - 10 * i, previous_nps=40, usage_trend_pct=-5.0 * i)
        for d in range(i % 5):
            make_ticket(
                account,
                created_at=now - timedelta(days=d),
                customer_priority="P1",
                sentiment=-0.5,
                churn_points=15,
            )
        if i % 3 == 0:
            make_escalation(account, severity="critical")
        if i % 4 == 0:
            make_contact(account, is_champion=True, last_contacted_at=now - timedelta(days=80))


def scores():
    return {
        a.pk: (a.risk_score, a.health_score, a.risk_level, a.risk_factors, a.risk_alerted_threshold)
        for a in Account.objects.all()
    }


@pytest.fixture
def worker(transactional_db, redis_connection):
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "vipdesk.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.TEST_REDIS_URL,
        "TIME_ZONE": "UTC",
        "LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [sys.executable, "manage.py", "rqworker", "default", "--with-scheduler"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    yield process
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_it_survives_kill_9_of_the_work_horse(worker, redis_connection):
    now = timezone.now()
    populate(now)
    queue = Queue("default", connection=redis_connection)
    queue.enqueue(
        jobs.rescore_all,
        kwargs={"chunk_size": 2, "pause": 0.4},  # 6 chunks, slow enough to kill in the middle
        job_id="rescore-all-fault-test",
        retry=Retry(max=3, interval=1),
        job_timeout=600,
    )
    run = wait_for(
        lambda: ScoringRun.objects.filter(status="running", accounts_done__gte=4).first(),
        what="the run to be half-way",
    )
    horse = wait_for(lambda: horse_of(worker.pid), what="the work horse")
    os.kill(horse, signal.SIGKILL)

    # Nothing of the killed run was written.
    assert not Account.objects.filter(scored_at__isnull=False).exists()

    # The retry finishes the job; the dead run is marked abandoned, none stays running.
    wait_for(lambda: ScoringRun.objects.filter(status="finished").exists(), what="the retry")
    run.refresh_from_db()
    assert run.status == ScoringRun.Status.ABANDONED
    assert not ScoringRun.objects.filter(status="running").exists()
    assert not Account.objects.filter(scored_at__isnull=True).exists()
    after_retry = scores()

    # A clean run gives the same scores.
    jobs.rescore_all()
    assert scores() == after_retry
    assert any(risk > 0 for risk, *_ in after_retry.values())
    assert ScoringRun.objects.filter(status="finished").count() == 2
