"""Benchmark: the full rescore against a bare scan of the tickets measured in the same
run (and, optionally, a naive per-account ORM loop), on the database DATABASE_URL names.

    DATABASE_URL=postgres://…/vipdesk_bench .venv/bin/python bench/rescore.py [--sample 2000]

Measure on `seed_demo` data (`manage.py seed_demo --accounts 100000 --tickets 2000000`),
migrated with this branch (`manage.py migrate`). Writes scores, snapshots and alerts
like the hourly job (alerts are raised in the app, no e-mail: REDIS_URL is ignored).
Prints: the rescore's seconds and phases, the bare `SELECT account_id, count(*) FROM
tickets_ticket GROUP BY account_id` timed right before and after it, their ratio
(target ≤ 5×), the same scan made to read the table (what the planner does on a
table never vacuumed; the index-only scan it prefers after a VACUUM reads a 40 MB
index instead of the 2.3 GB table), the loop's seconds (a --sample of accounts scaled
to all; 0 skips it) and peak RSS before and after the rescore (flat: 5,000 accounts
are scored at a time).
"""

import argparse
import logging
import os
import resource
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def configure() -> None:
    if "DATABASE_URL" not in os.environ:
        sys.exit("Set DATABASE_URL to the seeded database (seed it with manage.py seed_demo).")
    os.environ.pop("REDIS_URL", None)  # alerts are delivered inline (console e-mail)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "vipdesk.settings"
    import django

    django.setup()
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        sys.exit("The database has unapplied migrations: run manage.py migrate first.")
    from accounts.models import Account

    if not Account.objects.exists():
        sys.exit("No accounts: seed the database with manage.py seed_demo first.")


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def naive_features(account, now):
    """What per-account code does: load the account's rows, compute in Python."""
    from accounts.scoring import AccountFeatures
    from escalations.models import Escalation
    from tickets.models import Ticket, TicketMessage

    d7, d30, d90, d120 = (now - timedelta(days=d) for d in (7, 30, 90, 120))
    tickets = list(
        Ticket.objects.filter(account=account).filter(created_at__gte=d120)
        | Ticket.objects.filter(account=account, status__in=Ticket.OPEN_STATUSES)
    )
    recent = [t for t in tickets if t.created_at >= d30]
    before = [t for t in tickets if d120 <= t.created_at < d30]

    def severe(ts):
        return sum((t.effective_priority or t.customer_priority) in ("P1", "P2") for t in ts)

    def avg(values):
        values = [v for v in values if v is not None]
        return (sum(values) / len(values)) if values else None

    messages = list(
        TicketMessage.objects.filter(
            ticket__account=account, author="customer", created_at__gte=d120
        )
    )
    m_recent = [len(m.body) for m in messages if m.created_at >= d30]
    m_before = [len(m.body) for m in messages if m.created_at < d30]
    phrases = [s for t in recent for s in t.churn_signals]
    escalations = {}
    for e in Escalation.objects.open().filter(account=account):
        escalations[e.severity] = escalations.get(e.severity, 0) + 1
    champions = list(account.contacts.filter(is_champion=True))
    last_seen = None
    for c in champions:
        last_ticket = c.tickets.order_by("-created_at").values_list("created_at", flat=True).first()
        for moment in (c.last_contacted_at, last_ticket):
            if moment and (last_seen is None or moment > last_seen):
                last_seen = moment
    in90 = [t for t in tickets if t.created_at >= d90]
    return AccountFeatures(
        account_id=account.pk,
        nps=account.nps,
        previous_nps=account.previous_nps,
        usage_trend_pct=account.usage_trend_pct,
        renewal_date=account.renewal_date,
        tickets_7d=sum(t.created_at >= d7 for t in tickets),
        tickets_30d=len(recent),
        tickets_before=len(before),
        tickets_90d=len(in90),
        severe_recent=severe(recent),
        severe_before=severe(before),
        churn_points_30d=sum(t.churn_points for t in recent),
        churn_tickets_30d=sum(t.churn_points > 0 for t in recent),
        direct_phrases=tuple(sorted({p["phrase"] for p in phrases if p.get("kind") == "direct"})),
        indirect_phrases=tuple(sorted({p["phrase"] for p in phrases if p.get("kind") != "direct"})),
        message_length_recent=avg(m_recent),
        messages_recent=len(m_recent),
        message_length_before=avg(m_before),
        messages_before=len(m_before),
        sentiment_recent=avg([t.sentiment for t in recent]),
        sentiment_count_recent=sum(t.sentiment is not None for t in recent),
        sentiment_before=avg([t.sentiment for t in before]),
        sentiment_count_before=sum(t.sentiment is not None for t in before),
        open_tickets=sum(t.status in Ticket.OPEN_STATUSES for t in tickets),
        breaches_90d=sum(
            bool(t.first_response_breached_at or t.resolution_breached_at) for t in in90
        ),
        csat_90d=avg([t.csat for t in in90]),
        open_escalations=escalations,
        champions=len(champions),
        champion_last_seen=last_seen,
    )


def naive_loop(sample: int, now) -> float:
    from accounts.models import Account, ScoreWeights
    from accounts.scoring import score

    weights = ScoreWeights.load()
    ids = list(Account.objects.order_by("?").values_list("pk", flat=True)[:sample])
    started = time.monotonic()
    for pk in ids:
        account = Account.objects.get(pk=pk)
        s = score(naive_features(account, now), weights, now)
        account.risk_score, account.health_score = s.risk, s.health
        account.risk_level, account.risk_factors = s.level, s.factors
        account.save(update_fields=["risk_score", "health_score", "risk_level", "risk_factors"])
    return time.monotonic() - started


def bare_scan(read_the_table: bool = False) -> float:
    """`SELECT account_id, count(*) FROM tickets_ticket GROUP BY account_id`: as the
    planner runs it (an index-only scan once the table is vacuumed), or made to read
    the table itself (a sequential scan, as before a VACUUM)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if read_the_table:
            for setting in ("enable_indexscan", "enable_indexonlyscan", "enable_bitmapscan"):
                cursor.execute(f"SET {setting} = off")
        started = time.monotonic()
        cursor.execute("SELECT account_id, count(*) FROM tickets_ticket GROUP BY account_id")
        cursor.fetchall()
        took = time.monotonic() - started
        cursor.execute("RESET ALL")
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=2_000, help="0 skips the ORM loop")
    args = parser.parse_args()
    configure()

    from django.db import connection
    from django.utils import timezone

    from accounts.models import Account
    from tickets.models import Ticket
    from vipdesk.insight.rescore import rescore_all

    with connection.cursor() as cursor:  # what autovacuum does between hourly runs
        cursor.execute("VACUUM ANALYZE accounts_account, accounts_scoresnapshot")
    total = Account.objects.count()
    tickets = Ticket.objects.count()
    # The machine is shared: time the bare scan right before and after the rescore and
    # compare with their mean.
    scans = [bare_scan(), bare_scan()]
    rss_before = rss_mb()
    phases = []
    handler = logging.Handler()
    handler.emit = lambda record: phases.append(record.getMessage())
    logger = logging.getLogger("vipdesk.insight.rescore")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    result = rescore_all()
    rss_after_rescore = rss_mb()
    scans.append(bare_scan())
    scan = sum(scans[1:]) / 2
    table_scan = (bare_scan(read_the_table=True) + bare_scan(read_the_table=True)) / 2

    print(f"{connection.settings_dict['NAME']}: {total:,} accounts, {tickets:,} tickets")
    print(
        f"(a) full rescore:            {result.seconds:8.2f} s "
        f"({result.accounts / result.seconds:,.0f} accounts/s, {result.alerts} alerts)"
    )
    print(f"    {phases[-1] if phases else ''}")
    print(
        f"(c) bare GROUP BY scan:      {scan:8.2f} s "
        f"(before/after the rescore: {scans[1]:.2f}/{scans[2]:.2f} s; a first, warming "
        f"run {scans[0]:.2f} s)"
    )
    print(f"rescore / bare scan:         {result.seconds / scan:8.1f}×  (target ≤ 5×)")
    print(
        f"(d) the same scan reading the table (sequential): {table_scan:.2f} s; "
        f"rescore / that: {result.seconds / table_scan:.1f}×"
    )
    print(f"peak RSS: {rss_before:.0f} MB before, {rss_after_rescore:.0f} MB after the rescore")
    if args.sample:
        loop = naive_loop(args.sample, timezone.now())
        loop_scaled = loop * total / args.sample
        print(
            f"(b) per-account ORM loop:    {loop_scaled:8.2f} s "
            f"({args.sample:,} accounts in {loop:.2f} s, scaled ×{total / args.sample:g})"
        )
        print(f"loop / rescore:              {loop_scaled / result.seconds:8.1f}×")


if __name__ == "__main__":
    main()
