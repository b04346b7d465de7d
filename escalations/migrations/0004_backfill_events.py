"""Existing escalations get the events their timestamps imply (opened, acknowledged,
resolved/closed); a resolved one keeps its time as resolved_at, not closed_at."""

from django.db import migrations

FORWARD = """
UPDATE escalations_escalation
   SET resolved_at = closed_at, closed_at = NULL
 WHERE status = 'resolved' AND closed_at IS NOT NULL AND resolved_at IS NULL;

INSERT INTO escalations_escalationevent
       (escalation_id, at, actor_id, kind, from_value, to_value, text)
SELECT id, opened_at, CAST(NULL AS integer), 'opened', '', 'open', 'Escalation opened.'
  FROM escalations_escalation
UNION ALL
SELECT id, acknowledged_at, NULL, 'status', 'open', 'acknowledged', 'Acknowledged.'
  FROM escalations_escalation WHERE acknowledged_at IS NOT NULL
UNION ALL
SELECT id, resolved_at, NULL, 'status',
       CASE WHEN acknowledged_at IS NULL THEN 'open' ELSE 'acknowledged' END,
       'resolved', 'Resolved.'
  FROM escalations_escalation WHERE resolved_at IS NOT NULL
UNION ALL
SELECT id, closed_at, NULL, 'status',
       CASE WHEN acknowledged_at IS NULL THEN 'open' ELSE 'acknowledged' END,
       'closed', 'Closed.'
  FROM escalations_escalation WHERE closed_at IS NOT NULL;
"""


class Migration(migrations.Migration):
    dependencies = [("escalations", "0003_playbook_model")]
    operations = [migrations.RunSQL(FORWARD, migrations.RunSQL.noop)]
