from datetime import UTC, datetime

import pytest

from accounts.models import PolicyChange, ScoreWeights
from tests.browser.conftest import login, screenshot
from tests.factories import make_account, make_escalation, make_ticket, make_user
from vipdesk.lib.roles import Role

pytestmark = pytest.mark.browser


def test_an_admin_backtests_a_draft_sees_both_figure_sets_and_saves_it(page, transactional_db):
    admin = make_user("admin", Role.ADMIN)
    ScoreWeights.load()
    account = make_account("Escalated")
    for hour in range(5):
        make_ticket(account, created_at=datetime(2026, 3, 5, 10 + hour, tzinfo=UTC))
    make_escalation(account, opened_at=datetime(2026, 3, 9, 6, tzinfo=UTC))
    login(page, admin)
    page.console_errors.clear()  # the home page belongs to another issue

    page.goto("/admin/backtest/")
    page.fill("#id_period_from", "2026-03-01")
    page.fill("#id_period_to", "2026-03-14")
    page.fill("#id_ticket_frequency_points", "90")
    page.click("#run-draft")  # the job runs inline without Redis
    page.wait_for_selector("#figures-70")

    figures = page.locator("#figures-70")
    header = figures.locator("thead").inner_text().lower()
    assert "saved weights" in header and "draft" in header
    row = figures.locator("tr", has_text="Flagged ≥ 72 hours ahead").inner_text()
    assert "0%" in row and "100%" in row
    page.wait_for_selector("#recall-chart .main-svg")
    page.wait_for_selector("#weekly-chart .main-svg")
    screenshot(page, "admin-backtest")
    assert ScoreWeights.load().ticket_frequency_points == 19

    page.click("#save-draft")
    assert "draft weights are saved" in page.locator(".messagelist").inner_text()
    assert ScoreWeights.load().ticket_frequency_points == 90
    assert PolicyChange.objects.filter(user=admin).count() == 1
    assert page.console_errors == []
