"""Post-mortem reminders (every 15 minutes, vipdesk/cron.py): owners hear before and
after a post-mortem or a follow-up action is due; the alerts' dedupe keys make a
second run, or one catching up after downtime, alert nobody twice."""

from datetime import datetime

from django.utils import timezone

from escalations.postmortems import tracking
from vipdesk.alerts.raising import raise_alerts


def remind_post_mortems(now: datetime | None = None) -> int:
    now = now or timezone.now()
    return len(raise_alerts(tracking.reminders(now), now))
