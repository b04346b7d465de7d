"""The VIP queue, the ticket page and the notification centre in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login, screenshot
from tests.browser.demo_data import alerts_for, build_floor
from tests.factories import make_account, make_agent, make_user
from tests.tickets.conftest import make_vip_ticket
from vipdesk.lib.roles import Role

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def countdown(page, ticket):
    return page.locator(f'tr[data-ticket="{ticket.pk}"] time[data-countdown]')


def test_it_shows_live_countdowns_to_an_agent(page):
    agent_user = make_user("agent", Role.AGENT)
    floor = build_floor()
    make_agent(agent_user, level=3)
    login(page, agent_user)
    page.goto("/queue/")
    outage = countdown(page, floor["tickets"]["outage"])  # 3 min left: within the warning
    expect(outage).to_have_class(re.compile("sla-warning"))
    expect(countdown(page, floor["tickets"]["breached"])).to_have_class(re.compile("sla-breached"))
    expect(countdown(page, floor["tickets"]["breached"])).to_contain_text("breached")
    expect(countdown(page, floor["tickets"]["sso"])).to_have_class(re.compile("sla-ok"))
    first = outage.text_content()
    page.wait_for_timeout(1100)
    assert outage.text_content() != first
    # Rows are ordered by SLA remaining: the breached one first.
    first_row = page.locator("#queue-rows tr").first
    assert first_row.get_attribute("data-ticket") == str(floor["tickets"]["breached"].pk)
    screenshot(page, "queue")
    # No CSP violations (a 404 for /favicon.ico is not ours to fix).
    assert not [e for e in page.console_errors if "Content Security Policy" in e]


def test_it_turns_amber_then_red_as_the_clock_moves(page):
    lead = make_user("lead", Role.LEAD)
    t = make_vip_ticket(minutes_left=12)
    page.clock.install()
    login(page, lead)
    page.goto("/queue/")
    el = countdown(page, t)
    expect(el).to_have_class(re.compile("sla-ok"))
    page.clock.fast_forward("03:00")  # 9 min left < the 10-minute warning window
    expect(el).to_have_class(re.compile("sla-warning"))
    page.clock.fast_forward("10:00")
    expect(el).to_have_class(re.compile("sla-breached"))


def test_it_filters_by_tier_and_keeps_the_filter_on_refresh(page):
    lead = make_user("lead", Role.LEAD)
    floor = build_floor(lead)
    page.clock.install()
    login(page, lead)
    page.goto("/queue/")
    page.select_option("#id_tier", "2")
    page.click("#queue-filters button[type=submit]")
    page.wait_for_url(re.compile(r"tier=2"))
    rows = page.locator("#queue-rows tr[data-ticket]")
    expect(rows).to_have_count(2)
    expect(page.locator("#queue-rows .badge-platinum")).to_have_count(0)
    # The 15-second refresh asks the same view for the rows, with the filters.
    with page.expect_request(lambda r: "/queue/" in r.url and r.headers.get("hx-request")) as req:
        page.clock.fast_forward("00:16")
    assert "tier=2" in req.value.url
    expect(rows).to_have_count(2)
    # Bookmarkable: the same URL in a new visit shows the same rows.
    page.goto(page.url)
    expect(page.locator("#id_tier")).to_have_value("2")
    assert floor["tickets"]["sso"].subject in page.content()


def test_it_lets_a_lead_reassign_with_a_handoff_note(page):
    lead = make_user("lead", Role.LEAD)
    floor = build_floor(lead)
    t = floor["tickets"]["outage"]
    login(page, lead)
    page.goto(f"/tickets/{t.pk}/")
    expect(page.get_by_role("heading", name="Why this ticket is here")).to_be_visible()
    page.select_option("#id_agent", str(floor["people"]["lisa"].pk))
    page.click("#assign button[type=submit]")
    expect(page.locator("#assign")).to_contain_text("warm handoff note is required")
    page.select_option("#id_agent", str(floor["people"]["lisa"].pk))
    page.fill("#id_note", "Mindy (VP Eng) expects an update by 10:30; LB fix is in progress.")
    page.click("#assign button[type=submit]")
    expect(page.locator("#assign")).to_contain_text("Introduce the new agent by name")
    page.select_option("#id_agent", str(floor["people"]["lisa"].pk))
    page.fill(
        "#id_note",
        "Lisa takes over. Mindy (VP Eng) expects an update by 10:30; LB fix is in progress.",
    )
    page.click("#assign button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("Assigned to Lisa Kim")
    expect(page.locator(".message.handoff")).to_contain_text("LB fix is in progress")
    screenshot(page, "ticket")


def test_it_lets_an_agent_record_the_first_response(page):
    agent_user = make_user("agent", Role.AGENT)
    agent = make_agent(agent_user, level=3)
    t = make_vip_ticket(assigned_agent=agent, status="new", subject="Webhook retries failing")
    login(page, agent_user)
    page.goto("/queue/?mine=on")
    page.get_by_role("link", name="Webhook retries failing").click()
    page.get_by_role("button", name="Record first response").click()
    expect(page.locator(".messages")).to_contain_text("First response recorded")
    expect(page.get_by_role("button", name="Record first response")).to_have_count(0)
    t.refresh_from_db()
    assert t.first_response_at is not None


def test_it_does_not_run_scripts_from_ticket_text(page):
    lead = make_user("lead", Role.LEAD)
    account = make_account("<script>alert('acct')</script> Ltd", arr=600000)
    t = make_vip_ticket(
        account,
        subject="<script>alert(1)</script><img src=x onerror=alert(2)>",
        body='<a href="javascript:alert(3)">x</a><svg onload=alert(4)>',
        routing_reasons=["<script>alert(5)</script>"],
    )
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    login(page, lead)
    response = page.goto("/queue/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator(f'tr[data-ticket="{t.pk}"]')).to_contain_text("<script>alert(1)</script>")
    page.goto(f"/tickets/{t.pk}/")
    expect(page.locator("h1")).to_contain_text("<img src=x onerror=alert(2)>")
    page.wait_for_timeout(300)
    assert dialogs == []


def test_it_shows_unread_alerts_and_marks_them_read(page):
    floor = build_floor()
    csm = floor["csm"]
    alerts_for(csm, floor["tickets"], floor["accounts"])
    login(page, csm)
    page.goto("/notifications/")
    count = page.get_by_test_id("unread-count")
    expect(count).to_have_text("5")
    screenshot(page, "notifications")
    page.locator(".alert-item").first.get_by_role("button", name=re.compile("Mark .* read")).click()
    expect(count).to_have_text("4")
    page.locator(".alert-item").nth(1).get_by_role("button", name=re.compile("Acknowledge")).click()
    expect(count).to_have_text("3")
    page.get_by_role("button", name=re.compile("Mark all read")).click()
    expect(page.get_by_test_id("unread-count")).to_have_count(0)
    # The alert's link leads to the ticket.
    page.get_by_role("link", name=re.compile("API outage affecting production")).first.click()
    expect(page).to_have_url(re.compile(rf"/tickets/{floor['tickets']['outage'].pk}/$"))
    expect(page.locator("h1")).to_contain_text("API outage affecting production")


def test_it_lets_a_lead_attach_an_unmatched_ticket(page, monkeypatch):

    routed = []
    monkeypatch.setattr("tickets.routing.jobs.request_routing", lambda: routed.append(True))
    lead = make_user("lead", Role.LEAD)
    acme = make_account("ACME Inc", arr=240000, domain="acme.example")
    make_account("Acme Labs", arr=20000, domain="acmelabs.example")
    from tests.factories import make_ticket

    t = make_ticket(
        None,
        routed=True,
        queue="unmatched",
        subject="Cannot reach support portal",
        requester_name="Pat Doe",
        requester_email="pat@acme.example",
        organization_name="ACME",
    )
    make_ticket(
        None,
        routed=True,
        queue="unmatched",
        subject="Invoice copy please",
        requester_name="Sam Roe",
        requester_email="sam@gmail.example",
    )
    login(page, lead)
    page.goto("/queue/")
    page.get_by_role("link", name=re.compile("Unmatched tickets")).click()
    page.fill("#account-search", "acme")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".search-results")).to_contain_text("Acme Labs")
    screenshot(page, "unmatched")
    page.get_by_role("button", name="Attach to ACME Inc").click()
    expect(page.locator(".messages")).to_contain_text("attached to ACME Inc")
    t.refresh_from_db()
    assert t.account == acme and routed == [True]
    expect(page.get_by_role("link", name="Cannot reach support portal")).to_have_count(0)
