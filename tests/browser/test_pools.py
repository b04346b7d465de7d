"""Agent pools in a real browser: leads manage, CSMs are refused."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login, screenshot
from tests.browser.demo_data import build_floor
from tests.factories import make_user
from tickets.models import PtoPeriod
from vipdesk.lib.roles import Role

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_it_refuses_pool_management_to_a_csm(page):
    csm = make_user("csm", Role.CSM)
    floor = build_floor()
    login(page, csm)
    response = page.goto("/pools/")
    assert response.status == 403
    expect(page.get_by_role("link", name="Agent pools")).to_have_count(0)
    # A forged form post is refused too.
    status = page.evaluate(
        """async (url) => {
            const token = document.cookie.match(/csrftoken=([^;]+)/);
            const headers = {"X-CSRFToken": token ? token[1] : ""};
            const r = await fetch(url, {method: "POST", headers});
            return r.status;
        }""",
        f"/pools/{floor['pools'][0].pk}/members/{floor['people']['sarah'].pk}/remove/",
    )
    assert status == 403
    assert floor["pools"][0].members.count() == 3


def test_it_lets_a_lead_add_pto_and_see_the_forecast(page):
    lead = make_user("lead", Role.LEAD, first_name="Riley", last_name="Stone")
    floor = build_floor(lead)
    alex = floor["people"]["alex"]
    login(page, lead)
    page.goto("/pools/")
    expect(page.get_by_role("heading", name=re.compile("Tier 1 senior pool"))).to_be_visible()
    expect(page.locator(".badge-burnout").first).to_be_visible()
    expect(page.locator(".forecast").first).to_contain_text("Tom Reyes is on PTO")
    # Invalid first: the end before the start.
    page.select_option("#id_agent", str(alex.pk))
    page.fill("#id_starts", (date.today() + timedelta(days=5)).isoformat())
    page.fill("#id_ends", (date.today() + timedelta(days=4)).isoformat())
    page.get_by_role("button", name="Add PTO").click()
    expect(page.locator("#add-pto")).to_contain_text("can't be before the first")
    page.fill("#id_starts", date.today().isoformat())
    page.fill("#id_ends", (date.today() + timedelta(days=1)).isoformat())
    page.fill("#id_note", "Conference")
    page.get_by_role("button", name="Add PTO").click()
    expect(page.locator(".messages")).to_contain_text("PTO added")
    row = page.locator(f'tr[data-agent="{alex.pk}"]').first
    expect(row).to_contain_text("On PTO until")
    assert PtoPeriod.objects.filter(agent=alex, note="Conference").exists()
    screenshot(page, "pools")
