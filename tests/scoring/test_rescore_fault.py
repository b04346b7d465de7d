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
    # RQ's forking worker (vipdesk's own is a SimpleWorker, without a work horse).
    command = ["rqworker", "default", "--with-scheduler", "--worker-class", "rq.worker.Worker"]
    process = subprocess.Popen(
        [sys.executable, "manage.py", *command],
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


def children_of(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.fixture
def supervised_worker(transactional_db, redis_connection):
    """A worker as scripts/start runs it: vipdesk's worker class under scripts/supervise."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "vipdesk.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.TEST_REDIS_URL,
        "TIME_ZONE": "UTC",
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "manage.py", "rqworker", "default", "--with-scheduler"]
    process = subprocess.Popen(
        ["scripts/supervise", *command, "--worker-class", "vipdesk.worker.Worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    yield process
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def test_a_rescore_whose_worker_is_killed_is_rerun_within_two_minutes(
    supervised_worker, redis_connection
):
    now = timezone.now()
    populate(now)
    jobs.rescore_all()  # a finished run: the next one is not due for an hour
    clean = scores()
    Queue("default", connection=redis_connection).enqueue(
        jobs.rescore_all,
        kwargs={"chunk_size": 2, "pause": 0.4},
        job_id="rescore-all-killed-worker",
        job_timeout=jobs.RESCORE_ALL_TIMEOUT,
    )
    run = wait_for(
        lambda: ScoringRun.objects.filter(status="running", accounts_done__gte=4).first(),
        what="the run to be half-way",
    )
    [worker_pid] = children_of(supervised_worker.pid)
    scheduler_children = children_of(worker_pid)
    os.kill(worker_pid, signal.SIGKILL)  # the whole worker, e.g. the OOM killer
    killed_at = time.monotonic()

    # Nothing it forked outlives it, and a new worker takes its place.
    wait_for(lambda: not any(alive(p) for p in scheduler_children), 10, "the orphans to go")
    wait_for(lambda: children_of(supervised_worker.pid), 15, "a new worker")
    # The next minute's check (cron) sees the dead run and starts the rescore again.
    wait_for(lambda: not jobs.rescore.full_rescore_in_progress(), 30, "the lock to be free")
    assert jobs.rescore_if_due()
    wait_for(
        lambda: ScoringRun.objects.filter(status="finished").count() == 2,
        120 - (time.monotonic() - killed_at),
        "the re-run",
    )
    run.refresh_from_db()
    assert run.status == ScoringRun.Status.ABANDONED
    assert scores() == clean
