"""Test helpers for the board, account and dashboard pages: accounts with scores set
directly (the scoring helper computes them in production)."""

from datetime import date, timedelta
from decimal import Decimal

from accounts.models import Account, RiskFlagFeedback, ScoreSnapshot
from tests.factories import make_account

FACTORS = [
    {"name": "Usage drop", "points": 15, "reason": "weekly active users down 25% in 4 weeks"},
    {"name": "Churn language", "points": 25, "reason": "“looking at alternatives” in ticket #12"},
    {"name": "Renewal proximity", "points": 10, "reason": "renewal in 41 days"},
    {"name": "Open escalation", "points": 12, "reason": "1 open High escalation"},
]

LEVELS = [(85, "critical"), (70, "high"), (40, "medium"), (0, "low")]


def level_for(score: int) -> str:
    return next(level for bound, level in LEVELS if score >= bound)


def make_scored_account(
    name: str | None = None,
    risk: int = 50,
    health: int | None = 60,
    arr=Decimal(120000),
    factors=None,
    renewal_in: int | None = 300,
    **kw,
) -> Account:
    kw.setdefault("risk_level", level_for(risk))
    renewal = None if renewal_in is None else date.today() + timedelta(days=renewal_in)
    return make_account(
        name,
        arr=arr,
        risk_score=risk,
        health_score=health,
        risk_factors=FACTORS if factors is None else factors,
        renewal_date=renewal,
        **kw,
    )


def make_snapshots(account: Account, days: int = 30) -> None:
    today = date.today()
    ScoreSnapshot.objects.bulk_create(
        ScoreSnapshot(
            account=account,
            day=today - timedelta(days=days - i),
            health_score=80 - i,
            risk_score=min(100, 20 + 2 * i),
            risk_level=level_for(min(100, 20 + 2 * i)),
            risk_factors=[],
        )
        for i in range(days)
    )


def make_feedback(account: Account, verdict: str, factors=None, user=None) -> RiskFlagFeedback:
    return RiskFlagFeedback.objects.create(
        account=account,
        user=user,
        verdict=verdict,
        risk_score=account.risk_score,
        risk_factors=FACTORS if factors is None else factors,
    )
