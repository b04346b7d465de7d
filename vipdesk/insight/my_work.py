"""“My work” (/my/): one list per person, sorted by due time.

- An agent: their open tickets (due: the SLA deadline that matters now) and their tasks.
- A CSM: their tasks (follow-ups, check-ins, reviews, outreach) and their at-risk
  accounts (due: the renewal date).
- A support lead (or admin): their own tasks plus every overdue task of their team
  (tasks that go up to them) and overdue tasks nobody owns.
A constant number of queries whoever asks (pinned in tests/insight/test_my_work.py).
"""

from dataclasses import dataclass
from datetime import datetime, time

from django.utils import timezone

from accounts.models import Account, RiskLevel
from tickets.models import Ticket, current_sla_due
from vipdesk.lib.roles import Role
from vipdesk.tasks.models import Task

LIMIT = 50  # per source, and shown in all: the soonest due
AT_RISK_LEVELS = (RiskLevel.HIGH, RiskLevel.CRITICAL)


@dataclass
class WorkItem:
    due_at: datetime | None
    kind: str
    title: str
    link: str
    overdue: bool
    task: Task | None = None
    owner: str = ""  # whose task, on a lead's list of the team's overdue tasks

    @property
    def done_label(self) -> str:
        return (
            "Mark sent" if self.task and self.task.kind == Task.Kind.RESOLUTION_SUMMARY else "Done"
        )


@dataclass
class MyWork:
    items: list[WorkItem]
    overdue: int
    more: int = 0  # items beyond the LIMIT shown


def _owner(task: Task) -> str:
    return (task.owner.get_full_name() or task.owner.username) if task.owner else "Unowned"


def _task_items(tasks, now, *, team: bool) -> list[WorkItem]:
    return [
        WorkItem(
            due_at=t.due_at,
            kind=t.get_kind_display(),
            title=t.title,
            link=t.link,
            overdue=t.due_at <= now,
            task=t,
            owner=_owner(t) if team else "",
        )
        for t in tasks
    ]


def my_work(user, roles: set[str], now: datetime) -> MyWork:
    tasks = Task.objects.open().select_related("owner")
    items = _task_items(tasks.filter(owner=user)[:LIMIT], now, team=False)
    if Role.AGENT in roles:
        tickets = (
            Ticket.objects.open()
            .filter(assigned_agent__user=user)
            .select_related("account")
            .only(
                "subject",
                "tier",
                "first_response_at",
                "sla_first_response_due",
                "sla_resolution_due",
                "account__name",
            )
            .order_by(current_sla_due(), "pk")[:LIMIT]
        )
        items += [
            WorkItem(
                due_at=t.sla_due,
                kind=f"Ticket · {t.get_tier_display() or 'Unrouted'}",
                title=f"#{t.pk} {t.subject}" + (f" — {t.account.name}" if t.account else ""),
                link=f"/tickets/{t.pk}/",
                overdue=t.sla_due is not None and t.sla_due <= now,
            )
            for t in tickets
        ]
    if Role.CSM in roles:
        tz = timezone.get_current_timezone()
        accounts = Account.objects.filter(csm=user, risk_level__in=AT_RISK_LEVELS).order_by(
            "renewal_date"
        )[:LIMIT]
        items += [
            WorkItem(
                due_at=(
                    datetime.combine(a.renewal_date, time(9), tzinfo=tz) if a.renewal_date else None
                ),
                kind=f"At-risk account · {a.get_risk_level_display()}",
                title=f"{a.name} — risk {a.risk_score}/100, renewal",
                link=f"/accounts/{a.pk}/",
                overdue=False,
            )
            for a in accounts
        ]
    if Role.LEAD in roles or Role.ADMIN in roles:
        # Two index-ordered queries (lead, due) and (no owner, due), each stopping at
        # LIMIT, instead of one OR that reads every overdue task of the team.
        overdue = tasks.overdue(now).exclude(owner=user)
        for team in (overdue.filter(lead=user), overdue.filter(owner=None).exclude(lead=user)):
            items += _task_items(team[:LIMIT], now, team=True)
    items.sort(key=lambda i: (i.due_at is None, i.due_at or now))
    return MyWork(
        items=items[:LIMIT],
        overdue=sum(i.overdue for i in items),
        more=max(0, len(items) - LIMIT),
    )
