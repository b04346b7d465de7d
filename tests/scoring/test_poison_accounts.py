"""One account scoring fails on never stops a rescore: it keeps its previous scores,
gets the reason (admin, /healthz), and every other account is scored."""

import pytest

from accounts.models import Account, ScoringRun
from tests.factories import make_account
from vipdesk.insight import jobs, rescore

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts(db):
    return [make_account(usage_trend_pct=-40.0) for _ in range(3)]


def failing_for(monkeypatch, bad_id):
    real = rescore.scores

    def scores(columns, weights, now):
        if bad_id in columns.account_id:
            raise ValueError("NPS history is corrupt")
        return real(columns, weights, now)

    monkeypatch.setattr(rescore, "scores", scores)


def test_a_full_rescore_scores_the_others_and_marks_the_bad_account(monkeypatch, accounts, client):
    bad = accounts[1]
    failing_for(monkeypatch, bad.pk)
    jobs.rescore_all()
    assert ScoringRun.objects.get().status == ScoringRun.Status.FINISHED
    scored = Account.objects.filter(scored_at__isnull=False)
    assert set(scored.values_list("pk", flat=True)) == {accounts[0].pk, accounts[2].pk}
    bad.refresh_from_db()
    assert bad.scored_at is None and bad.scoring_error == "ValueError: NPS history is corrupt"
    assert client.get("/healthz").json()["accounts_scoring_failed"] == 1

    monkeypatch.undo()
    jobs.rescore_all()
    bad.refresh_from_db()
    assert bad.scored_at is not None and bad.scoring_error == ""


def test_rescoring_a_few_accounts_marks_and_clears_only_those(monkeypatch, accounts):
    bad = accounts[0]
    failing_for(monkeypatch, bad.pk)
    assert rescore.rescore_accounts([bad.pk, accounts[1].pk]).accounts == 1
    assert Account.objects.exclude(scoring_error="").get() == bad
    monkeypatch.undo()
    rescore.rescore_accounts([accounts[2].pk])
    assert Account.objects.exclude(scoring_error="").get() == bad
    rescore.rescore_accounts([bad.pk])
    assert not Account.objects.exclude(scoring_error="").exists()
