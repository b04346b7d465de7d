from importlib import import_module

import pytest
from django.apps import apps

from accounts.models import Account, TierPolicy
from tests.browser.conftest import login, screenshot
from tests.factories import make_account, make_user
from vipdesk.lib.roles import Role

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def tier_policies(transactional_db):
    """The default tier bands. Live-server tests flush the database afterwards,
    taking the migrations' data with it, so load them here."""
    import_module("accounts.migrations.0002_default_policies").load(apps, None)


def test_it_previews_and_applies_new_tier_thresholds(page):
    admin = make_user("admin", Role.ADMIN)
    make_account("Halcyon", arr=450_000)
    make_account("Corvid", arr=120_000)
    login(page, admin)
    page.console_errors.clear()  # the home page belongs to another issue

    page.goto("/admin/accounts/tierpolicy/")
    page.click("text=Edit tier thresholds")
    page.fill("#id_form-0-min_arr", "400000")  # Tier 1
    page.fill("#id_form-1-max_arr", "400000")  # Tier 2
    page.click("input[type=submit][value='Preview the change']")

    summary = page.locator("[data-testid=summary]")
    assert "1 account" in summary.inner_text()
    assert "$450,000" in summary.inner_text()
    assert page.locator("#moving-accounts").inner_text().count("Halcyon") == 1
    screenshot(page, "admin-tier-threshold-preview")
    assert Account.objects.get(name="Halcyon").tier == 2

    page.click("input[name=confirm]")
    page.wait_for_url("**/admin/accounts/tierpolicy/")
    assert "1 account(s) changed tier" in page.locator(".messagelist").inner_text()
    assert Account.objects.get(name="Halcyon").tier == 1
    assert TierPolicy.objects.get(tier=1).min_arr == 400_000
    assert page.console_errors == []


def test_it_shows_band_errors_in_the_browser(page):
    admin = make_user("admin", Role.ADMIN)
    login(page, admin)
    page.console_errors.clear()  # the home page belongs to another issue
    page.goto("/admin/accounts/tierpolicy/thresholds/")
    page.fill("#id_form-1-max_arr", "600000")
    page.click("input[type=submit][value='Preview the change']")
    assert "overlap" in page.locator(".errorlist").inner_text()
    assert page.console_errors == []
