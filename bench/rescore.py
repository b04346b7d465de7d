"""Benchmark: the set-based full rescore against a naive per-account ORM loop and a
bare scan, on 100,000 accounts / 2,000,000 tickets (+ ~2M messages, contacts).

    .venv/bin/python bench/rescore.py [--accounts 100000] [--tickets 2000000] [--reseed]

Uses (and creates) the PostgreSQL database `vipdesk_bench_scoring` on the
DATABASE_URL server; seeds it once with set-based SQL (generate_series).
Prints: full rescore seconds, the loop's seconds (2,000-account sample scaled to all
accounts), the bare `GROUP BY` scan, their ratios, and peak RSS.
"""

import argparse
import logging
import os
import re
import resource
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def configure() -> None:
    server = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/vipdesk")
    os.environ["DATABASE_URL"] = server.rsplit("/", 1)[0] + "/vipdesk_bench_scoring"
    os.environ.pop("REDIS_URL", None)  # alerts are delivered inline (console e-mail)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "vipdesk.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("ensure_database")
    call_command("migrate", verbosity=0)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


SEED_SQL = [
    # Accounts: ARR spread over the tiers, renewals over the next 400 days, some NPS drops
    # and usage dips.
    """
    INSERT INTO accounts_account (name, plan, arr, contract_start, renewal_date, csm_id,
        account_manager_id, executive_sponsor, strategic, executive_review, nps, previous_nps,
        weekly_active_users, usage_trend_pct, expansion_opportunity, tier, health_score,
        risk_score, risk_level, risk_factors, risk_alerted_threshold, scored_at,
        rescore_requested, intervention_status, intervention_owner_id, created_at, updated_at)
    SELECT 'Bench account ' || g, 'enterprise', (g % 997) * 800, NULL,
        current_date + (g % 400), NULL, NULL, '', g % 500 = 0, false,
        (g % 201) - 100, CASE WHEN g % 7 = 0 THEN (g % 201) - 70 ELSE NULL END,
        '[]'::jsonb, CASE WHEN g % 5 = 0 THEN -((g % 60)::float) ELSE (g % 20)::float END,
        0, CASE WHEN (g % 997) * 800 >= 500000 THEN 1 WHEN (g % 997) * 800 >= 100000 THEN 2
                WHEN (g % 997) * 800 >= 50000 THEN 3 ELSE 4 END,
        NULL, 0, 'low', '[]'::jsonb, 0, NULL, false, 'none', NULL, now(), now()
    FROM generate_series(1, %(accounts)s) g
    """,
    # Two contacts per account; every fifth account has a champion, some of them quiet.
    """
    INSERT INTO accounts_contact (account_id, name, email, title, is_executive,
        executive_override, is_champion, last_contacted_at)
    SELECT a.id, 'Contact ' || a.id || '-' || k, 'c' || a.id || '-' || k || '@bench.example',
        CASE WHEN k = 1 THEN 'VP Engineering' ELSE 'Engineer' END, k = 1, NULL,
        k = 2 AND a.id % 5 = 0, now() - ((a.id % 120) || ' days')::interval
    FROM accounts_account a, generate_series(1, 2) k
    """,
    # Tickets: spread unevenly over accounts and over the last 180 days (recent bursts
    # for some), a few percent with churn phrases.
    """
    INSERT INTO tickets_ticket (source, external_id, account_id, contact_id, requester_name,
        requester_email, requester_title, organization_name, subject, body, tags,
        customer_priority, status, created_at, first_response_at, resolved_at, updated_at,
        assigned_agent_id, csat, routed, routed_at, tier, effective_priority, queue,
        executive_contact, possible_vip, sla_first_response_due, sla_resolution_due,
        first_response_breached_at, resolution_breached_at, first_response_warned_at,
        resolution_warned_at, sla_warning_level, churn_signals, churn_points, sentiment,
        routing_reasons)
    SELECT 'demo', 'b' || g, acc, NULL, '', '', '', '', 'Bench ticket ' || g, 'body', '[]',
        'P' || (1 + g % 4), CASE WHEN g % 10 = 0 THEN 'open' ELSE 'solved' END,
        created, created + interval '1 hour', NULL, now(), NULL,
        CASE WHEN g % 3 = 0 THEN 1 + g % 5 ELSE NULL END, true, created, NULL,
        'P' || (1 + (g + acc) % 4), 'general', false, false, created + interval '4 hours',
        created + interval '2 days',
        CASE WHEN g % 50 = 0 THEN created + interval '4 hours' ELSE NULL END, NULL, NULL, NULL,
        0,
        CASE WHEN g % 40 = 0 THEN '[{"phrase": "cancel", "kind": "direct", "weight": 30}]'
             WHEN g % 25 = 0 THEN '[{"phrase": "frustrated", "kind": "indirect", "weight": 10}]'
             ELSE '[]' END::jsonb,
        CASE WHEN g % 40 = 0 THEN 30 WHEN g % 25 = 0 THEN 10 ELSE 0 END,
        ((g % 200) - 100) / 100.0, '[]'
    FROM (
        SELECT g, 1 + (g * 7919) %% %(accounts)s AS acc,
            now() - ((((g * 31) %% 180) + CASE WHEN g %% 9 = 0 THEN -((g * 31) %% 180) * 0.9
                ELSE 0 END) || ' days')::interval - ((g %% 1440) || ' minutes')::interval
                AS created
        FROM generate_series(1::bigint, %(tickets)s::bigint) g
    ) s
    """,
    # About one customer message per ticket, shorter recently for some accounts.
    """
    INSERT INTO tickets_ticketmessage (ticket_id, external_id, author, author_name, body,
        created_at)
    SELECT t.id, '', 'customer', '',
        repeat('m', CASE WHEN t.account_id %% 11 = 0 AND t.created_at > now() - interval '30 days'
                         THEN 20 ELSE 60 + (t.id %% 200)::int END),
        t.created_at + interval '5 minutes'
    FROM tickets_ticket t
    """,
    """
    INSERT INTO escalations_escalation (account_id, type, severity, status, summary, owner_id,
        level, opened_at, acknowledged_at, closed_at)
    SELECT 1 + (g * 13) %% %(accounts)s, 'technical',
        (ARRAY['critical', 'high', 'medium', 'low'])[1 + g %% 4],
        CASE WHEN g %% 3 = 0 THEN 'resolved' ELSE 'open' END, 'Bench escalation ' || g, NULL, 0,
        now() - ((g %% 60) || ' days')::interval, NULL, NULL
    FROM generate_series(1::bigint, %(accounts)s::bigint / 20) g
    """,
]


def seed(accounts: int, tickets: int, reseed: bool) -> None:
    from django.db import connection

    from accounts.models import Account

    if not reseed and Account.objects.count() >= accounts:
        print(f"Using the seeded database ({Account.objects.count():,} accounts)")
        return
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE accounts_account, accounts_contact, tickets_ticket, "
            "tickets_ticketmessage, escalations_escalation, accounts_scoresnapshot, "
            "accounts_scoringrun, alerts_alert RESTART IDENTITY CASCADE"
        )
        params = {"accounts": accounts, "tickets": tickets}
        for sql in SEED_SQL:
            # Escape the modulo operators, keep the %(name)s placeholders.
            sql = re.sub(r"%(?!\()", "%%", sql.replace("%%", "%"))
            step = time.monotonic()
            cursor.execute(sql, params)
            took = time.monotonic() - step
            print(f"  {sql.split()[2]}: {cursor.rowcount:,} rows in {took:.0f} s")
        cursor.execute("ANALYZE")
    took = time.monotonic() - started
    print(f"Seeded {accounts:,} accounts / {tickets:,} tickets in {took:.0f} s")


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


def bare_scan() -> float:
    from django.db import connection

    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("SELECT account_id, count(*) FROM tickets_ticket GROUP BY 1")
        cursor.fetchall()
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--tickets", type=int, default=2_000_000)
    parser.add_argument("--sample", type=int, default=2_000)
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()
    configure()
    seed(args.accounts, args.tickets, args.reseed)

    from django.db import connection
    from django.utils import timezone

    from accounts.models import Account
    from vipdesk.insight.rescore import rescore_all

    with connection.cursor() as cursor:  # what autovacuum does between hourly runs
        cursor.execute("VACUUM ANALYZE accounts_account, accounts_scoresnapshot")
    total = Account.objects.count()
    # The machine is shared: time the bare scan right before and after the rescore and
    # compare with their mean.
    scans = [bare_scan()]
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
    scan = sum(scans) / len(scans)
    loop = naive_loop(args.sample, timezone.now())
    loop_scaled = loop * total / args.sample

    print(f"accounts: {total:,}")
    print(
        f"(a) full rescore:            {result.seconds:8.2f} s "
        f"({result.accounts / result.seconds:,.0f} accounts/s, {result.alerts} alerts)"
    )
    print(
        f"(b) per-account ORM loop:    {loop_scaled:8.2f} s "
        f"({args.sample:,} accounts in {loop:.2f} s, scaled ×{total / args.sample:g})"
    )
    print(f"    {phases[-1] if phases else ''}")
    print(
        f"(c) bare GROUP BY scan:      {scan:8.2f} s "
        f"(before/after the rescore: {scans[0]:.2f}/{scans[1]:.2f} s)"
    )
    print(f"loop / rescore:              {loop_scaled / result.seconds:8.1f}×  (target ≥ 20×)")
    print(f"rescore / bare scan:         {result.seconds / scan:8.1f}×  (target ≤ 10×)")
    print(
        f"peak RSS: {rss_before:.0f} MB before, {rss_after_rescore:.0f} MB after the rescore, "
        f"{rss_mb():.0f} MB at the end"
    )


if __name__ == "__main__":
    main()
