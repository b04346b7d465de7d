"""Running an escalation in a real browser: open it from a VIP ticket, acknowledge,
plan, update the customer, get goodwill approved by the right role, hit the
post-mortem gate, resolve."""

import re

import pytest
from playwright.sync_api import expect

from escalations.models import Escalation, RoleHolder
from tests.browser.conftest import login, screenshot
from tests.factories import make_account, make_user
from tests.tickets.conftest import make_vip_ticket
from vipdesk.lib.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_subform(page, summary: str):
    page.locator("summary", has_text=summary).click()


def test_a_lead_runs_an_escalation_from_a_vip_ticket(page):
    lead = make_user("lead", Role.LEAD, first_name="Lena", last_name="Lead")
    manager = make_user("manager", Role.CSM, first_name="Max", last_name="Manager")
    RoleHolder.objects.create(role="cs_manager", user=manager)
    account = make_account("Northwind Logistics", arr=640_000, csm=make_user("csm", Role.CSM))
    body = 'Nothing imports since 9am. <script>alert("x")</script>'
    ticket = make_vip_ticket(account, subject="CSV import rejects every row", body=body)

    login(page, lead)
    page.goto(f"/tickets/{ticket.pk}/")
    page.get_by_test_id("escalate").click()
    expect(page.locator("#id_summary")).to_have_value("CSV import rejects every row")
    page.select_option("#id_severity", "high")
    page.fill("#id_business_impact", "Month-end close blocked")
    page.fill("#id_users_affected", "340")
    page.get_by_role("button", name="Open escalation").click()
    page.wait_for_url(re.compile(r"/escalations/\d+/"))
    e = Escalation.objects.get()
    expect(page.get_by_test_id("statement")).to_contain_text('<script>alert("x")</script>')
    expect(page.get_by_test_id("status")).to_contain_text("Open")

    page.locator('button[data-step="acknowledged"]').click()
    expect(page.get_by_test_id("status")).to_contain_text("Acknowledged")

    open_subform(page, "Add an action…")
    form = page.locator('form[aria-label="Add an action"]')
    form.locator("#action-horizon").select_option("immediate")
    form.locator("#action-description").fill("Roll back the importer release")
    form.locator("#action-owner").select_option(label="Lena Lead")
    form.get_by_role("button", name="Add action").click()
    expect(page.get_by_test_id("actions").first).to_contain_text("Roll back the importer release")

    open_subform(page, "Log a communication…")
    form = page.locator('form[aria-label="Log a communication"]')
    form.locator("#comm-type").select_option("email")
    form.locator("#comm-to_customer").check()
    form.locator("#comm-recipient").fill("Pat Doe (VP Ops)")
    form.locator("#comm-summary").fill("Rollback under way; next update at 15:00")
    form.get_by_role("button", name="Log it").click()
    expect(page.get_by_test_id("communications")).to_contain_text("Pat Doe (VP Ops)")

    open_subform(page, "Propose goodwill…")
    form = page.locator('form[aria-label="Propose goodwill"]')
    form.locator("#goodwill-kind").select_option("credit")
    form.locator("#goodwill-amount").fill("2500")
    form.locator("#goodwill-reason").fill("Two days of failed imports")
    form.get_by_role("button", name="Propose").click()
    offers = page.get_by_test_id("goodwill")
    expect(offers).to_contain_text("Awaiting approval")
    expect(offers).to_contain_text("CS Manager")
    expect(offers.get_by_role("button", name="Approve")).to_have_count(0)  # not the lead's to give

    page.context.clear_cookies()
    login(page, manager)
    page.goto(f"/escalations/{e.pk}/")
    page.get_by_test_id("goodwill").get_by_role("button", name="Approve").click()
    expect(page.get_by_test_id("goodwill")).to_contain_text("Approved")
    expect(page.get_by_test_id("goodwill")).to_contain_text("Max Manager")

    page.context.clear_cookies()
    login(page, lead)
    page.goto(f"/escalations/{e.pk}/")
    open_subform(page, "Close…")
    page.locator("#close-confirmed").check()
    page.get_by_role("button", name="Close").click()
    expect(page.locator(".messages")).to_contain_text(
        "A High escalation cannot close without a complete post-mortem (it is missing)."
    )
    expect(page.get_by_test_id("status")).to_contain_text("Acknowledged")

    page.locator('button[data-step="resolved"]').click()
    expect(page.get_by_test_id("status")).to_contain_text("Resolved")
    timeline = page.get_by_test_id("timeline")
    for text in ("Opened by Lena Lead", "Acknowledged by Lena Lead", "Action added",
                 "customer update", "approved by Max Manager", "Resolved by Lena"):  # fmt: skip
        expect(timeline).to_contain_text(text)
    screenshot(page, "escalation")
    assert not [m for m in page.console_errors if "Content Security Policy" in m]
