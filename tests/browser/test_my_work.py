"""“My work” in a real browser: an agent resolves a Tier-1 ticket, finds the call and
the summary on /my/ and sends the summary from its draft; the next day the lead sees
the overdue call. The server's clock is moved with time-machine (the live server runs
in this process), the page's with page.clock."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import login, screenshot
from tests.factories import make_account, make_agent, make_contact, make_pool, make_user
from tests.tickets.conftest import make_vip_ticket
from vipdesk.lib.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_agent_works_the_follow_ups_and_the_lead_sees_the_overdue_call(page):
    lead = make_user("lead", Role.LEAD, first_name="Lena", last_name="Lead")
    agent_user = make_user("sarah", Role.AGENT, first_name="Sarah", last_name="Miller")
    agent = make_agent(agent_user, level=3)
    make_pool("Tier 1 senior", tier=1, members=[agent], lead=lead)
    account = make_account("Globex", arr=600000)
    hank = make_contact(account, name="Hank Scorpio", title="Head of Platform")
    ticket = make_vip_ticket(
        account,
        contact=hank,
        requester_name="Hank Scorpio",
        subject="API outage in production",
        body="Our API calls fail with 502 since 09:10. Please help.",
        assigned_agent=agent,
        first_response_at=timezone.now() - timedelta(minutes=30),
    )

    login(page, agent_user)
    page.goto(f"/tickets/{ticket.pk}/")
    page.click("#resolve button[type=submit]")
    expect(page.locator("#resolve")).to_contain_text("closed only with the customer's confirmation")
    page.fill("#id_confirmed_by", "Hank Scorpio")
    page.select_option("#id_confirmed_via", "phone")
    page.click("#resolve button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("Resolved")

    page.goto("/my/")
    call = page.locator("[data-kind=personal_call]")
    summary = page.locator("[data-kind=resolution_summary]")
    expect(call).to_contain_text("Call Hank Scorpio about the resolution")
    expect(summary).to_contain_text("Send Hank Scorpio the resolution summary")
    expect(page.get_by_test_id("my-work-count")).to_have_text("3")
    summary.locator("summary", has_text="Draft").click()
    draft = summary.locator("textarea")
    expect(draft).to_have_value(
        re.compile(r"Issue: API outage in production.*Direct contact: Sarah Miller", re.S)
    )
    screenshot(page, "my-work")
    summary.get_by_role("button", name="Mark sent").click()
    expect(page.locator(".messages")).to_contain_text("Done: Send Hank Scorpio")
    expect(page.locator("[data-kind=resolution_summary]")).to_have_count(0)
    expect(page.get_by_test_id("my-work-count")).to_have_text("2")

    next_day = timezone.now() + timedelta(hours=26)
    with time_machine.travel(next_day):
        page.context.clear_cookies()
        page.clock.install(time=next_day)
        login(page, lead)
        page.goto("/my/")
        overdue_call = page.locator("[data-kind=personal_call]")
        expect(overdue_call).to_contain_text("Call Hank Scorpio about the resolution")
        expect(overdue_call).to_contain_text("Overdue")
        expect(overdue_call).to_contain_text("Sarah Miller")
        expect(page.locator("[data-kind=resolution_summary]")).to_have_count(0)
        screenshot(page, "my-work-lead")
