"""State changes on tasks, each a conditional UPDATE: closing twice changes nothing."""

from datetime import datetime

from django.utils import timezone

from vipdesk.tasks.models import Task


def complete_task(task: Task, *, by, now: datetime | None = None) -> bool:
    return bool(
        Task.objects.filter(pk=task.pk, status=Task.Status.OPEN).update(
            status=Task.Status.DONE, closed_at=now or timezone.now(), closed_by=by
        )
    )


def skip_task(task: Task, *, by, reason: str, now: datetime | None = None) -> bool:
    reason = reason.strip()
    if not reason:
        raise ValueError("Skipping a task needs a reason.")
    return bool(
        Task.objects.filter(pk=task.pk, status=Task.Status.OPEN).update(
            status=Task.Status.SKIPPED,
            closed_at=now or timezone.now(),
            closed_by=by,
            skip_reason=reason[:500],
        )
    )
