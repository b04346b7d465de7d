"""The relationship cadence of VIP accounts (pure: no database).

Seed 002 "Executive sponsor program" and "Proactive outreach cadence", seed 000
"Proactive intervention"; every number is CadencePolicy (admin-edited):
- recurring tasks for the CSM: a check-in every month, a business review every
  quarter, an executive review every year, each for the tiers the policy names and
  due at the end of its period (17:00 local time on the last day);
- proactive outreach for the CSM when usage drops past the threshold, the champion
  goes silent (the scoring's silent-champion factor) or NPS falls by the threshold,
  with a short draft naming the signal; at most one open outreach per account and
  signal (and one per month).
"""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from vipdesk.tasks.models import Task
from vipdesk.tasks.raising import TaskSpec

DUE_TIME = time(17, 0)


@dataclass(frozen=True)
class CadenceRules:
    check_in_up_to_tier: int = 3
    business_review_up_to_tier: int = 1
    executive_review_up_to_tier: int = 1
    outreach_usage_drop_pct: int = 20
    outreach_nps_fall: int = 10
    outreach_due_days: int = 2

    @classmethod
    def from_policy(cls, p) -> "CadenceRules":
        return cls(
            p.check_in_up_to_tier,
            p.business_review_up_to_tier,
            p.executive_review_up_to_tier,
            p.outreach_usage_drop_pct,
            p.outreach_nps_fall,
            p.outreach_due_days,
        )


@dataclass(frozen=True)
class AccountFacts:
    id: int
    name: str
    tier: int
    csm_id: int | None
    csm_name: str = ""
    usage_trend_pct: float | None = None
    nps: int | None = None
    previous_nps: int | None = None
    champion_silent: str = ""  # the scoring's reason, "" when the champion is not silent


def _end_of(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, DUE_TIME, tzinfo=tz)


def periods(today: date) -> dict[str, tuple[str, date]]:
    """Task kind -> (period label used in the key, last day of the period)."""
    month_end = today.replace(day=calendar.monthrange(today.year, today.month)[1])
    quarter = (today.month - 1) // 3 + 1
    q_month = quarter * 3
    quarter_end = date(today.year, q_month, calendar.monthrange(today.year, q_month)[1])
    return {
        Task.Kind.CHECK_IN: (f"{today:%Y-%m}", month_end),
        Task.Kind.BUSINESS_REVIEW: (f"{today.year}-Q{quarter}", quarter_end),
        Task.Kind.EXECUTIVE_REVIEW: (f"{today.year}", date(today.year, 12, 31)),
    }


def recurring_tasks(accounts: list[AccountFacts], rules: CadenceRules, now: datetime, tz: ZoneInfo):
    """This period's check-in, business review and executive review of each account."""
    up_to = {
        Task.Kind.CHECK_IN: rules.check_in_up_to_tier,
        Task.Kind.BUSINESS_REVIEW: rules.business_review_up_to_tier,
        Task.Kind.EXECUTIVE_REVIEW: rules.executive_review_up_to_tier,
    }
    titles = {
        Task.Kind.CHECK_IN: "Monthly check-in with {name} ({period})",
        Task.Kind.BUSINESS_REVIEW: "Quarterly business review with {name} ({period})",
        Task.Kind.EXECUTIVE_REVIEW: "Annual executive review with {name} ({period})",
    }
    specs = []
    for kind, (period, last_day) in periods(now.astimezone(tz).date()).items():
        for a in accounts:
            if a.tier <= up_to[kind]:
                specs.append(
                    TaskSpec(
                        kind=kind,
                        key=f"account:{a.id}:{kind}:{period}",
                        title=titles[kind].format(name=a.name, period=period),
                        due_at=_end_of(last_day, tz),
                        owner_id=a.csm_id,
                        account_id=a.id,
                        link=f"/accounts/{a.id}/",
                    )
                )
    return specs


def outreach_signals(a: AccountFacts, rules: CadenceRules) -> dict[str, str]:
    """signal -> the sentence naming it, for each signal the account shows."""
    found = {}
    if a.usage_trend_pct is not None and a.usage_trend_pct <= -rules.outreach_usage_drop_pct:
        found["usage_drop"] = (
            f"weekly active users are down {-a.usage_trend_pct:.0f}% over four weeks"
        )
    if a.champion_silent:
        found["silent_champion"] = a.champion_silent[0].lower() + a.champion_silent[1:]
    if (
        a.nps is not None
        and a.previous_nps is not None
        and a.previous_nps - a.nps >= rules.outreach_nps_fall
    ):
        found["nps_drop"] = f"NPS fell from {a.previous_nps} to {a.nps}"
    return found


def outreach_key(account_id: int, signal: str, month: str) -> str:
    return f"account:{account_id}:outreach:{signal}:{month}"


def signal_of(key: str) -> str:
    return key.split(":")[3]


def outreach_draft(a: AccountFacts, sentence: str) -> str:
    return (
        f"Subject: Checking in — {a.name}\n\n"
        "Hi,\n\n"
        f"I noticed that {sentence}. I'd like to make sure you are getting what you need "
        "from us: could we find 20 minutes this week to talk it through?\n\n"
        f"Best regards,\n{a.csm_name or 'Your customer success manager'}"
    )


def outreach_tasks(
    accounts: list[AccountFacts],
    rules: CadenceRules,
    open_outreach: set[tuple[int, str]],
    now: datetime,
) -> list[TaskSpec]:
    """An outreach task per account and signal, unless one is still open."""
    month = f"{now:%Y-%m}"
    specs = []
    for a in accounts:
        for signal, sentence in outreach_signals(a, rules).items():
            if (a.id, signal) in open_outreach:
                continue
            specs.append(
                TaskSpec(
                    kind=Task.Kind.OUTREACH,
                    key=outreach_key(a.id, signal, month),
                    title=f"Reach out to {a.name}: {sentence}",
                    due_at=now + timedelta(days=rules.outreach_due_days),
                    owner_id=a.csm_id,
                    account_id=a.id,
                    link=f"/accounts/{a.id}/",
                    draft=outreach_draft(a, sentence),
                )
            )
    return specs
