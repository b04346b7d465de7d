"""Server time of the escalation pages at N escalations: p50/p95 with Django's test Client.

    DATABASE_URL=postgres://…/vipdesk_bench_esc .venv/bin/python manage.py seed_demo --flush
    DATABASE_URL=postgres://…/vipdesk_bench_esc .venv/bin/python bench/escalation_page.py \\
        [--escalations 50000] [--requests 200]

Tops the database up to --escalations escalations (history spread over the accounts: a
year of openings, mostly closed, never two open of one type per account, three to four
events each), gives the escalations it measures a busy record (40 events, 12 actions,
12 communications, 4 goodwill offers), then prints one line per page with the status,
the SQL queries of one request, the slowest query, p50/p95/max in milliseconds and the
same-run floor (bench/pagebench.py). The escalations and their records stay.
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import pagebench  # noqa: E402  (first: sets Django up)

# isort: split
from django.db import connection, transaction
from django.utils import timezone

from bench.pagebench import Table, client_for
from bench.pages_queue import pick_user, timed_job
from escalations import actions, forecast
from escalations.models import Escalation, EscalationEvent
from vipdesk.lib.bulk import analyze

TOP_UP = """
WITH a AS (SELECT id, csm_id, row_number() OVER (ORDER BY id) - 1 AS n,
                  count(*) OVER () AS total FROM accounts_account),
     g AS (SELECT i, now() - (i %% 365) * interval '1 day'
                       - (i %% 1440) * interval '1 minute' AS opened
             FROM generate_series(%(start)s, %(stop)s - 1) AS i),
     rows AS (
       SELECT g.i, a.id AS account_id, a.csm_id, g.opened,
              (ARRAY['technical', 'commercial', 'relationship', 'executive', 'legal'])
                [(g.i / a.total) %% 5 + 1] AS type,
              (ARRAY['critical', 'high', 'high', 'medium', 'medium', 'medium', 'low'])
                [g.i %% 7 + 1] AS severity,
              CASE WHEN g.i < 5 * a.total AND g.i %% 20 = 0 THEN 'acknowledged'
                   ELSE 'closed' END AS status
         FROM g JOIN a ON a.n = g.i %% a.total)
INSERT INTO escalations_escalation
  (account_id, type, severity, status, summary, owner_id, level, source, external_id,
   opened_at, acknowledged_at, resolved_at, closed_at, reopen_count, customer_statement,
   business_impact, initial_assessment, root_cause_category, contributing_factors, root_cause,
   customer_confirmed, close_reason)
SELECT account_id, type, severity, status, 'Bench escalation ' || i, csm_id, i %% 3, 'import',
       'bench-' || i, opened, opened + interval '40 minutes',
       CASE WHEN status = 'closed' THEN opened + interval '20 hours' END,
       CASE WHEN status = 'closed' THEN opened + interval '30 hours' END,
       (i %% 11 = 0)::int, 'The customer said so.', '', '', '', '', '', status = 'closed', ''
  FROM rows;

INSERT INTO escalations_escalationevent
       (escalation_id, at, actor_id, kind, from_value, to_value, text)
SELECT id, opened_at, NULL::integer, 'opened', '', 'open', 'Opened.'
  FROM escalations_escalation WHERE external_id LIKE 'bench-%%'
UNION ALL
SELECT id, acknowledged_at, NULL, 'status', 'open', 'acknowledged', 'Acknowledged.'
  FROM escalations_escalation WHERE external_id LIKE 'bench-%%'
UNION ALL
SELECT id, resolved_at, NULL, 'status', 'acknowledged', 'resolved', 'Resolved.'
  FROM escalations_escalation WHERE external_id LIKE 'bench-%%' AND resolved_at IS NOT NULL
UNION ALL
SELECT id, closed_at, NULL, 'status', 'resolved', 'closed', 'Closed.'
  FROM escalations_escalation WHERE external_id LIKE 'bench-%%' AND closed_at IS NOT NULL;
"""


def top_up(target: int) -> None:
    have = Escalation.objects.count()
    if have >= target:
        return
    if Escalation.objects.filter(external_id__startswith="bench-").exists():
        sys.exit("Bench rows exist but fewer than --escalations: re-seed (seed_demo --flush).")
    print(f"adding {target - have:,} escalations …", flush=True)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(TOP_UP, {"start": 0, "stop": target - have})
    analyze([Escalation, EscalationEvent])


def busy(escalation: Escalation, user) -> None:
    """A busy record: the page's worst case."""
    if escalation.events.count() >= 40:
        return
    now = timezone.now()
    for i in range(12):
        horizon = ["immediate", "short_term", "long_term"][i % 3]
        actions.add_action(escalation, by=user, horizon=horizon, description=f"Action {i}",
                           owner=user, due_at=now)  # fmt: skip
        actions.log_communication(escalation, by=user, at=now, type="email", to_customer=True,
                                  recipient="Pat", summary=f"Update {i}")  # fmt: skip
    for i in range(4):
        actions.request_goodwill(escalation, by=user, kind="credit", amount=1000 + i,
                                 months=None, duration="", reason="Outage")  # fmt: skip
    for i in range(12):
        actions.add_stakeholder(escalation, by=user, name=f"S{i}", role="Eng", ask="Help")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--escalations", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=200, help="requests per page")
    args = parser.parse_args()

    pagebench.use_bench_urls()
    user = pick_user()
    top_up(args.escalations)
    sample = list(Escalation.objects.open().order_by("-opened_at")[:20])
    for e in sample:
        busy(e, user)
    client = client_for(user)
    account = sample[0].account_id
    pages = [
        ("/escalations/<id>/", [f"/escalations/{e.pk}/" for e in sample]),
        ("/escalations/<id>/print/", [f"/escalations/{e.pk}/print/" for e in sample]),
        ("/escalations/", ["/escalations/"]),
        ("/escalations/?status=all", ["/escalations/?status=all"]),
        ("/escalations/?overdue=on", ["/escalations/?overdue=on"]),
        ("/escalations/?reescalated=on", ["/escalations/?reescalated=on&status=all"]),
        ("/escalations/?account=", [f"/escalations/?account={account}&status=all"]),
    ]
    table = Table(
        f"escalation pages as {user.username!r}: {Escalation.objects.count():,} escalations, "
        f"{EscalationEvent.objects.count():,} events",
        args.requests,
    )
    # The forecast's stored groups, as the schedule keeps them (out of the timed requests).
    timed_job("forecast groups (escalations.forecast)", forecast.refresh_figures)
    for label, urls in pages:
        table.row(label, client, urls)


if __name__ == "__main__":
    main()
