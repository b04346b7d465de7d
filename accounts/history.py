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
TREND_SHOWN_WEEKS = 4  # the pages' usage trend: the 4 latest weeks against the 4 before
# The recent and baseline usage windows together span at most this many weeks (the
# score weights form checks it): the features statement reads no more.
USAGE_WINDOWS_MAX_WEEKS = 12


def usage_until(today: date) -> date:
    """Weeks starting before this day are complete by `today`."""
    return today - timedelta(days=6)


def usage_windows(today: date, recent_weeks: int = 4, baseline_weeks: int = 4) -> dict[str, date]:
    """The usage trend compares the `recent_weeks` latest complete weeks with the
    `baseline_weeks` before them: weeks starting in [recent_from, until) against
    [before_from, recent_from)."""
    until = usage_until(today)
    return {
        "until": until,
        "recent_from": until - timedelta(weeks=recent_weeks),
        "before_from": until - timedelta(weeks=recent_weeks + baseline_weeks),
    }


def weeks_ago(week: date, today: date) -> int:
    """0 for the latest complete week as of `today`, 1 for the one before, …"""
    return ((usage_until(today) - week).days - 1) // 7


def usage_trend_pct(
    recent_avg: float | None, recent_weeks: int, before_avg: float | None, before_weeks: int
) -> float | None:
    """Change in weekly active users, the recent weeks' average against the baseline
    weeks' (%); None without a week on each side or with no users before."""
    if recent_weeks < 1 or before_weeks < 1 or recent_avg is None or not before_avg:
        return None
    return round(100 * (float(recent_avg) - float(before_avg)) / float(before_avg), 1)


def usage_trend(weeks: tuple, recent_weeks: int, baseline_weeks: int) -> float | None:
    """The usage trend from a weekly series (index 0 = the latest complete week, None
    for a week with no data): the `recent_weeks` latest against the `baseline_weeks`
    before them. Each side needs at least half its weeks (and one)."""
    series = np.array([[np.nan if u is None else u for u in weeks]], dtype=float)
    trend = usage_trend_columns(series, recent_weeks, baseline_weeks)[0]
    return None if np.isnan(trend) else float(trend)


def usage_trend_columns(weeks: np.ndarray, recent_weeks: int, baseline_weeks: int) -> np.ndarray:
    """usage_trend for many accounts at once: `weeks` holds a series per row (NaN for a
    week with no data); NaN where there is no trend."""
    recent = weeks[:, :recent_weeks]
    before = weeks[:, recent_weeks : recent_weeks + baseline_weeks]
    n_recent = np.sum(~np.isnan(recent), axis=1)
    n_before = np.sum(~np.isnan(before), axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        recent_avg = np.nansum(recent, axis=1) / n_recent
        before_avg = np.nansum(before, axis=1) / n_before
        known = (
            (n_recent >= max(1, recent_weeks / 2))
            & (n_before >= max(1, baseline_weeks / 2))
            & (before_avg != 0)
        )
        return np.where(known, np.round(100 * (recent_avg - before_avg) / before_avg, 1), np.nan)


def refresh_current_values(account_ids, today: date) -> int:
    """Copy the latest known NPS (and the one before) and usage onto the accounts, with
    the usage trend the pages show (Account.usage_trend_pct: the 4 latest complete
    weeks against the 4 before; the risk score's usage drop reads its own windows,
    named in its reason); two queries and one bulk_update per call."""
    ids = list(account_ids)
    nps = defaultdict(list)
    for account_id, score in (
        NpsPoint.objects.filter(account_id__in=ids, date__lte=today)
        .order_by("account_id", "-date")
        .values_list("account_id", "score")
    ):
        nps[account_id].append(score)
    span = max(USAGE_WEEKS_SHOWN, USAGE_WINDOWS_MAX_WEEKS)
    until = usage_until(today)
    weeks = defaultdict(lambda: [None] * span)
    for account_id, week, users in UsagePoint.objects.filter(
        account_id__in=ids, week__lt=until, week__gte=until - timedelta(weeks=span)
    ).values_list("account_id", "week", "active_users"):
        weeks[account_id][weeks_ago(week, today)] = users
    accounts = []
    for account in Account.objects.filter(pk__in=ids).only("pk"):
        scores = nps.get(account.pk, [])
        series = weeks.get(account.pk, [])
        account.nps = scores[0] if scores else None
        account.previous_nps = scores[1] if len(scores) > 1 else None
        account.weekly_active_users = [
            u for u in reversed(series[:USAGE_WEEKS_SHOWN]) if u is not None
        ]
        account.usage_trend_pct = usage_trend(tuple(series), TREND_SHOWN_WEEKS, TREND_SHOWN_WEEKS)
        accounts.append(account)
    Account.objects.bulk_update(
        accounts,
        ["nps", "previous_nps", "weekly_active_users", "usage_trend_pct"],
        batch_size=1000,
    )
    return len(accounts)
