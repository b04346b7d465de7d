"""Webhook intake + routing throughput, end to end, over loopback.

One command (from the project root; PostgreSQL and Redis on 127.0.0.1):

    .venv/bin/python bench/webhook_throughput.py --tickets 3000 --concurrency 16

It creates/migrates the bench database (DATABASE_URL, default .../vipdesk_bench_intake),
seeds a few accounts, agents and pools, starts gunicorn (--web-workers) and an RQ
worker pool (`manage.py rqworker-pool high default --num-workers N --worker-class
rq.worker.SimpleWorker`), posts --tickets signed Zendesk webhooks from a thread
pool, then waits until every ticket is routed. It prints the ack latency
(p50/p95/max), acks/s, tickets/s routed end to end, and count in vs count routed.
Everything it starts is stopped at the end (by pid). Targets: ≥ 200 tickets/s
routed, p95 ack < 50 ms.
"""

import argparse
import base64
import contextlib
import hashlib
import hmac
import json
import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-webhook-secret"
PY = str(ROOT / ".venv" / "bin" / "python")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--tickets", type=int, default=3000)
    p.add_argument("--concurrency", type=int, default=16)
    p.add_argument("--web-workers", type=int, default=4)
    p.add_argument("--rq-workers", type=int, default=2)
    p.add_argument("--port", type=int, default=18765)
    p.add_argument("--timeout", type=float, default=120, help="max seconds to wait for routing")
    p.add_argument(
        "--worker-class", default="rq.worker.SimpleWorker", help="or rq.worker.Worker (forking)"
    )
    return p.parse_args()


def environment() -> dict:
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/vipdesk_bench_intake")
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/11")
    env["ZENDESK_WEBHOOK_SECRET"] = SECRET
    env["DJANGO_SETTINGS_MODULE"] = "vipdesk.settings"
    env["DEBUG"] = "false"
    env["LOG_LEVEL"] = "WARNING"
    env["DB_CONN_MAX_AGE"] = "600"
    env.pop("VIPDESK_MODE", None)
    return env


def seed() -> None:
    from datetime import date, timedelta

    from django.contrib.auth.models import User

    from accounts.models import Account, AccountDomain, Contact
    from accounts.tiering import retier_accounts
    from tickets.models import Agent, AgentPool, Ticket
    from vipdesk.alerts.models import Alert

    Alert.objects.filter(
        ticket__source="zendesk", ticket__external_id__startswith="bench-"
    ).delete()
    Ticket.objects.filter(source="zendesk", external_id__startswith="bench-").delete()
    csm, _ = User.objects.get_or_create(username="bench-csm", defaults={"email": "csm@bench.test"})
    for n, arr in enumerate([800_000, 380_000, 70_000, 20_000, 5_000]):
        account, _ = Account.objects.get_or_create(
            name=f"Bench {n}",
            defaults={"arr": arr, "csm": csm, "renewal_date": date.today() + timedelta(200)},
        )
        AccountDomain.objects.get_or_create(domain=f"bench{n}.example", account=account)
        Contact.objects.get_or_create(
            email=f"ceo@bench{n}.example",
            defaults={"account": account, "name": f"Boss {n}", "title": "CEO"},
        )
    retier_accounts()
    for n, level in enumerate([3, 3, 2, 2, 1, 1]):
        user, _ = User.objects.get_or_create(username=f"bench-agent-{n}")
        agent, _ = Agent.objects.get_or_create(
            user=user, defaults={"level": level, "tenure_start": date(2023, 1, 1), "capacity": 50}
        )
        if level == 3:
            pool, _ = AgentPool.objects.get_or_create(name="Bench Tier 1", defaults={"tier": 1})
            pool.members.add(agent)


PHRASES = ["", "", "", "We are frustrated, this keeps happening.", "We may cancel."]
PRIORITIES = ["urgent", "high", "normal", "normal", "low"]


def payload(n: int) -> bytes:
    account = n % 6  # 5 = unmatched
    email = f"ceo@bench{account}.example" if n % 50 == 0 else f"user{n}@bench{account}.example"
    return json.dumps(
        {
            "ticket": {
                "id": f"bench-{n}",
                "subject": f"Bench ticket {n}",
                "description": f"Hello, ticket number {n}. {PHRASES[n % len(PHRASES)]}",
                "priority": PRIORITIES[n % len(PRIORITIES)],
                "status": "new",
                "requester": {"name": f"User {n}", "email": email},
                "organization": None,
                "created_at": datetime.now(UTC).isoformat(),
                "tags": ["bench"],
            }
        }
    ).encode()


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def post(url: str, n: int) -> tuple[float, int]:
    body = payload(n)
    ts = datetime.now(UTC).isoformat()
    request = urllib.request.Request(
        url,
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-Zendesk-Webhook-Signature": sign(SECRET, ts, body),
            "X-Zendesk-Webhook-Signature-Timestamp": ts,
        },
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # loopback only
            status = response.status
    except urllib.error.HTTPError as e:
        status = e.code
    return time.perf_counter() - started, status


def wait_http(url: str, deadline: float) -> None:
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not come up")


def cpu_seconds(pids) -> float:
    """utime + stime (+ reaped children) of these processes, from /proc."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        total += sum(int(f) for f in fields[11:15])
    return total / os.sysconf("SC_CLK_TCK")


def group_pids(pgid: int) -> list[int]:
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            pids.append(int(stat.parent.name))
    return pids


def postgres_pids(dbname: str) -> list[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [dbname],
        )
        return [row[0] for row in cursor.fetchall()]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def main() -> None:
    args = parse_args()
    env = environment()
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    subprocess.run([PY, "manage.py", "ensure_database"], cwd=ROOT, env=env, check=True)
    subprocess.run([PY, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)

    import django

    django.setup()
    from redis import Redis

    from tickets.models import Ticket
    from vipdesk.alerts.models import Alert

    seed()
    Redis.from_url(env["REDIS_URL"]).flushdb()

    procs = []
    try:
        procs.append(
            subprocess.Popen(
                [
                    str(ROOT / ".venv/bin/gunicorn"),
                    "vipdesk.wsgi",
                    "--workers",
                    str(args.web_workers),
                    "--bind",
                    f"127.0.0.1:{args.port}",
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=env,
                start_new_session=True,
            )
        )
        procs.append(
            subprocess.Popen(
                [
                    PY,
                    "manage.py",
                    "rqworker-pool",
                    "high",
                    "default",
                    "--num-workers",
                    str(args.rq_workers),
                    "--worker-class",
                    args.worker_class,
                ],
                cwd=ROOT,
                env=env,
                start_new_session=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        wait_http(f"http://127.0.0.1:{args.port}/healthz", time.time() + 30)
        time.sleep(2)  # let the worker pool start
        url = f"http://127.0.0.1:{args.port}/api/v1/webhooks/zendesk"
        bench = Ticket.objects.filter(source="zendesk", external_id__startswith="bench-")

        web_pids, rq_pids = group_pids(procs[0].pid), group_pids(procs[1].pid)
        web_cpu, rq_cpu = cpu_seconds(web_pids), cpu_seconds(rq_pids)
        started = time.perf_counter()
        with ThreadPoolExecutor(args.concurrency) as pool:
            results = list(pool.map(lambda n: post(url, n), range(args.tickets)))
        acked = time.perf_counter() - started
        latencies = [r[0] * 1000 for r in results]
        statuses = {}
        for _, status in results:
            statuses[status] = statuses.get(status, 0) + 1

        deadline = time.perf_counter() + args.timeout
        while bench.filter(routed=True).count() < args.tickets and time.perf_counter() < deadline:
            time.sleep(0.05)
        routed_at = time.perf_counter()
        count_in, routed = bench.count(), bench.filter(routed=True).count()
        last = max((t for t in bench.values_list("routed_at", flat=True) if t), default=None)
        alerts = Alert.objects.filter(ticket__in=bench).count()
        web_cpu = cpu_seconds(web_pids) - web_cpu
        rq_cpu = cpu_seconds(group_pids(procs[1].pid)) - rq_cpu
        from django.conf import settings as dj

        pg_cpu = cpu_seconds(postgres_pids(dj.DATABASES["default"]["NAME"]))
        load = os.getloadavg()[0]

        print(
            f"tickets posted      {args.tickets} ({args.concurrency} client threads, "
            f"{args.web_workers} gunicorn workers, {args.rq_workers} x {args.worker_class})"
        )
        print(f"HTTP statuses       {statuses}")
        print(
            f"ack latency ms      p50 {statistics.median(latencies):.1f}  "
            f"p95 {percentile(latencies, 95):.1f}  max {max(latencies):.1f}"
        )
        print(f"acks/s              {args.tickets / acked:.0f}")
        print(
            f"routed end to end   {routed / (routed_at - started):.0f} tickets/s "
            f"({routed_at - started:.2f} s for {routed})"
        )
        print(f"count in / routed   {count_in} / {routed}  lost {args.tickets - routed}")
        print(f"alerts raised       {alerts}   last routed_at {last}")
        n = max(args.tickets, 1)
        print(
            f"CPU ms per ticket   web {web_cpu / n * 1000:.1f}  rq {rq_cpu / n * 1000:.1f}  "
            f"postgres ≈{pg_cpu / n * 1000:.1f} (backends' lifetime)  load avg {load:.1f} "
            f"on {os.cpu_count()} cores"
        )
    finally:
        for proc in procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
