"""Indexes for the at-risk board (keyset pagination on every sort, ARR at risk by quarter)
and the VIP dashboard.

The two ticket indexes are raw SQL so that this app's migration does not edit the tickets
app's model state; they belong to the dashboard queries in vipdesk/insight/dashboard.py:
- ticket_open_vip_due_idx: open VIP tickets by their current SLA deadline (the same CASE
  expression as active_vip_tickets()), partial, so "top 10 soonest" reads 10 index entries;
- ticket_recent_metrics_idx: created_at with the columns the per-tier 30-day metrics read,
  for an index-only scan.
"""

import datetime
import django.db.models.functions.comparison
from django.conf import settings
from django.db import migrations, models

TICKET_INDEXES = """
    CREATE INDEX IF NOT EXISTS ticket_open_vip_due_idx ON tickets_ticket (
        (CASE WHEN first_response_at IS NULL THEN sla_first_response_due
              ELSE sla_resolution_due END),
        id
    ) WHERE status IN ('new', 'open', 'pending', 'hold') AND tier IN (1, 2, 3);
    CREATE INDEX IF NOT EXISTS ticket_recent_metrics_idx ON tickets_ticket (created_at)
        INCLUDE (tier, first_response_at, resolved_at, sla_first_response_due, csat);
"""


def create_ticket_indexes(apps, schema_editor):
    # PostgreSQL only (INCLUDE); the embedded SQLite demo does without.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TICKET_INDEXES)


def drop_ticket_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "DROP INDEX IF EXISTS ticket_open_vip_due_idx; DROP INDEX IF EXISTS ticket_recent_metrics_idx;"
        )


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_scoring_run'),
        ('tickets', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='account',
            index=models.Index(django.db.models.functions.comparison.Coalesce('health_score', models.Value(101)), models.F('id'), name='account_health_board_idx'),
        ),
        migrations.AddIndex(
            model_name='account',
            index=models.Index(models.OrderBy(models.F('arr'), descending=True), models.F('id'), name='account_arr_board_idx'),
        ),
        migrations.AddIndex(
            model_name='account',
            index=models.Index(django.db.models.functions.comparison.Coalesce('renewal_date', models.Value(datetime.date(9999, 12, 31))), models.F('id'), name='account_renewal_board_idx'),
        ),
        migrations.AddIndex(
            model_name='account',
            index=models.Index(condition=models.Q(('risk_level__in', ['high', 'critical'])), fields=['renewal_date', 'arr'], name='account_at_risk_renewal_idx'),
        ),
        migrations.AddIndex(
            model_name='account',
            index=models.Index(fields=['tier', 'executive_sponsor', 'arr'], name='account_tier_sponsor_idx'),
        ),
        migrations.RunPython(create_ticket_indexes, drop_ticket_indexes),
    ]
