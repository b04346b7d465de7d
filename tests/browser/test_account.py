"""The account 360 page in Chromium."""

import pytest
from playwright.sync_api import expect

from accounts.models import CsmNote
from tests.accounts.helpers import make_scored_account
from tests.browser.book import (
    ignore_favicon,
    load_default_policies,
    make_book,
    settle_full_height,
)
from tests.browser.conftest import login, screenshot
from tests.factories import make_contact

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_favicon(page):
    ignore_favicon(page)


def test_it_opens_an_account_adds_a_note_and_draws_the_history_chart(page, csm, lead):
    make_book(csm, lead)
    login(page, csm)
    page.goto("/accounts/at-risk/")
    page.click("text=Globex Corporation")
    expect(page.locator("h1")).to_contain_text("Globex Corporation")
    expect(page.locator("[data-testid=recommendations] li").first).to_contain_text(
        "Executive outreach within 48 h"
    )
    expect(page.locator("#history-chart .plot-container")).to_be_visible()
    assert page.locator("#history-chart svg").count() > 0
    page.fill("#id_body", "Called the CFO: wants a credit proposal by Friday.")
    page.click("text=Add note")
    expect(page.locator("[data-testid=notes] li").first).to_contain_text(
        "credit proposal by Friday"
    )
    # A fresh load for the picture: Chromium leaves plotly's SVG unpainted in full-page
    # screenshots of the page reached through the POST redirect.
    page.goto(page.url.split("#")[0])
    expect(page.locator("#history-chart .plot-container")).to_be_visible()
    expect(page.locator("#usage-chart .plot-container")).to_be_visible()
    settle_full_height(page)
    screenshot(page, "account")
    assert page.console_errors == []


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert('xss')</script>",
        "<img src=x onerror=alert('xss')>",
        '"><svg onload=alert(1)>',
    ],
)
def test_it_does_not_run_scripts_from_account_names(page, csm, lead, payload):
    load_default_policies()
    account = make_scored_account(
        payload,
        risk=95,
        arr=600000,
        csm=csm,
        executive_sponsor=payload,
        factors=[{"name": payload, "points": 30, "reason": payload}],
    )
    make_contact(account, payload, title="CEO")
    CsmNote.objects.create(account=account, author=csm, body=payload)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    login(page, csm)
    for path in ("/", "/accounts/at-risk/", f"/accounts/{account.pk}/", "/dashboard/"):
        page.goto(path)
        page.wait_for_load_state("load")
    expect(page.locator("[data-testid=at-risk-vip]")).to_contain_text(payload)
    page.goto(f"/accounts/{account.pk}/")
    expect(page.locator("h1")).to_contain_text(payload)
    page.wait_for_timeout(300)
    assert dialogs == []
