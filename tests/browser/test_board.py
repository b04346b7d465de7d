"""The at-risk board in Chromium."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.book import ignore_favicon, make_book
from tests.browser.conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_favicon(page):
    ignore_favicon(page)


def row_names(page) -> list[str]:
    return page.locator("[data-testid=board-row] .account-link").all_inner_texts()


def test_it_shows_a_csm_their_accounts(page, csm, lead, outsider):
    make_book(csm, lead, other_csm=outsider)
    page.goto("/login/")
    page.set_viewport_size({"width": 1400, "height": 700})
    screenshot(page, "login")
    page.set_viewport_size({"width": 1400, "height": 900})
    login(page, csm)
    expect(page.locator("h1")).to_have_text("My accounts")
    names = row_names(page)
    assert names[0] == "Globex Corporation"
    assert "Oscorp" not in names  # owned by the other CSM
    page.goto("/accounts/at-risk/")
    expect(page.locator("[data-testid=board-row]")).to_have_count(10)
    assert row_names(page)[:2] == ["Globex Corporation", "Oscorp"]
    expect(page.locator("[data-testid=flag-precision]")).to_contain_text("67%")
    screenshot(page, "at-risk")
    assert page.console_errors == []


def test_it_filters_by_tier_and_sorts_without_reloading(page, csm, lead):
    make_book(csm, lead)
    login(page, csm)
    page.goto("/accounts/at-risk/")
    page.evaluate("window.__noReload = true")
    page.select_option("#f-tier", "1")
    page.select_option("#f-sort", "arr")
    page.click("text=Apply")
    expect(page).to_have_url(re.compile(r"tier=1.*sort=arr|sort=arr.*tier=1"))
    expect(page.locator("[data-testid=board-row]")).to_have_count(3)
    assert row_names(page) == ["Wayne Enterprises", "Globex Corporation", "Stark Industries"]
    assert page.evaluate("window.__noReload") is True
    assert page.console_errors == []


def test_it_marks_a_flag_false_positive_inline(page, csm, lead):
    accounts = make_book(csm, lead)
    stark = accounts["Stark Industries"]
    login(page, csm)
    page.goto("/accounts/at-risk/")
    page.evaluate("window.__noReload = true")
    row = page.locator(f"#account-{stark.pk}")
    row.locator("input[name=note]").fill("Seasonal dip, they told us in the QBR")
    row.get_by_role("button", name=re.compile("false positive", re.I)).click()
    expect(page.locator(f"#account-{stark.pk} [data-testid=verdict]")).to_contain_text(
        "Marked false positive"
    )
    assert page.evaluate("window.__noReload") is True
    from accounts.models import RiskFlagFeedback

    feedback = RiskFlagFeedback.objects.get(account=stark)
    assert feedback.verdict == "false_positive" and feedback.note.startswith("Seasonal")
    assert feedback.risk_score == 78
    assert page.console_errors == []


def test_it_follows_an_arr_at_risk_quarter_link(page, csm, lead):
    make_book(csm, lead)
    login(page, csm)
    page.goto("/accounts/at-risk/")
    page.locator("[data-testid^=quarter-]").first.click()
    expect(page).to_have_url(re.compile(r"level=high&level=critical&quarter="))
    for level in page.locator("[data-testid=board-row] .level").all_inner_texts():
        assert level in ("High", "Critical")
