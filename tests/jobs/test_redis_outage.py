"""Redis hung or down never stalls the pipeline: intake stores and answers at once, and
after Redis returns the scheduler and workers (restarted by scripts/supervise) route
the backlog within a minute without new traffic. Uses a redis-server of the test's own
on a spare port (never the shared one)."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection, connections

from tests.factories import make_account, make_ticket
from tests.intake.helpers import post_webhook, zendesk_payload
from tickets.models import InboxDelivery, Ticket
from vipdesk.settings import rq_queues

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.rq


def spare_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    def __init__(self, port: int):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        pytest.fail("the test's redis-server did not start")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.kill()
            self.process.wait()


@pytest.fixture
def redis_server():
    server = RedisServer(spare_port())
    server.start()
    yield server
    server.stop()


def test_a_hung_redis_does_not_block_intake(client, transactional_db, settings, redis_server):
    make_account("Acme", arr=380_000, domain="acme.example")
    settings.REDIS_URL = redis_server.url
    settings.RQ_QUEUES = rq_queues(redis_server.url)
    redis_server.process.send_signal(signal.SIGSTOP)  # accepts connections, never answers
    answers = []

    def deliver():
        try:
            answers.append(post_webhook(client, zendesk_payload(priority="high")))
        finally:
            connections.close_all()  # this thread's database connection

    thread = threading.Thread(target=deliver)
    started = time.monotonic()
    thread.start()
    thread.join(timeout=15)
    assert answers, "the webhook was still waiting for Redis after 15 s"
    assert time.monotonic() - started < settings.REDIS_TIMEOUT_SECONDS * 3
    assert answers[0].status_code == 201
    # Kept in the inbox, pending, for the drainers or the sweep.
    assert InboxDelivery.objects.filter(ticket_id=answers[0].json()["id"], state="pending").exists()


def supervised(*command: str, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        ["scripts/supervise", sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def test_the_backlog_is_routed_within_a_minute_after_redis_returns(transactional_db, redis_server):
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "vipdesk.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": redis_server.url,
        "TIME_ZONE": "UTC",
        "LOG_LEVEL": "WARNING",
    }
    processes = [
        supervised("rqcron", "vipdesk.cron", env=env),
        supervised(
            "rqworker", "high", "default", "--worker-class", "vipdesk.worker.Worker", env=env
        ),
    ]
    try:
        time.sleep(3)  # both running against Redis
        redis_server.stop()
        account = make_account("Acme", arr=380_000, domain="acme.example")
        backlog = [make_ticket(account).pk for _ in range(5)]  # stored while Redis is down
        time.sleep(5)  # the scheduler dies with Redis; its supervisor keeps restarting it
        redis_server.start()
        returned = time.monotonic()
        while time.monotonic() - returned < 60:
            if not Ticket.objects.filter(pk__in=backlog, routed=False).exists():
                break
            time.sleep(0.5)
        routed = Ticket.objects.filter(pk__in=backlog, routed=True).count()
        assert routed == len(backlog), (
            f"{routed}/{len(backlog)} routed a minute after Redis returned"
        )
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
