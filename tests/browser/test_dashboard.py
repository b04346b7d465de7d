"""The VIP dashboard in Chromium."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.book import ignore_favicon, make_book, settle_full_height
from tests.browser.conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_favicon(page):
    ignore_favicon(page)


def test_it_shows_a_lead_the_dashboard_with_its_charts(page, csm, lead):
    make_book(csm, lead)
    login(page, lead)
    expect(page.locator("h1")).to_have_text("VIP support dashboard")
    expect(page.locator("#arr-chart .plot-container")).to_be_visible()
    expect(page.locator("#fr-chart .plot-container")).to_be_visible()
    assert page.locator("#arr-chart svg").count() > 0
    expect(page.locator("[data-testid=active-tickets] tbody tr")).to_have_count(5)
    expect(page.locator("[data-testid=active-tickets]")).to_contain_text(
        "API outage affecting production"
    )
    # SLA countdowns tick (static/js/vipdesk.js).
    expect(page.locator("[data-countdown]").first).to_have_text(re.compile(r"\d+m \d+s"))
    expect(page.locator("[data-testid=at-risk-vip]")).to_contain_text("Globex Corporation")
    expect(page.locator("[data-testid=without-sponsor]")).to_contain_text("without a sponsor")
    settle_full_height(page)
    screenshot(page, "dashboard")
    assert page.console_errors == []
