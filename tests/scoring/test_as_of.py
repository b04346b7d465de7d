"""Honest time: a score as of a past moment uses only what was known then, and the
as-of path writes nothing."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Account, NpsPoint, ScoreSnapshot, ScoreWeights, UsagePoint
from accounts.scoring import usage_change
from tests.factories import (
    make_account,
    make_contact,
    make_escalation,
    make_message,
    make_ticket,
    plant_history,
)
from vipdesk.alerts.models import Alert
from vipdesk.insight.asof import features_as_of, scores_as_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def then():
    return timezone.now() - timedelta(days=40)


@pytest.fixture
def account(then):
    """An account in some trouble 40 days ago, with history up to then."""
    account = make_account(renewal_date=(then + timedelta(days=30)).date())
    plant_history(account, nps=10, previous_nps=40, usage_trend_pct=-30.0, today=then.date())
    for days in (100, 60):
        t = make_ticket(
            account,
            created_at=then - timedelta(days=days),
            status="solved",
            resolved_at=then - timedelta(days=days - 1),
            sentiment=0.4,
            csat=4,
        )
        make_message(t, "x" * 300, created_at=t.created_at)
    for days in (2, 4, 6):
        t = make_ticket(
            account,
            created_at=then - timedelta(days=days),
            sentiment=-0.3,
            customer_priority="P2",
            status="open",
        )
        make_message(t, "not ok", created_at=t.created_at)
    make_contact(account, is_champion=True, last_contacted_at=then - timedelta(days=50))
    return account


def as_of(then, account):
    weights = ScoreWeights.load()
    features = next(features_as_of(then, [account.pk]))
    return features, scores_as_of(then, weights)[account.pk]


def test_the_account_is_scored_from_its_history_then(then, account):
    features, result = as_of(then, account)
    assert (features.nps, features.previous_nps) == (10, 40)
    assert usage_change(features, ScoreWeights.load()) == pytest.approx(-30.0)
    assert features.tickets_7d == 3 and features.open_tickets == 3
    assert {"nps_drop", "usage_drop", "ticket_frequency"} <= {f["name"] for f in result.factors}


def test_what_happened_later_leaves_the_score_of_an_earlier_day_unchanged(then, account):
    before = as_of(then, account)
    later = then + timedelta(hours=1)
    # A future ticket full of churn language, with a short message and a breach.
    t = make_ticket(
        account,
        created_at=later,
        customer_priority="P1",
        sentiment=-0.9,
        churn_points=60,
        churn_signals=[{"phrase": "cancel", "kind": "direct"}],
        first_response_breached_at=later,
        csat=1,
        resolved_at=later,
    )
    make_message(t, "bye", created_at=later)
    # Future NPS results and usage weeks.
    NpsPoint.objects.create(account=account, date=then.date(), score=-90)
    NpsPoint.objects.create(account=account, date=then.date() + timedelta(days=3), score=-80)
    for i in range(6):
        UsagePoint.objects.create(
            account=account,
            week=then.date() + timedelta(weeks=i) - timedelta(days=5),
            active_users=1,
        )
    # A future escalation, a ticket open then being solved later, the champion writing later.
    make_escalation(account, severity="critical", opened_at=later)
    account.tickets.filter(status="open").update(status="solved", resolved_at=later)
    make_ticket(account, contact=account.contacts.get(), created_at=later)
    # Today's values on the account itself are not history.
    Account.objects.filter(pk=account.pk).update(nps=-100, usage_trend_pct=-99.0)

    assert as_of(then, account) == before


def test_an_escalation_open_then_weighs_on_health_not_on_risk(then, account):
    features, result = as_of(then, account)
    make_escalation(account, severity="critical", opened_at=then - timedelta(days=1))
    make_escalation(
        account,
        severity="high",
        opened_at=then - timedelta(days=9),
        status="closed",
        closed_at=then - timedelta(days=2),
    )
    escalated, escalated_result = as_of(then, account)
    assert escalated.open_escalations == {"critical": 1}
    assert escalated_result.risk == result.risk
    assert escalated_result.health < result.health


def test_the_as_of_path_writes_nothing(then, account):
    with CaptureQueriesContext(connection) as queries:
        scores_as_of(then, ScoreWeights.load())
    statements = [q["sql"].lstrip().upper() for q in queries.captured_queries]
    # Reads, and its own temporary features table (the session's, gone when it ends).
    own = ("CREATE TEMP TABLE FEATURES_AS_OF ", "ALTER TABLE FEATURES_AS_OF ")
    own += ("DROP TABLE IF EXISTS FEATURES_AS_OF", "ANALYZE FEATURES_AS_OF")
    assert all(sql.startswith(("SELECT", "WITH", "SET", "RESET", *own)) for sql in statements)
    account.refresh_from_db()
    assert account.scored_at is None and account.risk_score == 0
    assert not ScoreSnapshot.objects.exists() and not Alert.objects.exists()


def test_messages_count_in_the_window_they_were_written_in(then):
    """A ticket whose messages straddle the 30-day edge: each counts where it was written,
    and a message written after `then` not at all."""
    account = make_account()
    t = make_ticket(account, created_at=then - timedelta(days=40))
    make_message(t, "x" * 300, created_at=then - timedelta(days=40))
    make_message(t, "y" * 20, created_at=then - timedelta(days=10))
    make_message(t, "z" * 99, created_at=then + timedelta(days=1))
    make_message(t, "an agent", created_at=then - timedelta(days=5), author="agent")
    inside = make_ticket(account, created_at=then - timedelta(days=3))
    make_message(inside, "w" * 40, created_at=then - timedelta(days=3))
    features = next(features_as_of(then, [account.pk]))
    assert (features.messages_recent, features.message_length_recent) == (2, 30.0)
    assert (features.messages_before, features.message_length_before) == (1, 300.0)


def test_churn_phrases_are_the_last_30_days_distinct_ones_by_kind(then):
    """Phrases of the 30 days before `then`, each once, split by kind; a ticket with
    churn points but no phrase adds none, and older or later phrases are left out."""
    account = make_account()
    signals = [{"phrase": "cancel", "kind": "direct"}, {"phrase": "frustrated", "kind": "indirect"}]
    for days in (3, 10):
        moment = then - timedelta(days=days)
        make_ticket(account, created_at=moment, churn_points=40, churn_signals=signals)
    make_ticket(account, created_at=then - timedelta(days=5), churn_points=10, churn_signals=[])
    old = [{"phrase": "switching vendors", "kind": "direct"}]
    make_ticket(account, created_at=then - timedelta(days=45), churn_points=40, churn_signals=old)
    later = [{"phrase": "competitor", "kind": "indirect"}]
    make_ticket(account, created_at=then + timedelta(days=1), churn_points=40, churn_signals=later)
    features = next(features_as_of(then, [account.pk]))
    assert features.direct_phrases == ("cancel",)
    assert features.indirect_phrases == ("frustrated",)
    assert (features.churn_points_30d, features.churn_tickets_30d) == (90, 3)
