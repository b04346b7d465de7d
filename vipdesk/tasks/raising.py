"""Creating tasks: each key once, ever, in a constant number of queries however many
tasks a rule run asks for. The rules that decide them (ticket follow-ups, account
cadence, outreach) live in their own layers and hand over TaskSpecs."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from vipdesk.tasks.models import Task


@dataclass(frozen=True)
class TaskSpec:
    kind: str
    key: str
    title: str
    due_at: datetime
    owner_id: int | None
    lead_id: int | None = None
    account_id: int | None = None
    ticket_id: int | None = None
    link: str = ""
    draft: str = ""


def create_tasks(specs: list[TaskSpec], now: datetime | None = None) -> int:
    """Create the tasks whose key was never used; returns how many were created."""
    now = now or timezone.now()
    unique = {spec.key[:200]: spec for spec in specs}
    if not unique:
        return 0
    existing = set(Task.objects.filter(key__in=unique).values_list("key", flat=True))
    new = [
        Task(
            kind=spec.kind,
            key=key,
            title=spec.title[:300],
            draft=spec.draft,
            owner_id=spec.owner_id,
            lead_id=spec.lead_id,
            account_id=spec.account_id,
            ticket_id=spec.ticket_id,
            link=spec.link,
            due_at=spec.due_at,
            created_at=now,
        )
        for key, spec in unique.items()
        if key not in existing
    ]
    # A concurrent run may have created some meanwhile: the unique key skips them.
    return len(Task.objects.bulk_create(new, ignore_conflicts=True))
