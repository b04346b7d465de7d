"""What is due or overdue after escalations: post-mortems (due N business days after
the resolution) and their follow-up actions. Loads in a fixed number of queries, then
asks the pure rules (rules.reminder_stage, rules.follow_up_stage) per item.

A post-mortem is tracked when the severity requires one, or once someone started one
for a lower severity; escalations imported from a previous tool are history, not work."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from escalations.models import (
    Escalation,
    FollowUp,
    PostMortem,
    PostMortemPolicy,
    SeverityPolicy,
)
from escalations.postmortems import rules
from tickets.calendars import load_business_calendars
from vipdesk.alerts.models import Alert
from vipdesk.alerts.raising import AlertSpec


def business_calendar():
    """The default support calendar: post-mortems are due in its business days."""
    default, _ = load_business_calendars()
    return default


@dataclass(frozen=True)
class Due:
    escalation: Escalation
    due: datetime
    stage: str | None  # "due_soon", "overdue" or None
    owner_id: int | None


def post_mortems_due(now: datetime, policy: PostMortemPolicy) -> list[Due]:
    required = SeverityPolicy.objects.filter(post_mortem_required=True).values("severity")
    escalations = (
        Escalation.objects.filter(Q(resolved_at__isnull=False) | Q(closed_at__isnull=False))
        .filter(Q(severity__in=required) | Q(post_mortem__status=PostMortem.Status.DRAFT))
        .exclude(post_mortem__status=PostMortem.Status.COMPLETE)
        .exclude(source=Escalation.Source.IMPORT)
        .select_related("account", "owner")
    )
    calendar = business_calendar()
    found = []
    for e in escalations:
        due = rules.due_at(e.resolved_at or e.closed_at, policy.due_business_days, calendar)
        stage = rules.reminder_stage(due, now, policy.remind_days_before)
        found.append(Due(e, due, stage, e.owner_id or e.account.csm_id))
    return sorted(found, key=lambda d: d.due)


def open_follow_ups(now: datetime, policy: PostMortemPolicy, owner=None) -> list[FollowUp]:
    """Open follow-up actions, each with .stage set; one owner's when given."""
    items = FollowUp.objects.filter(status=FollowUp.Status.OPEN).select_related(
        "owner", "post_mortem__escalation__account"
    )
    if owner is not None:
        items = items.filter(owner=owner)
    today = now.date()
    items = list(items)
    for item in items:
        item.stage = rules.follow_up_stage(item.due_on, today, policy.remind_days_before)
    return items


def overdue(now: datetime) -> dict:
    """The overdue list of the escalations page."""
    policy = PostMortemPolicy.load()
    return {
        "post_mortems": [d for d in post_mortems_due(now, policy) if d.stage == "overdue"],
        "follow_ups": [f for f in open_follow_ups(now, policy) if f.stage == "overdue"],
    }


STAGE_TITLES = {"due_soon": "due soon", "overdue": "overdue"}


def reminders(now: datetime) -> list[AlertSpec]:
    """One alert per item, stage and due time (the dedupe key), to its owner."""
    policy = PostMortemPolicy.load()
    specs = []
    for d in post_mortems_due(now, policy):
        if d.stage is None or d.owner_id is None:
            continue
        e = d.escalation
        specs.append(
            AlertSpec(
                user_id=d.owner_id,
                kind=Alert.Kind.ESCALATION,
                dedupe_key=f"post-mortem:{e.pk}:{d.stage}:{d.due.isoformat()}",
                title=f"{e.code} post-mortem {STAGE_TITLES[d.stage]}",
                body=f"{e.account.name}: the post-mortem is due {d.due:%Y-%m-%d %H:%M} UTC "
                f"({policy.due_business_days} business days after the resolution).",
                link=f"/escalations/{e.pk}/post-mortem/",
                account_id=e.account_id,
            )
        )
    for item in open_follow_ups(now, policy):
        if item.stage is None:
            continue
        e = item.post_mortem.escalation
        specs.append(
            AlertSpec(
                user_id=item.owner_id,
                kind=Alert.Kind.ESCALATION,
                dedupe_key=f"follow-up:{item.pk}:{item.stage}:{item.due_on.isoformat()}",
                title=f"{e.code} follow-up action {STAGE_TITLES[item.stage]}",
                body=f"Due {item.due_on:%Y-%m-%d}: {item.description}",
                link=f"/escalations/{e.pk}/post-mortem/#follow-ups",
                account_id=e.account_id,
            )
        )
    return specs
