"""Follow-ups for tickets answered or resolved outside vipdesk's own pages (the
helpdesk's webhook, imports): vipdesk/cron.py runs this every five minutes. It looks
back a week, so missed runs are caught up; each task's key makes re-runs no-ops."""

from datetime import datetime, timedelta

from django.utils import timezone

from tickets.followups.actions import create_follow_ups, load_rules, tickets_missing_follow_ups

LOOKBACK = timedelta(days=7)


def create_missing_follow_ups(now: datetime | None = None) -> int:
    now = now or timezone.now()
    rules = load_rules()
    return create_follow_ups(tickets_missing_follow_ups(now - LOOKBACK, rules), rules)
