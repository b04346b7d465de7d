"""The set-based rescore on PostgreSQL: features from SQL, write-back, snapshots,
once-per-crossing threshold alerts, query counts that don't grow with accounts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Account, ScoreSnapshot, ScoreWeights, ScoringRun
from tests.factories import (
    every_factor_counts,
    make_account,
    make_contact,
    make_escalation,
    make_message,
    make_ticket,
    make_user,
    plant_history,
    this_morning,
    usage_drives_the_score,
)
from vipdesk.alerts.models import Alert
from vipdesk.insight import jobs, rescore
from vipdesk.insight.features import feature_params, feature_sql, row_to_features
from vipdesk.lib.roles import Role

pytestmark = pytest.mark.django_db


def features_for(account, now):
    with connection.cursor() as cursor:
        cursor.execute(
            feature_sql("postgresql", restricted=True),
            feature_params("postgresql", now, [account.pk]),
        )
        return row_to_features(cursor.fetchone())


def make_troubled_account(now, **kw):
    """An account that triggers every factor."""
    account = make_account(
        nps=-20,
        previous_nps=30,
        usage_trend_pct=-40.0,
        renewal_date=(now + timedelta(days=20)).date(),
        **kw,
    )
    for days in (100, 60):
        ticket = make_ticket(
            account,
            created_at=now - timedelta(days=days),
            status="solved",
            customer_priority="P4",
            sentiment=0.5,
        )
        make_message(ticket, "x" * 400, created_at=ticket.created_at)
    for days in (1, 2, 3, 5):
        ticket = make_ticket(
            account,
            created_at=now - timedelta(days=days),
            customer_priority="P1",
            sentiment=-0.6,
            churn_points=30,
            churn_signals=[{"phrase": "cancel", "kind": "direct", "weight": 30}],
        )
        make_message(ticket, "no.", created_at=ticket.created_at)
    make_escalation(account, severity="critical", opened_at=now - timedelta(days=2))
    make_contact(account, is_champion=True, last_contacted_at=now - timedelta(days=100))
    return account


def test_it_computes_features_in_sql(db):
    now = timezone.now()
    account = make_troubled_account(now)
    f = features_for(account, now)
    assert (f.tickets_7d, f.tickets_30d, f.tickets_before, f.tickets_90d) == (4, 4, 2, 5)
    assert (f.severe_recent, f.severe_before) == (4, 0)
    assert f.churn_points_30d == 120 and f.churn_tickets_30d == 4
    assert f.direct_phrases == ("cancel",) and f.indirect_phrases == ()
    assert (f.messages_recent, f.message_length_recent) == (4, 3.0)
    assert (f.messages_before, f.message_length_before) == (2, 400.0)
    assert f.sentiment_recent == pytest.approx(-0.6) and f.sentiment_before == pytest.approx(0.5)
    assert f.open_tickets == 4
    assert f.open_escalations == {"critical": 1}
    assert f.champions == 1
    assert (now - f.champion_last_seen).days == 100


def test_it_rescores_every_account_and_snapshots_the_day(db):
    every_factor_counts()
    now = this_morning()
    troubled = make_troubled_account(now)
    quiet = make_account(nps=60, previous_nps=55, usage_trend_pct=8.0)
    run_id = jobs.rescore_all(now)

    troubled.refresh_from_db()
    quiet.refresh_from_db()
    names = {f["name"] for f in troubled.risk_factors}
    assert names >= {
        "churn_language",
        "ticket_frequency",
        "severity_escalating",
        "sentiment_falling",
        "usage_drop",
        "nps_drop",
        "renewal_proximity",
        "silent_champion",
    }
    assert "open_escalations" not in names
    assert troubled.risk_score == 100 and troubled.risk_level == "critical"
    assert troubled.scored_at == now
    assert quiet.risk_score == 0 and quiet.risk_factors == [] and quiet.health_score > 70
    assert ScoringRun.objects.get(pk=run_id).status == ScoringRun.Status.FINISHED
    snapshot = ScoreSnapshot.objects.get(account=troubled, day=timezone.localdate(now))
    assert snapshot.risk_score == 100

    jobs.rescore_all(now + timedelta(minutes=5))  # idempotent: same day, same snapshot row
    assert ScoreSnapshot.objects.filter(account=troubled).count() == 1


def test_todays_snapshot_follows_a_score_that_changes_later_in_the_day(db):
    """Only new or changed snapshots reach the upsert; a change the same day still does."""
    every_factor_counts()
    now = this_morning()
    account = make_account(nps=60, previous_nps=55, usage_trend_pct=8.0)
    jobs.rescore_all(now)
    today = timezone.localdate(now)
    assert ScoreSnapshot.objects.get(account=account, day=today).risk_score == 0
    for days in (1, 2):
        make_ticket(
            account,
            created_at=now - timedelta(days=days),
            churn_points=30,
            churn_signals=[{"phrase": "we will cancel", "kind": "direct", "weight": 30}],
        )
    jobs.rescore_all(now + timedelta(minutes=5))
    account.refresh_from_db()
    snapshot = ScoreSnapshot.objects.get(account=account, day=today)
    assert account.risk_score > 0
    assert (snapshot.risk_score, snapshot.risk_factors) == (
        account.risk_score,
        account.risk_factors,
    )


def test_reasons_keep_backslashes_quotes_and_tabs(db):
    """Scores reach the database as COPY text, whose escape character is the backslash."""
    every_factor_counts()
    now = this_morning()
    account = make_account()
    phrase = 'we\\re "done"\there'
    for days in (1, 2):
        make_ticket(
            account,
            created_at=now - timedelta(days=days),
            churn_points=30,
            churn_signals=[{"phrase": phrase, "kind": "direct", "weight": 30}],
        )
    jobs.rescore_all(now)
    account.refresh_from_db()
    (churn,) = [f for f in account.risk_factors if f["name"] == "churn_language"]
    assert f"“{phrase}”" in churn["reason"]


def test_it_prunes_snapshots_older_than_400_days(db):
    now = timezone.now()
    account = make_account()
    old = ScoreSnapshot.objects.create(
        account=account, day=now.date() - timedelta(days=401), risk_score=1, risk_level="low"
    )
    kept = ScoreSnapshot.objects.create(
        account=account, day=now.date() - timedelta(days=399), risk_score=1, risk_level="low"
    )
    jobs.rescore_all(now)
    assert not ScoreSnapshot.objects.filter(pk=old.pk).exists()
    assert ScoreSnapshot.objects.filter(pk=kept.pk).exists()


def test_it_rescores_only_the_given_accounts(db):
    now = timezone.now()
    one, other = make_troubled_account(now), make_troubled_account(now)
    rescore.rescore_accounts([one.pk], now)
    one.refresh_from_db()
    other.refresh_from_db()
    assert one.risk_score == 100 and other.risk_score == 0 and other.scored_at is None


def test_it_rescores_the_accounts_asked_for_once(db):
    now = timezone.now()
    asked, other = make_troubled_account(now), make_troubled_account(now)
    Account.objects.filter(pk=asked.pk).request_rescore()
    assert jobs.rescore_requested(now) == 1
    assert jobs.rescore_requested(now) == 0
    asked.refresh_from_db()
    other.refresh_from_db()
    assert asked.risk_score == 100 and not asked.rescore_requested
    assert other.scored_at is None


def _populate(n, now):
    for i in range(n):
        account = make_account(nps=i % 50, usage_trend_pct=-(i % 30))
        make_ticket(
            account,
            created_at=now - timedelta(days=i % 40),
            sentiment=-0.2,
            churn_points=10 * (i % 3),
            churn_signals=[{"phrase": "frustrated", "kind": "indirect"}] * (i % 3 > 0),
        )
        make_escalation(account, severity="high")


def test_it_does_not_grow_queries_with_the_number_of_accounts(db):
    every_factor_counts()
    now = timezone.now()
    counts = []
    for n in (5, 50):
        _populate(n - Account.objects.count(), now)
        with CaptureQueriesContext(connection) as queries:
            jobs.rescore_all(now)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    with CaptureQueriesContext(connection) as small:
        rescore.rescore_accounts(list(Account.objects.values_list("pk", flat=True)[:3]), now)
    with CaptureQueriesContext(connection) as large:
        rescore.rescore_accounts(list(Account.objects.values_list("pk", flat=True)), now)
    assert len(small) == len(large)


# Thresholds and once-per-crossing alerts.


@pytest.fixture
def people(db):
    csm = make_user("csm1", Role.CSM)
    manager = make_user("am1", Role.CSM)
    lead = make_user("lead1", Role.LEAD)
    admin = make_user("admin1", Role.ADMIN)
    return {"csm": csm, "manager": manager, "lead": lead, "admin": admin}


def _set_risk_inputs(account, usage):
    plant_history(account, usage_trend_pct=usage)


def _threshold_weights():
    return usage_drives_the_score()  # −36 % → 72 points


def alerts_for(user):
    return list(Alert.objects.filter(user=user, kind=Alert.Kind.RISK_THRESHOLD))


def test_it_alerts_each_audience_once_per_crossing(people):
    _threshold_weights()
    now = this_morning()  # the rescores hours later are still today
    account = make_account(
        csm=people["csm"],
        account_manager=people["manager"],
        executive_sponsor="Dana CEO",
        usage_trend_pct=-36.0,
    )  # 72 points
    jobs.rescore_all(now)
    account.refresh_from_db()
    assert account.risk_score == 72 and account.risk_alerted_threshold == 70
    [csm_alert] = alerts_for(people["csm"])
    assert "crossed 70 (CSM attention)" in csm_alert.title
    assert "Weekly active users down 36%" in csm_alert.body
    assert alerts_for(people["lead"]) == []

    jobs.rescore_all(now + timedelta(minutes=60))  # re-running raises nothing new
    assert len(alerts_for(people["csm"])) == 1

    _set_risk_inputs(account, -48.0)  # 96: leadership and executive outreach
    jobs.rescore_all(now + timedelta(minutes=120))
    assert len(alerts_for(people["csm"])) == 1
    assert len(alerts_for(people["lead"])) == 1
    assert len(alerts_for(people["manager"])) == 1
    [executive] = alerts_for(people["admin"])
    assert "executive sponsor: Dana CEO" in executive.body

    _set_risk_inputs(account, -20.0)  # drops below every threshold: resets
    jobs.rescore_all(now + timedelta(minutes=180))
    account.refresh_from_db()
    assert account.risk_alerted_threshold == 0
    assert Alert.objects.filter(kind=Alert.Kind.RISK_THRESHOLD).count() == 4

    _set_risk_inputs(account, -36.0)  # crosses 70 again: alerts again
    jobs.rescore_all(now + timedelta(minutes=240))
    assert len(alerts_for(people["csm"])) == 2
    assert len(alerts_for(people["lead"])) == 1


def test_it_realerts_leadership_after_falling_back_below_their_threshold(people):
    _threshold_weights()
    now = this_morning()  # the rescores hours later are still today
    account = make_account(csm=people["csm"], usage_trend_pct=-44.0)  # 88
    jobs.rescore_all(now)
    _set_risk_inputs(account, -38.0)  # 76: still above 70, below 85
    jobs.rescore_all(now + timedelta(hours=1))
    account.refresh_from_db()
    assert account.risk_alerted_threshold == 70
    _set_risk_inputs(account, -44.0)
    jobs.rescore_all(now + timedelta(hours=2))
    assert len(alerts_for(people["lead"])) == 2
    assert len(alerts_for(people["csm"])) == 1


def test_it_runs_the_rescore_when_due(db, settings):
    now = timezone.now()
    make_account()
    assert jobs.rescore_if_due(now) is True  # never ran: due (runs inline without Redis)
    assert ScoringRun.objects.filter(status="finished").count() == 1
    assert jobs.rescore_if_due(now + timedelta(minutes=30)) is False
    weights = ScoreWeights.load()
    weights.rescore_interval_minutes = 15
    weights.save()
    assert jobs.rescore_if_due(now + timedelta(minutes=30)) is True


def test_it_marks_a_dead_running_run_abandoned(db):
    now = timezone.now()
    make_account()
    dead = ScoringRun.objects.create(started_at=now, heartbeat_at=now)  # nobody holds the lock
    jobs.rescore_all(now)
    dead.refresh_from_db()
    assert dead.status == ScoringRun.Status.ABANDONED
    assert not ScoringRun.objects.filter(status=ScoringRun.Status.RUNNING).exists()


def test_it_gives_the_same_result_when_run_twice(db):
    now = timezone.now()
    account = make_troubled_account(now, csm=make_user("twice", Role.CSM))
    rescore.rescore_accounts([account.pk], now)
    first = Account.objects.values().get(pk=account.pk)
    rescore.rescore_accounts([account.pk], now)
    jobs.rescore_all(now)
    assert Account.objects.values().get(pk=account.pk) == first
    assert Alert.objects.filter(kind=Alert.Kind.RISK_THRESHOLD).count() == 1
    assert ScoreSnapshot.objects.filter(account=account).count() == 1


def test_it_rewrites_only_the_accounts_whose_score_changed(db):
    now = this_morning()
    steady = make_account(usage_trend_pct=-40.0)
    changing = make_account(usage_trend_pct=-40.0)
    jobs.rescore_all(now)
    plant_history(changing, usage_trend_pct=-20.0)
    later = now + timedelta(hours=1)
    jobs.rescore_all(later)
    assert Account.objects.get(pk=steady.pk).scored_at == now
    assert Account.objects.get(pk=changing.pk).scored_at == later
    assert ScoringRun.objects.filter(status="finished").latest("finished_at").started_at


def test_a_failed_rescore_leaves_the_request_for_the_next_run(db, monkeypatch):
    now = timezone.now()
    asked = make_troubled_account(now)
    Account.objects.filter(pk=asked.pk).request_rescore()

    class WorkerKilled(BaseException):  # not an Exception: nothing in the job catches it
        pass

    def killed(ids, now=None):
        raise WorkerKilled

    monkeypatch.setattr(rescore, "rescore_accounts", killed)
    with pytest.raises(WorkerKilled):
        jobs.rescore_requested(now)
    monkeypatch.undo()
    assert jobs.rescore_requested(now) == 1
    asked.refresh_from_db()
    assert asked.risk_score == 100 and not asked.rescore_requested and not asked.rescore_claimed


def test_a_request_arriving_during_the_rescore_waits_for_the_next_run(db, monkeypatch):
    now = timezone.now()
    asked = make_troubled_account(now)
    Account.objects.filter(pk=asked.pk).request_rescore()
    real = rescore.rescore_accounts

    def with_a_new_request(ids, now=None):
        Account.objects.filter(pk=asked.pk).request_rescore()  # a ticket routed meanwhile
        return real(ids, now)

    monkeypatch.setattr(rescore, "rescore_accounts", with_a_new_request)
    assert jobs.rescore_requested(now) == 1
    asked.refresh_from_db()
    assert asked.rescore_requested and not asked.rescore_claimed
