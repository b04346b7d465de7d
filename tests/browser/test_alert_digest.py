"""A lead's rescore digest in Chromium: its link opens the at-risk board on the
accounts it counts."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Account, ScoreWeights
from tests.browser.book import ignore_favicon, make_book
from tests.browser.conftest import login
from tests.factories import make_user
from vipdesk.insight.rescore import raise_all_crossing_alerts
from vipdesk.lib.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_digest_opens_the_board_on_its_accounts(page, csm, lead):
    ignore_favicon(page)
    make_book(csm, lead)
    other_lead = make_user("lead2", Role.LEAD)  # not an account manager: budgeted
    weights = ScoreWeights.load()
    weights.alerts_per_person_per_run = 1
    weights.leadership_threshold = 72  # the book has two accounts at 85+
    weights.save()
    crossing = list(Account.objects.values_list("pk", "risk_alerted_threshold", "risk_score"))
    raise_all_crossing_alerts(crossing, weights, timezone.now())
    leadership = sorted(
        Account.objects.filter(risk_score__gte=weights.leadership_threshold).values_list(
            "risk_score", "name"
        ),
        reverse=True,
    )
    assert len(leadership) >= 3

    login(page, other_lead)
    page.goto("/notifications/")
    digest = page.get_by_role(
        "link", name=f"{len(leadership) - 1} more accounts crossed 72 (leadership)"
    )
    digest.click()
    expect(page).to_have_url(f"{page.url.split('/accounts/')[0]}/accounts/at-risk/?risk_min=72")
    rows = page.locator("[data-testid=board-row] .account-link")
    expect(rows).to_have_count(len(leadership))
    assert rows.all_inner_texts() == [name for _, name in leadership]
    expect(page.get_by_test_id("risk-min")).to_have_value("72")
    assert page.console_errors == []
