"""Schedules the relationship cadence (vipdesk/cron.py, daily): this period's
check-ins and reviews of every VIP account, and proactive outreach where a signal
shows. Each task's key makes re-runs no-ops; a missed day is caught up the next."""

from datetime import datetime

from django.utils import timezone

from accounts.cadence.rules import (
    AccountFacts,
    CadenceRules,
    outreach_tasks,
    recurring_tasks,
    signal_of,
)
from accounts.models import Account, CadencePolicy
from vipdesk.tasks.models import Task
from vipdesk.tasks.raising import create_tasks


def _silent_champion(factors) -> str:
    for f in factors if isinstance(factors, list) else []:
        if isinstance(f, dict) and f.get("name") == "silent_champion" and f.get("points"):
            return str(f.get("reason", "")).rsplit(": +", 1)[0]
    return ""


def load_accounts() -> list[AccountFacts]:
    rows = Account.objects.vip().values_list(
        "id",
        "name",
        "tier",
        "csm_id",
        "csm__first_name",
        "csm__last_name",
        "usage_trend_pct",
        "nps",
        "previous_nps",
        "risk_factors",
    )
    return [
        AccountFacts(
            id=pk,
            name=name,
            tier=tier,
            csm_id=csm_id,
            csm_name=f"{first or ''} {last or ''}".strip(),
            usage_trend_pct=usage,
            nps=nps,
            previous_nps=previous,
            champion_silent=_silent_champion(factors),
        )
        for pk, name, tier, csm_id, first, last, usage, nps, previous, factors in rows
    ]


def schedule_relationship_tasks(now: datetime | None = None) -> int:
    now = now or timezone.now()
    rules = CadenceRules.from_policy(CadencePolicy.load())
    accounts = load_accounts()
    open_outreach = {
        (account_id, signal_of(key))
        for account_id, key in Task.objects.open()
        .filter(kind=Task.Kind.OUTREACH)
        .values_list("account_id", "key")
    }
    specs = recurring_tasks(accounts, rules, now, timezone.get_current_timezone())
    specs += outreach_tasks(accounts, rules, open_outreach, now)
    return create_tasks(specs, now)
