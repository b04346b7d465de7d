"""Plain factory functions: make_<thing>(**overrides) with sensible defaults."""

import itertools
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.models import Group, User
from django.utils import timezone

from accounts.history import usage_windows
from accounts.models import Account, AccountDomain, Contact, NpsPoint, ScoreWeights, UsagePoint
from accounts.tiering import retier_accounts
from escalations.models import Escalation
from tickets.models import (
    Agent,
    AgentLevel,
    AgentPool,
    Ticket,
    TicketMessage,
    customer_message_stats,
)
from vipdesk.lib.roles import Role

_seq = itertools.count(1)

PASSWORD = "correct-horse-battery"  # noqa: S105


def make_user(username: str | None = None, role: str | None = None, **kw) -> User:
    username = username or f"user{next(_seq)}"
    kw.setdefault("email", f"{username}@vipdesk.test")
    kw.setdefault("first_name", username.capitalize())
    if role == Role.ADMIN:
        kw.setdefault("is_staff", True)
    user = User.objects.create_user(username=username, password=PASSWORD, **kw)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def make_account(
    name: str | None = None, arr=Decimal(20000), domain: str | None = None, **kw
) -> Account:
    n = next(_seq)
    name = name or f"Account {n}"
    kw.setdefault("renewal_date", date.today() + timedelta(days=300))
    account = Account.objects.create(name=name, arr=Decimal(arr), **kw)
    AccountDomain.objects.create(account=account, domain=domain or f"account{n}.example")
    plant_history(
        account,
        nps=kw.get("nps"),
        previous_nps=kw.get("previous_nps"),
        usage_trend_pct=kw.get("usage_trend_pct"),
    )
    retier_accounts(Account.objects.filter(pk=account.pk))
    account.refresh_from_db()
    return account


def plant_history(
    account: Account,
    *,
    nps: int | None = None,
    previous_nps: int | None = None,
    usage_trend_pct: float | None = None,
    today: date | None = None,
) -> None:
    """Dated history that scores as these values today: NPS points two and 92 days ago,
    complete weeks of usage over the saved usage windows (100 users in the baseline
    weeks, then 100 × (1 + trend))."""
    today = today or timezone.now().date()
    if nps is not None:
        NpsPoint.objects.update_or_create(
            account=account, date=today - timedelta(days=2), defaults={"score": nps}
        )
    if previous_nps is not None:
        NpsPoint.objects.update_or_create(
            account=account, date=today - timedelta(days=92), defaults={"score": previous_nps}
        )
    if usage_trend_pct is not None:
        weights = ScoreWeights.load()
        windows = usage_windows(today, weights.usage_recent_weeks, weights.usage_baseline_weeks)
        recent = round(100 * (1 + usage_trend_pct / 100))
        week = windows["before_from"]
        while week < windows["until"]:
            UsagePoint.objects.update_or_create(
                account=account,
                week=week,
                defaults={"active_users": 100 if week < windows["recent_from"] else recent},
            )
            week += timedelta(weeks=1)


# Points where every factor counts, and the usage drop read over 4 weeks against the
# 4 before (from 10 %, full at 50 %): the weights the worked-out scores in the rescore
# tests use, whatever the fitted defaults are.
EVERY_FACTOR = {
    "churn_language_points": 25,
    "ticket_frequency_points": 18,
    "severity_escalating_points": 12,
    "shorter_messages_points": 8,
    "sentiment_falling_points": 12,
    "usage_drop_points": 15,
    "nps_drop_points": 10,
    "renewal_proximity_points": 10,
    "silent_champion_points": 8,
    "usage_recent_weeks": 4,
    "usage_baseline_weeks": 4,
    "usage_drop_from_pct": 10,
    "usage_drop_full_pct": 50,
}


def save_weights(**values) -> ScoreWeights:
    weights = ScoreWeights.load()
    for name, value in values.items():
        setattr(weights, name, value)
    weights.save()
    return weights


def every_factor_counts() -> ScoreWeights:
    return save_weights(**EVERY_FACTOR)


def this_morning():
    """Today 09:00: rescores a few hours later are still today, as the planted history
    is (started late in the day they ran into tomorrow, where the history's windows
    had moved on and the scores changed)."""
    return timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)


def usage_drives_the_score() -> ScoreWeights:
    """Saved weights where only the usage drop counts, worth 2 points per % down."""
    points = {name: 0 for name in EVERY_FACTOR if name.endswith("_points")}
    return save_weights(**{**EVERY_FACTOR, **points, "usage_drop_points": 100})


def make_contact(
    account: Account,
    name: str | None = None,
    title: str = "Engineer",
    email: str | None = None,
    **kw,
) -> Contact:
    n = next(_seq)
    domain = account.domains.first().domain
    return Contact.objects.create(
        account=account,
        name=name or f"Contact {n}",
        title=title,
        email=email or f"contact{n}@{domain}",
        **kw,
    )


def make_agent(
    user: User | None = None, level=AgentLevel.L2, tenure_days: int = 400, **kw
) -> Agent:
    user = user or make_user(role=Role.AGENT)
    return Agent.objects.create(
        user=user, level=level, tenure_start=date.today() - timedelta(days=tenure_days), **kw
    )


def make_pool(name: str | None = None, tier: int = 1, members=(), **kw) -> AgentPool:
    pool = AgentPool.objects.create(name=name or f"Pool {next(_seq)}", tier=tier, **kw)
    pool.members.set(members)
    return pool


def make_ticket(
    account: Account | None = None, subject: str = "Question about our invoice", **kw
) -> Ticket:
    n = next(_seq)
    kw.setdefault("source", Ticket.Source.API)
    kw.setdefault("external_id", f"T-{n}")
    kw.setdefault("customer_priority", "P3")
    kw.setdefault("created_at", timezone.now())
    kw.setdefault("body", "Hello, we have a question.")
    return Ticket.objects.create(account=account, subject=subject, **kw)


def make_message(ticket: Ticket, body: str, **kw) -> TicketMessage:
    """A message on the ticket, summed up on the ticket as routing does."""
    kw.setdefault("created_at", timezone.now())
    message = TicketMessage.objects.create(ticket=ticket, body=body, **kw)
    stats = customer_message_stats(ticket.messages.values_list("author", "body", "created_at"))
    Ticket.objects.filter(pk=ticket.pk).update(**stats)
    return message


def make_escalation(account: Account, **kw) -> Escalation:
    kw.setdefault("type", Escalation.Type.TECHNICAL)
    kw.setdefault("severity", "high")
    kw.setdefault("summary", "Customer escalated a recurring outage")
    kw.setdefault("opened_at", timezone.now())
    return Escalation.objects.create(account=account, **kw)
