"""Marking a risk flag accurate or a false positive, and the precision of past flags."""

import pytest
from django.core.cache import cache

from accounts.feedback import flag_precision, precision_of, record_flag_feedback
from accounts.models import RiskFlagFeedback
from tests.accounts.helpers import FACTORS, make_feedback, make_scored_account


def url(account) -> str:
    return f"/accounts/{account.pk}/flag/"


@pytest.mark.django_db
class TestMarkFlag:
    def test_it_records_the_verdict_with_the_current_score_and_factors(self, client, csm):
        account = make_scored_account("Globex", risk=92, csm=csm)
        client.force_login(csm)
        response = client.post(url(account), {"verdict": "false_positive", "note": " seasonal "})
        assert response.status_code == 302
        feedback = RiskFlagFeedback.objects.get()
        assert feedback.account == account and feedback.user == csm
        assert feedback.verdict == "false_positive" and feedback.note == "seasonal"
        assert feedback.risk_score == 92 and feedback.risk_factors == FACTORS

    def test_it_returns_the_updated_board_row_for_htmx(self, client, csm):
        account = make_scored_account("Globex", risk=92, csm=csm)
        client.force_login(csm)
        response = client.post(url(account), {"verdict": "accurate"}, HTTP_HX_REQUEST="true")
        html = response.content.decode()
        assert response.status_code == 200
        assert html.lstrip().startswith(f'<tr id="account-{account.pk}"')
        assert "Marked accurate" in html
        assert "<script" not in html

    def test_it_redirects_to_a_safe_next_url_only(self, client, csm):
        account = make_scored_account("Globex", csm=csm)
        client.force_login(csm)
        response = client.post(
            url(account), {"verdict": "accurate", "next": "/accounts/at-risk/?tier=1"}
        )
        assert response["Location"] == "/accounts/at-risk/?tier=1"
        response = client.post(
            url(account), {"verdict": "accurate", "next": "https://evil.example/phish"}
        )
        assert response["Location"] == f"/accounts/{account.pk}/"

    def test_it_rejects_an_unknown_verdict(self, client, csm):
        account = make_scored_account("Globex", csm=csm)
        client.force_login(csm)
        assert (
            client.post(url(account), {"verdict": "maybe"}, HTTP_HX_REQUEST="true").status_code
            == 400
        )
        assert client.post(url(account), {"verdict": "maybe"}).status_code == 302
        assert not RiskFlagFeedback.objects.exists()

    def test_it_requires_post(self, client, csm):
        account = make_scored_account("Globex", csm=csm)
        client.force_login(csm)
        assert client.get(url(account)).status_code == 405

    def test_it_forbids_a_csm_who_does_not_own_the_account(self, client, csm, outsider):
        account = make_scored_account("Globex", csm=csm)
        client.force_login(outsider)
        assert client.post(url(account), {"verdict": "accurate"}).status_code == 403
        assert not RiskFlagFeedback.objects.exists()

    def test_it_lets_leads_and_admins_mark_any_flag(self, client, csm, lead, admin_user):
        account = make_scored_account("Globex", csm=csm)
        for user in (lead, admin_user):
            client.force_login(user)
            assert client.post(url(account), {"verdict": "accurate"}).status_code == 302
        assert RiskFlagFeedback.objects.count() == 2


class TestPrecision:
    def test_it_computes_precision_overall_and_per_factor(self):
        usage = {"name": "Usage drop", "points": 15, "reason": ""}
        churn = {"name": "Churn language", "points": 25, "reason": ""}
        result = precision_of(
            [
                ("accurate", [usage, churn]),
                ("accurate", [churn]),
                ("false_positive", [usage]),
                ("false_positive", [usage, {"name": "Zero", "points": 0}]),
            ]
        )
        assert (result.overall.accurate, result.overall.false_positive) == (2, 2)
        assert result.overall.precision == 0.5
        by_name = {r.name: r for r in result.per_factor}
        assert by_name["Usage drop"].precision == pytest.approx(1 / 3)
        assert by_name["Churn language"].precision == 1.0
        assert "Zero" not in by_name  # a factor with no points was not present
        # Worst precision first: those are the weights to look at.
        assert result.per_factor[0].name == "Usage drop"

    def test_it_reports_no_precision_without_verdicts(self):
        result = precision_of([])
        assert result.overall.precision is None and result.overall.percent == "—"
        assert result.per_factor == []

    def test_it_tolerates_malformed_factor_snapshots(self):
        result = precision_of([("accurate", None), ("accurate", ["junk", {"points": 3}])])
        assert result.overall.accurate == 2 and result.per_factor == []

    @pytest.mark.django_db(transaction=True)
    def test_it_reads_every_verdict_in_one_query_and_caches_it(
        self, django_assert_num_queries, csm
    ):
        cache.clear()
        account = make_scored_account("Globex", csm=csm)
        make_feedback(account, "false_positive")
        with django_assert_num_queries(1):
            assert flag_precision().overall.total == 1
        with django_assert_num_queries(0):
            assert flag_precision().overall.total == 1
        # Recording a verdict drops the cached figure once the transaction commits.
        record_flag_feedback(account, user=csm, verdict="accurate")
        assert flag_precision().overall.total == 2
