"""The backtest's rolling replay (one history read, windows rolled a day at a time)
gives every day exactly the features, scores and figures of the features statement run
as of that day, and stays honest: what happened later never reaches an earlier day."""

import random
from dataclasses import fields
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from accounts.models import NpsPoint, ScoreWeights, UsagePoint
from accounts.scoring import FeatureColumns
from tests.factories import make_account, make_contact, make_escalation, make_message, make_ticket
from vipdesk.insight.asof import columns_as_of
from vipdesk.insight.replay import midnight, replay, report, summary
from vipdesk.insight.rolling import rolling_columns

pytestmark = pytest.mark.django_db

START = date(2026, 3, 1)
END = date(2026, 3, 28)
SIGNALS = [
    [{"phrase": "cancel", "kind": "direct", "weight": 30}],
    [{"phrase": "frustrated", "kind": "indirect", "weight": 10}],
    [{"phrase": "frustrated", "weight": 10}, {"phrase": "leave", "kind": "direct", "weight": 30}],
]


def at(rng: random.Random, first: datetime, days: int) -> datetime:
    return first + timedelta(seconds=rng.randrange(days * 86400))


@pytest.fixture
def history():
    """Five accounts with 200 days of everything the features read, some of it after
    the period (the replay must not see it early)."""
    rng = random.Random(7)
    origin = midnight(START) - timedelta(days=170)
    accounts = []
    for n in range(5):
        account = make_account(f"Account {n}", renewal_date=START + timedelta(days=20 * n))
        champion = make_contact(
            account, is_champion=n % 2 == 0, last_contacted_at=at(rng, origin, 190)
        )
        for _ in range(rng.randrange(20, 60)):
            created = at(rng, origin, 200)
            resolved = created + timedelta(hours=rng.randrange(1, 400))
            status = rng.choice(["open", "solved", "solved", "closed", "pending"])
            churn = rng.random() < 0.2
            ticket = make_ticket(
                account,
                contact=champion if rng.random() < 0.3 else None,
                created_at=created,
                status=status,
                resolved_at=None if status in ("open", "pending") else resolved,
                customer_priority=rng.choice(["P1", "P2", "P3", "P4"]),
                effective_priority=rng.choice(["", "P1", "P3"]),
                sentiment=rng.choice([None, round(rng.uniform(-1, 1), 4)]),
                csat=rng.choice([None, 1, 3, 5]) if status in ("solved", "closed") else None,
                churn_points=rng.choice([10, 30, 40]) if churn else 0,
                churn_signals=rng.choice(SIGNALS) if churn else [],
                first_response_breached_at=(
                    created + timedelta(hours=rng.randrange(1, 100)) if rng.random() < 0.2 else None
                ),
            )
            for _ in range(rng.randrange(0, 3)):
                make_message(
                    ticket,
                    author=rng.choice(["customer", "customer", "agent"]),
                    body="x" * rng.randrange(5, 400),
                    created_at=created + timedelta(hours=rng.randrange(0, 900)),
                )
        for week in range(30):
            UsagePoint.objects.create(
                account=account,
                week=origin.date() + timedelta(days=7 * week - origin.weekday()),
                active_users=rng.randrange(10, 100),
            )
        for _ in range(4):
            NpsPoint.objects.get_or_create(
                account=account,
                date=(origin + timedelta(days=rng.randrange(200))).date(),
                defaults={"score": rng.randrange(-100, 100)},
            )
        accounts.append(account)
    return accounts


def _by_account(columns: FeatureColumns) -> FeatureColumns:
    return columns.take(np.argsort(columns.account_id))


READ_BY_THE_RISK = [
    f.name
    for f in fields(FeatureColumns)
    if f.name not in ("escalation_load", "direct_phrases", "indirect_phrases")
]


def test_each_day_has_the_features_the_statement_gives_as_of_that_day(history):
    moments = [midnight(START) + timedelta(days=i) for i in range(40)]
    for moment, rolled in rolling_columns(moments):
        statement = _by_account(next(columns_as_of(moment)))
        rolled = _by_account(rolled)
        for name in READ_BY_THE_RISK:
            got, want = getattr(rolled, name), getattr(statement, name)
            if name in ("direct_count", "indirect_count"):  # signals vs distinct phrases
                got, want = got > 0, want > 0
            np.testing.assert_array_equal(got, want, err_msg=f"{name} at {moment}")


def test_the_replay_gives_the_figures_of_the_per_day_path(history):
    weights = ScoreWeights.load()
    weights.ticket_frequency_points = weights.churn_language_points = 40
    make_escalation(history[1], opened_at=midnight(START) + timedelta(days=9, hours=5))
    make_escalation(history[3], opened_at=midnight(START) + timedelta(days=20, hours=1))
    sets = {"saved": weights}
    rolled = replay(START, END, sets, floor=10)
    per_day = replay(START, END, sets, floor=10, per_day=True)
    assert rolled.risks == per_day.risks and rolled.factors == per_day.factors
    assert rolled.rules == per_day.rules
    assert any(rolled.risks["saved"]), "the history should score somewhere"
    for threshold in (20, 40, 70):
        assert summary(report(rolled, "saved", threshold)) == summary(
            report(per_day, "saved", threshold)
        )


def test_what_happened_later_never_reaches_an_earlier_day(history):
    weights = {"saved": ScoreWeights.load()}
    before = replay(START, END, weights, floor=1)
    later = midnight(START + timedelta(days=10)) + timedelta(hours=3)
    account = history[0]
    make_ticket(
        account,
        created_at=later,
        customer_priority="P1",
        sentiment=-0.9,
        churn_points=60,
        churn_signals=SIGNALS[0],
    )
    NpsPoint.objects.create(account=account, date=later.date(), score=-100)
    UsagePoint.objects.create(account=account, week=END - timedelta(days=3), active_users=0)
    make_escalation(account, severity="critical", opened_at=later)
    after = replay(START, END, weights, floor=1)
    known = sum(1 for m in before.moments if m <= later)  # the days scored before `later`
    for name in ("saved",):
        assert after.risks[name][:known] == before.risks[name][:known]
    assert {n: r[:known] for n, r in after.rules.items()} == {
        n: r[:known] for n, r in before.rules.items()
    }
    assert after.risks != before.risks  # the planted trouble does show, later


def test_it_rolls_only_over_consecutive_midnights():
    with pytest.raises(ValueError):
        list(rolling_columns([datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 3, tzinfo=UTC)]))
