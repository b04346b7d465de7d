"""Drafts and post-mortems in a real browser: a CSM builds the internal brief from the
record, edits it and logs it as sent; then fills a post-mortem whose vague
recommendation is refused, fixes it, completes it and closes the escalation."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from escalations import actions
from escalations.models import Communication, Escalation, PostMortem
from tests.browser.conftest import login, screenshot
from tests.factories import make_account, make_user
from vipdesk.lib.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def setup():
    csm = make_user("csm", Role.CSM, first_name="Casey", last_name="Morgan")
    account = make_account("Northwind Logistics", arr=640_000, csm=csm)
    e, _ = actions.open_escalation(
        account, type="technical", severity="high", source="person", by=csm,
        summary="CSV import rejects every row",
        customer_statement='Nothing imports since 9am. <script>alert("x")</script>',
        business_impact="Month-end close blocked", users_affected=340,
    )  # fmt: skip
    actions.add_action(e, by=csm, horizon="immediate", description="Roll back the importer",
                       owner=csm, due_at=timezone.now() + timedelta(hours=3))  # fmt: skip
    actions.add_stakeholder(e, by=csm, name="Eli Eng", role="Engineering lead",
                            ask="Confirm the rollback window")  # fmt: skip
    return csm, e


def test_a_csm_drafts_the_internal_brief_edits_it_and_logs_it_as_sent(page, setup):
    csm, e = setup
    login(page, csm)
    page.goto(f"/escalations/{e.pk}/")
    page.get_by_test_id("drafts-link").click()
    page.locator('button[data-kind="internal_brief"]').click()
    page.wait_for_url(re.compile(r"/drafts/\d+/$"))
    body = page.locator("#id_body")
    expect(body).to_have_value(re.compile("ARR at risk: \\$640,000"))
    expect(page.get_by_test_id("gaps")).to_contain_text("Fill in the root cause so far")
    expect(page.get_by_test_id("word-count")).to_contain_text("of at most 300 words")

    body.fill(body.input_value() + "\nIt was the importer team's fault.")
    page.get_by_role("button", name="Save the text").click()
    expect(page.get_by_test_id("blame")).to_contain_text("fault")
    text = page.locator("#id_body").input_value().replace("\nIt was the importer team's fault.", "")
    page.locator("#id_body").fill(text + "\nThe importer release is rolled back tonight.")
    page.get_by_role("button", name="Save the text").click()
    expect(page.get_by_test_id("blame")).to_have_count(0)

    page.locator("#id_recipient").fill("VP CS, Support manager, Eli Eng")
    page.get_by_role("button", name="Log as sent").click()
    expect(page.get_by_test_id("sent")).to_contain_text("Logged as sent")
    communication = Communication.objects.get()
    assert "rolled back tonight" in communication.summary and not communication.to_customer
    page.goto(f"/escalations/{e.pk}/")
    expect(page.get_by_test_id("communications")).to_contain_text("Internal escalation brief")
    assert not [m for m in page.console_errors if "Content Security Policy" in m]


def test_a_csm_completes_the_post_mortem_and_closes_the_escalation(page, setup):
    csm, e = setup
    actions.transition(e, "resolved", by=csm)
    login(page, csm)
    page.goto(f"/escalations/{e.pk}/post-mortem/")
    expect(page.get_by_test_id("pm-status")).to_have_text("Missing")
    expect(page.locator('#field-timeline input[value^="Resolved by Casey Morgan"]')).to_have_count(
        1
    )

    page.fill("#id_description", "Add an import smoke test to the release checklist")
    page.select_option("#id_owner", label="Casey Morgan")
    page.fill("#id_due_on", (date.today() + timedelta(days=14)).isoformat())
    page.get_by_role("button", name="Add follow-up action").click()
    expect(page.get_by_test_id("follow-ups")).to_contain_text("import smoke test")

    page.fill("#id_executive_summary", "The CSV importer rejected every row for a day. "
              "Month-end close slipped. A rollback fixed it and the customer stayed.")  # fmt: skip
    page.fill("#id_went_well", "Acknowledged within 20 minutes; hourly updates.")
    page.fill("#id_do_differently", "Roll back at the first report instead of debugging live.")
    page.fill("#id_recommendation", "Communicate better.")
    page.select_option("#id_root_cause_category", label="Product defect")
    page.get_by_label("Monitoring gap").check()
    page.get_by_label("Handoff").check()
    page.fill("#id_root_cause", "A release changed the CSV delimiter detection.")
    page.fill("#id_customer_outcome", "Renewal on track; asked for release notes.")
    page.fill("#id_arr_retained", "640000")
    page.fill("#id_arr_lost", "0")
    page.select_option("#id_systemic", "false")
    page.get_by_role("button", name="Complete the post-mortem").click()
    expect(page.get_by_test_id("error-recommendation")).to_contain_text(
        "“communicate better” is too vague to act on"
    )
    page.fill("#id_recommendation", "Release managers run the CSV import smoke test in "
              "staging before every importer release and block it on any failure.")  # fmt: skip
    page.get_by_role("button", name="Complete the post-mortem").click()
    expect(page.get_by_test_id("pm-status")).to_have_text("Complete")
    assert PostMortem.objects.get().status == "complete"

    page.goto(f"/escalations/{e.pk}/")
    page.locator("summary", has_text="Close…").click()
    page.locator("#close-confirmed").check()
    page.get_by_role("button", name="Close").click()
    expect(page.get_by_test_id("status")).to_contain_text("Closed")
    assert Escalation.objects.get().status == "closed"
    page.goto(f"/escalations/{e.pk}/post-mortem/")
    screenshot(page, "post-mortem")
    assert not [m for m in page.console_errors if "Content Security Policy" in m]
