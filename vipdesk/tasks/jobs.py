"""The overdue-task monitor (vipdesk/cron.py, every five minutes).

A task past its due time alerts its owner once; still open
TaskPolicy.lead_alert_after_minutes later, it alerts the lead once. Missed runs are
caught up: every overdue task not yet alerted is alerted on the next run."""

from datetime import datetime, timedelta

from django.utils import timezone

from vipdesk.alerts.models import Alert
from vipdesk.alerts.raising import AlertSpec, raise_alerts
from vipdesk.tasks.models import Task, TaskPolicy

BATCH = 2000


def _spec(task: Task, user_id: int, who: str, title: str) -> AlertSpec:
    return AlertSpec(
        user_id=user_id,
        kind=Alert.Kind.TASK_OVERDUE,
        dedupe_key=f"task:{task.pk}:overdue:{who}",
        title=title,
        body=f"{task.title}\nDue {timezone.localtime(task.due_at):%a %d %b %H:%M}.",
        link=task.link or "/my/",
        account_id=task.account_id,
        ticket_id=task.ticket_id,
    )


def alert_overdue_tasks(now: datetime | None = None) -> int:
    """Alert owners, then leads, of overdue tasks; returns the number of alerts raised."""
    now = now or timezone.now()
    owners = list(
        Task.objects.overdue(now)
        .filter(owner__isnull=False, owner_alerted_at__isnull=True)
        .only("pk", "title", "due_at", "owner_id", "account_id", "ticket_id", "link")[:BATCH]
    )
    lead_due = now - timedelta(minutes=TaskPolicy.load().lead_alert_after_minutes)
    leads = list(
        Task.objects.overdue(lead_due)
        .filter(lead__isnull=False, lead_alerted_at__isnull=True)
        .only("pk", "title", "due_at", "lead_id", "account_id", "ticket_id", "link")[:BATCH]
    )
    specs = [_spec(t, t.owner_id, "owner", f"Overdue: {t.title}") for t in owners] + [
        _spec(t, t.lead_id, "lead", f"Overdue on your team: {t.title}") for t in leads
    ]
    raised = raise_alerts(specs, now=now)
    Task.objects.filter(pk__in=[t.pk for t in owners]).update(owner_alerted_at=now)
    Task.objects.filter(pk__in=[t.pk for t in leads]).update(lead_alerted_at=now)
    return len(raised)
