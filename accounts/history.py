"""Dated NPS and usage history (NpsPoint, UsagePoint) and what it says as of a day.

A dated point counts once its period is over: an NPS result dated D from the next
midnight (UTC), a usage week from the midnight after its seventh day. Scores read the
history through vipdesk/insight/features.py; `refresh_current_values` copies the
latest values onto the account (Account.nps, previous_nps, weekly_active_users,
usage_trend_pct) for the pages that show them.
"""

from collections import defaultdict
from datetime import date, timedelta

import numpy as np

from accounts.models import Account, NpsPoint, UsagePoint

USAGE_WEEKS_SHOWN = 12


def usage_windows(today: date) -> dict[str, date]:
    """The usage trend compares the 4 latest complete weeks with the 4 before them:
    weeks starting in [recent_from, until) against [before_from, recent_from)."""
    until = today - timedelta(days=6)  # a week starting before this is over by today
    return {
        "until": until,
        "recent_from": until - timedelta(weeks=4),
        "before_from": until - timedelta(weeks=8),
    }


def usage_trend_pct(
    recent_avg: float | None, recent_weeks: int, before_avg: float | None, before_weeks: int
) -> float | None:
    """Change in weekly active users, 4 complete weeks against the 4 before (%); None
    without two weeks on each side or with no users before."""
    values = (recent_avg, recent_weeks, before_avg, before_weeks)
    trend = usage_trend_columns(*(np.array([v], dtype=float) for v in values))[0]
    return None if np.isnan(trend) else float(trend)


def usage_trend_columns(recent_avg, recent_weeks, before_avg, before_weeks) -> np.ndarray:
    """usage_trend_pct for many accounts at once (float arrays, NaN for None)."""
    known = (recent_weeks >= 2) & (before_weeks >= 2) & (before_avg > 0) & ~np.isnan(recent_avg)
    before = np.where(known, before_avg, 1.0)
    return np.where(known, np.round(100 * (recent_avg - before) / before, 1), np.nan)


def refresh_current_values(account_ids, today: date) -> int:
    """Copy the latest known NPS (and the one before) and usage onto the accounts; two
    queries and one bulk_update per call."""
    ids = list(account_ids)
    nps = defaultdict(list)
    for account_id, score in (
        NpsPoint.objects.filter(account_id__in=ids, date__lte=today)
        .order_by("account_id", "-date")
        .values_list("account_id", "score")
    ):
        nps[account_id].append(score)
    windows = usage_windows(today)
    weeks = defaultdict(list)
    for account_id, week, users in (
        UsagePoint.objects.filter(
            account_id__in=ids,
            week__lt=windows["until"],
            week__gte=windows["until"] - timedelta(weeks=USAGE_WEEKS_SHOWN),
        )
        .order_by("account_id", "week")
        .values_list("account_id", "week", "active_users")
    ):
        weeks[account_id].append((week, users))
    accounts = []
    for account in Account.objects.filter(pk__in=ids).only("pk"):
        scores = nps.get(account.pk, [])
        series = weeks.get(account.pk, [])
        recent = [u for w, u in series if w >= windows["recent_from"]]
        before = [u for w, u in series if windows["before_from"] <= w < windows["recent_from"]]
        account.nps = scores[0] if scores else None
        account.previous_nps = scores[1] if len(scores) > 1 else None
        account.weekly_active_users = [u for _, u in series]
        account.usage_trend_pct = usage_trend_pct(
            sum(recent) / len(recent) if recent else None,
            len(recent),
            sum(before) / len(before) if before else None,
            len(before),
        )
        accounts.append(account)
    Account.objects.bulk_update(
        accounts,
        ["nps", "previous_nps", "weekly_active_users", "usage_trend_pct"],
        batch_size=1000,
    )
    return len(accounts)
