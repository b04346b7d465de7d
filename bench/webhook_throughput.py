"""Webhook intake + routing throughput, end to end, over loopback, beside its floor.

    DATABASE_URL=postgres://…/vipdesk_bench_in REDIS_URL=redis://127.0.0.1:6379/1 \\
        .venv/bin/python bench/webhook_throughput.py --tickets 3000 --concurrency 16,4

Uses the database and Redis you give (DATABASE_URL, REDIS_URL; both required, no
defaults): run it on seed_demo data (bench/seed_demo.sh), whose accounts, domains and
contacts the posted tickets name, so matching and routing meet full-size tables. It
migrates the database, starts gunicorn (--web-workers) with the app, gunicorn with the
floor (bench/floor_app.py: a bare Django view, HMAC check + one upsert, nothing else)
and an RQ worker pool (the drainers), then for each concurrency:

1. posts --tickets signed deliveries to the floor, then
2. posts --tickets signed Zendesk webhooks to vipdesk and waits until every one is a
   routed ticket,

and prints ack latency (p50/p95/max), acks/s, tickets/s routed end to end, count in vs
routed (lost), and CPU per ticket of the web processes, the workers and the PostgreSQL
backends, each beside the floor's figure of the same run.

It cleans up only what it made: its tickets (external ids `bench-<run>-…`, with their
messages, alerts and tasks), their inbox rows, the floor's table, and the Redis keys
that appeared during the run. It never flushes a Redis database, and refuses to start
when RQ workers or queued jobs of someone else are on REDIS_URL's database.
Everything it starts is stopped at the end (by process group).
"""

import argparse
import base64
import contextlib
import hashlib
import hmac
import json
import os
import random
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
QUEUES = ("high", "default", "low")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--tickets", type=int, default=3000, help="per concurrency level")
    p.add_argument("--concurrency", default="16,4", help="comma-separated sender counts")
    p.add_argument("--web-workers", type=int, default=4)
    p.add_argument("--rq-workers", type=int, default=2, help="drainers (INTAKE_DRAINERS)")
    p.add_argument("--port", type=int, default=18765, help="the app; the floor uses port + 1")
    p.add_argument("--timeout", type=float, default=300, help="max seconds to wait for routing")
    p.add_argument("--worker-class", default="vipdesk.worker.Worker")
    p.add_argument(
        "--worker-nice", type=int, default=10,
        help="CPU niceness of the drainers, as scripts/start and the README's production "
        "commands run them (0: same priority as the web processes)",
    )  # fmt: skip
    return p.parse_args()


def environment(args) -> dict:
    missing = [v for v in ("DATABASE_URL", "REDIS_URL") if not os.environ.get(v)]
    if missing:
        raise SystemExit(f"Set {' and '.join(missing)}: the bench uses only what you give it.")
    env = dict(os.environ)
    env["ZENDESK_WEBHOOK_SECRET"] = SECRET
    env["DJANGO_SETTINGS_MODULE"] = "vipdesk.settings"
    env["DEBUG"] = "false"
    env["LOG_LEVEL"] = "WARNING"
    env["DB_CONN_MAX_AGE"] = "600"
    env["INTAKE_DRAINERS"] = str(args.rq_workers)
    env.pop("VIPDESK_MODE", None)
    return env


# ---------------------------------------------------------------- data


def requesters(limit: int = 2000) -> list[tuple[str, str]]:
    """(e-mail, name) of people the tickets come from: known contacts, unknown people
    at known domains, unknown domains (unmatched)."""
    from accounts.models import AccountDomain, Contact

    contacts = list(Contact.objects.order_by("?").values_list("email", "name")[: limit // 2])
    domains = list(AccountDomain.objects.order_by("?").values_list("domain", flat=True)[:limit])
    if not domains:
        raise SystemExit("No accounts in this database: seed it first (bench/seed_demo.sh).")
    people = contacts + [(f"someone{n}@{d}", f"Someone {n}") for n, d in enumerate(domains)]
    return people + [(f"who{n}@nowhere.example", f"Who {n}") for n in range(len(people) // 20)]


PHRASES = ["", "", "", "We are frustrated, this keeps happening.", "We may cancel."]
PRIORITIES = ["urgent", "high", "normal", "normal", "low"]


def payload(external_id: str, n: int, person: tuple[str, str]) -> bytes:
    email, name = person
    return json.dumps(
        {
            "ticket": {
                "id": external_id,
                "subject": f"Bench ticket {n}",
                "description": f"Hello, ticket number {n}. {PHRASES[n % len(PHRASES)]}",
                "priority": PRIORITIES[n % len(PRIORITIES)],
                "status": "new",
                "requester": {"name": name, "email": email},
                "organization": None,
                "created_at": datetime.now(UTC).isoformat(),
                "tags": ["bench"],
            }
        }
    ).encode()


def sign(timestamp: str, body: bytes) -> str:
    digest = hmac.new(SECRET.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def post(url: str, body: bytes) -> tuple[float, int]:
    ts = datetime.now(UTC).isoformat()
    request = urllib.request.Request(
        url,
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-Zendesk-Webhook-Signature": sign(ts, body),
            "X-Zendesk-Webhook-Signature-Timestamp": ts,
        },
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
            status = response.status
    except urllib.error.HTTPError as e:
        status = e.code
    return time.perf_counter() - started, status


def send(url: str, bodies: list[bytes], concurrency: int):
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(lambda b: post(url, b), bodies))
    elapsed = time.perf_counter() - started
    statuses: dict[int, int] = {}
    for _, status in results:
        statuses[status] = statuses.get(status, 0) + 1
    return [r[0] * 1000 for r in results], statuses, started, elapsed


# ---------------------------------------------------------------- processes and CPU


def wait_http(url: str, deadline: float) -> None:
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=5).close()  # noqa: S310 - loopback
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not come up")


def cpu_of(pids) -> dict[int, float]:
    """{pid: utime + stime (+ reaped children) in seconds}, from /proc."""
    out = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        out[pid] = sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    return out


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


def postgres_pids() -> list[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


class Cpu:
    """CPU seconds spent by groups of processes between start() and stop()."""

    def __init__(self, groups: dict):
        self.groups = groups  # name -> callable returning pids

    def start(self):
        self.before = {name: cpu_of(pids()) for name, pids in self.groups.items()}

    def stop(self) -> dict[str, float]:
        spent = {}
        for name, pids in self.groups.items():
            now = cpu_of(pids())
            spent[name] = sum(v - self.before[name].get(pid, 0.0) for pid, v in now.items())
        return spent


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def latency(values: list[float]) -> str:
    return (
        f"p50 {statistics.median(values):5.1f}  p95 {percentile(values, 95):5.1f}  "
        f"max {max(values):6.1f}"
    )


# ---------------------------------------------------------------- run


def check_redis_is_ours(redis) -> None:
    workers = redis.smembers("rq:workers")
    queued = {q: redis.llen(f"rq:queue:{q}") for q in QUEUES}
    if workers or any(queued.values()):
        raise SystemExit(
            f"REDIS_URL's database is in use ({len(workers)} RQ workers, queued {queued}): "
            "give the bench a Redis database of its own."
        )


def start(cmd: list[str], env: dict, **kw) -> subprocess.Popen:
    return subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True, **kw)


def main() -> None:
    args = parse_args()
    levels = [int(c) for c in args.concurrency.split(",")]
    env = environment(args)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    subprocess.run([PY, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)

    import django

    django.setup()
    from django.db import connection
    from redis import Redis

    from tickets.models import Ticket

    redis = Redis.from_url(env["REDIS_URL"])
    check_redis_is_ours(redis)
    keys_before = set(redis.scan_iter(count=1000))
    run = f"bench-{int(time.time())}"
    people = requesters()
    rng = random.Random(run)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_floor_delivery "
            "(id bigserial PRIMARY KEY, key text UNIQUE NOT NULL, body text NOT NULL)"
        )
    gunicorn = str(ROOT / ".venv/bin/gunicorn")
    common = ["--workers", str(args.web_workers), "--log-level", "warning"]
    procs = {}
    try:
        procs["web"] = start(
            [gunicorn, "vipdesk.wsgi", "--bind", f"127.0.0.1:{args.port}", *common], env
        )
        procs["floor"] = start(
            [gunicorn, "bench.floor_app", "--bind", f"127.0.0.1:{args.port + 1}", *common], env
        )
        procs["rq"] = start(
            ["nice", "-n", str(args.worker_nice), PY, "manage.py", "rqworker-pool", "high",
             "default", "--num-workers", str(args.rq_workers), "--worker-class", args.worker_class],
            env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        app_url = f"http://127.0.0.1:{args.port}/api/v1/webhooks/zendesk"
        floor_url = f"http://127.0.0.1:{args.port + 1}/api/v1/webhooks/zendesk"
        wait_http(f"http://127.0.0.1:{args.port}/healthz", time.time() + 60)
        wait_http(floor_url, time.time() + 60)
        time.sleep(2)  # let the worker pool start
        existing = Ticket.objects.count()
        # Warm up: every web process connects, imports and loads its caches.
        for n in range(8 * args.web_workers):
            body = payload(f"{run}-warm-{n}", n, rng.choice(people))
            post(app_url, body)
            post(floor_url, body)
        cpu = Cpu(
            {
                "web": lambda: group_pids(procs["web"].pid),
                "floor": lambda: group_pids(procs["floor"].pid),
                "rq": lambda: group_pids(procs["rq"].pid),
                "postgres": postgres_pids,
            }
        )
        print(
            f"vipdesk: {args.web_workers} gunicorn workers, {args.rq_workers} drainers "
            f"({args.worker_class}, nice {args.worker_nice}); {os.cpu_count()} cores, load before "
            f"{os.getloadavg()[0]:.1f}; database {connection.settings_dict['NAME']}, "
            f"{existing:,} tickets"
        )
        for concurrency in levels:
            ids = [f"{run}-c{concurrency}-{n}" for n in range(args.tickets)]
            bodies = [payload(i, n, rng.choice(people)) for n, i in enumerate(ids)]

            cpu.start()
            f_lat, f_status, _, f_elapsed = send(floor_url, bodies, concurrency)
            f_cpu = cpu.stop()

            cpu.start()
            lat, statuses, started, elapsed = send(app_url, bodies, concurrency)
            mine = Ticket.objects.filter(source="zendesk", external_id__in=ids)
            deadline = time.perf_counter() + args.timeout
            while mine.filter(routed=True).count() < len(ids) and time.perf_counter() < deadline:
                time.sleep(0.05)
            done = time.perf_counter() - started
            spent = cpu.stop()
            routed, count_in = mine.filter(routed=True).count(), mine.count()
            n = len(ids)

            def ms(seconds: float) -> str:
                return f"{seconds / n * 1000:5.2f}"  # noqa: B023 - n of this level

            print(f"\n== {n} tickets, {concurrency} senders")
            print(f"  floor  ack ms  {latency(f_lat)}   {n / f_elapsed:6.0f} req/s  {f_status}")
            print(f"  vipdesk ack ms {latency(lat)}   {n / elapsed:6.0f} acks/s {statuses}")
            print(
                f"  routed end to end {routed / done:6.0f} tickets/s ({done:.2f} s); "
                f"in {count_in}, routed {routed}, lost {n - routed}"
            )
            print(
                f"  CPU ms/ticket  vipdesk: web {ms(spent['web'])}  drainers {ms(spent['rq'])}"
                f"  postgres {ms(spent['postgres'])}  = "
                f"{ms(spent['web'] + spent['rq'] + spent['postgres'])}"
            )
            print(
                f"                 floor:   web {ms(f_cpu['floor'])}  postgres "
                f"{ms(f_cpu['postgres'])}  = {ms(f_cpu['floor'] + f_cpu['postgres'])}"
                f"   (load avg {os.getloadavg()[0]:.1f})"
            )
    finally:
        for proc in procs.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        cleanup(run, redis, keys_before)


def cleanup(run: str, redis, keys_before: set) -> None:
    from django.db import connection

    from tickets.models import InboxDelivery, Ticket
    from vipdesk.alerts.models import Alert
    from vipdesk.tasks.models import Task

    mine = Ticket.objects.filter(source="zendesk", external_id__startswith=f"{run}-")
    Alert.objects.filter(ticket__in=mine).delete()
    Task.objects.filter(ticket__in=mine).delete()
    deleted, _ = mine.delete()
    InboxDelivery.objects.filter(source="zendesk", external_id__startswith=f"{run}-").delete()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_floor_delivery")
    new_keys = [k for k in redis.scan_iter(count=1000) if k not in keys_before]
    if new_keys:
        redis.delete(*new_keys)
    print(f"\ncleaned up: {deleted} rows of this run's tickets, {len(new_keys)} Redis keys")


if __name__ == "__main__":
    main()
