"""The alert budget: a lead or admin is told about the riskiest crossings of a rescore
one by one and about the rest in one digest per threshold or band."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.alert_budget import CrossedAccount, Crossing, within_budget
from accounts.forms import ScoreWeightsForm
from accounts.models import Account, ScoreWeights
from tests.factories import make_account, make_user, this_morning, usage_drives_the_score
from vipdesk.alerts.models import Alert
from vipdesk.alerts.raising import AlertSpec
from vipdesk.insight import jobs
from vipdesk.insight.rescore import raise_all_crossing_alerts
from vipdesk.lib.roles import Role

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LEAD, CSM = 1, 2


def crossing(account_id: int, user_id: int) -> Crossing:
    spec = AlertSpec(
        user_id=user_id,
        kind=Alert.Kind.RISK_THRESHOLD,
        dedupe_key=f"account:{account_id}:risk:85:x",
        title=f"account {account_id} crossed 85",
        account_id=account_id,
    )
    return Crossing(spec, 85, "crossed 85 (leadership)")


def test_worked_example_three_alone_and_a_digest_of_seven_riskiest_first():
    # Ten accounts cross 85; risks 86..95, ARR breaking the tie of 90 and 90.
    risks = [86, 95, 90, 87, 90, 88, 93, 89, 91, 92]
    accounts = {
        i: CrossedAccount(f"A{i}", risk, Decimal(1000 * i), frozenset({CSM}))
        for i, risk in enumerate(risks, start=1)
    }
    wanted = [crossing(i, LEAD) for i in accounts] + [crossing(i, CSM) for i in accounts]

    specs = within_budget(wanted, accounts, limit=3, now=NOW)

    lead = [s for s in specs if s.user_id == LEAD]
    alone = [s.account_id for s in lead if s.account_id is not None]
    assert alone == [2, 7, 10]  # risk 95, 93, 92
    [digest] = [s for s in lead if s.account_id is None]
    assert (
        digest.title
        == "7 more accounts crossed 85 (leadership) in this rescore — see the at-risk board"
    )
    listed = [line.split(":")[0][2:] for line in digest.body.splitlines() if line.startswith("- ")]
    assert listed == ["A9", "A5", "A3", "A8", "A6", "A4", "A1"]  # 91, 90 ($5k), 90 ($3k), …
    assert digest.link == "/accounts/at-risk/?risk_min=85"
    # The CSM's own accounts are their work, never budgeted.
    assert sorted(s.account_id for s in specs if s.user_id == CSM) == list(range(1, 11))


def test_an_account_crossing_several_levels_counts_once_against_the_budget():
    accounts = {i: CrossedAccount(f"A{i}", 90 + i, Decimal(1), frozenset()) for i in (1, 2)}
    band = [
        Crossing(
            AlertSpec(LEAD, Alert.Kind.RISK_BAND, f"account:{i}:band:80:x", "t", account_id=i),
            80,
            "reached the stakeholder room band (80+)",
        )
        for i in accounts
    ]
    specs = within_budget([crossing(1, LEAD), crossing(2, LEAD), *band], accounts, 1, NOW)
    assert sorted((s.kind, s.account_id) for s in specs if s.account_id) == [
        (Alert.Kind.RISK_BAND, 2),
        (Alert.Kind.RISK_THRESHOLD, 2),
    ]
    digests = sorted(s.title.split(" in this rescore")[0] for s in specs if not s.account_id)
    assert digests == [
        "1 more account crossed 85 (leadership)",
        "1 more account reached the stakeholder room band (80+)",
    ]


@pytest.fixture
def flood(db):
    """Ten accounts that one rescore lifts across 85 (leadership) and 80 (stakeholder
    room), with a lead, an admin, a CSM and an account manager; a limit of 3."""
    usage_drives_the_score()  # 2 points per % of usage drop
    weights = ScoreWeights.load()
    weights.alerts_per_person_per_run = 3
    weights.save()
    people = {
        "csm": make_user("csm1", Role.CSM),
        "manager": make_user("am1", Role.CSM),
        "lead": make_user("lead1", Role.LEAD),
        "admin": make_user("admin1", Role.ADMIN),
    }
    for i in range(10):
        make_account(
            f"Flood {i}",
            arr=10_000 * (i + 1),
            csm=people["csm"],
            account_manager=people["manager"],
            usage_trend_pct=-43.0 - 0.2 * i,  # risk 86..89
        )
    make_account("Calm", csm=people["csm"], usage_trend_pct=-10.0)  # risk 20: no crossing
    return people


def alerts(user, kind, individual=True):
    return list(
        Alert.objects.filter(user=user, kind=kind, account__isnull=not individual).order_by("id")
    )


@pytest.mark.django_db
def test_a_rescore_flood_sends_the_top_three_and_a_digest_once(flood):
    now = this_morning()
    jobs.rescore_all(now)
    lead = flood["lead"]
    top3 = list(
        Account.objects.filter(name__startswith="Flood")
        .order_by("-risk_score", "-arr", "pk")
        .values_list("pk", flat=True)[:3]
    )
    assert all(a.risk_score >= 85 for a in Account.objects.filter(name__startswith="Flood"))
    assert [a.account_id for a in alerts(lead, Alert.Kind.RISK_THRESHOLD)] == top3
    assert sorted(a.account_id for a in alerts(lead, Alert.Kind.RISK_BAND)) == sorted(top3)
    [digest] = alerts(lead, Alert.Kind.RISK_THRESHOLD, individual=False)
    assert digest.title.startswith("7 more accounts crossed 85 (leadership)")
    [room_digest] = alerts(lead, Alert.Kind.RISK_BAND, individual=False)
    assert room_digest.title.startswith("7 more accounts reached the stakeholder room band")
    # The band workflow still runs for every account: drafts and briefs to the CSM,
    # the leadership alert and brief to the account manager, an owner for each room.
    csm_bands = alerts(flood["csm"], Alert.Kind.RISK_BAND)
    assert sum("check-in e-mail draft" in a.title for a in csm_bands) == 10
    assert sum("stakeholder room opened" in a.title for a in csm_bands) == 10
    assert len(alerts(flood["manager"], Alert.Kind.RISK_THRESHOLD)) == 10
    flooded = Account.objects.filter(name__startswith="Flood")
    assert all(a.intervention_owner_id == flood["csm"].pk for a in flooded)

    count = Alert.objects.count()
    jobs.rescore_all(now + timezone.timedelta(hours=1))
    assert Alert.objects.count() == count  # once per crossing: no re-alert, digest or not


@pytest.mark.django_db
def test_raising_a_flood_costs_the_same_queries_for_ten_accounts_as_for_two(flood):
    weights = ScoreWeights.load()
    every = list(Account.objects.filter(name__startswith="Flood").values_list("pk", "risk_score"))
    counts = []
    for n, at in ((2, 1), (10, 2)):
        crossings = [(pk, 0, 90) for pk, _ in every[:n]]
        with CaptureQueriesContext(connection) as queries:
            raised = raise_all_crossing_alerts(crossings, weights, NOW + timedelta(hours=at))
        counts.append(len(queries))
        assert raised > n
    assert counts[0] == counts[1]


@pytest.mark.django_db
def test_the_digest_link_shows_those_accounts_on_the_board(client, flood):
    jobs.rescore_all(this_morning())
    [digest] = alerts(flood["lead"], Alert.Kind.RISK_THRESHOLD, individual=False)
    client.force_login(flood["lead"])
    page = client.get(digest.link).content.decode()
    for i in range(10):
        assert f"Flood {i}</a>" in page
    assert "Calm</a>" not in page
    assert 'name="risk_min"' in page  # kept by the filter form and the next-page links


@pytest.mark.django_db
def test_the_admin_setting_changes_the_outcome(admin_client, flood):
    weights = ScoreWeights.load()
    data = {k: v for k, v in ScoreWeightsForm(instance=weights).initial.items() if v is not None}
    data["alerts_per_person_per_run"] = 8
    response = admin_client.post(f"/admin/accounts/scoreweights/{weights.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ScoreWeights.load().alerts_per_person_per_run == 8

    jobs.rescore_all(this_morning())
    assert len(alerts(flood["lead"], Alert.Kind.RISK_THRESHOLD)) == 8
    [digest] = alerts(flood["lead"], Alert.Kind.RISK_THRESHOLD, individual=False)
    assert digest.title.startswith("2 more accounts")
