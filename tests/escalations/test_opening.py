"""Open from anywhere, never twice: de-duplication per account and type, the type
from the ticket's content, automatic openings by routing and by the SLA."""

from datetime import UTC, datetime, timedelta

import pytest

from escalations.actions import open_escalation, open_for_ticket
from escalations.jobs import open_for_late_tickets, open_requested_escalations, run_playbook
from escalations.models import Escalation, PlaybookPolicy
from tests.factories import make_account, make_escalation, make_ticket, make_user
from tickets.routing import jobs as ticket_jobs
from vipdesk.insight.rescore import rescore_accounts

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


def test_a_second_opening_of_the_same_type_links_the_ticket(account, csm):
    first, created = open_escalation(account, type="technical", severity="high", summary="A",
                                     source="person", by=csm, now=NOW)  # fmt: skip
    ticket = make_ticket(account, subject="Sync is down again")
    second, created_again = open_escalation(
        account, type="technical", severity="critical", summary="B", source="api",
        tickets=[ticket], now=NOW,
    )  # fmt: skip
    assert (created, created_again, second) == (True, False, first)
    assert list(first.tickets.all()) == [ticket]
    assert [e.kind for e in first.events.all()] == ["opened", "ticket_linked"]
    assert "already open for this account" in first.events.last().text


def test_a_closed_escalation_does_not_absorb_a_new_one(account):
    make_escalation(account, type="technical", status="closed", closed_at=NOW)
    _, created = open_escalation(account, type="technical", severity="high", summary="A",
                                 source="person", now=NOW)  # fmt: skip
    assert created


def test_a_ticket_already_behind_an_escalation_never_opens_another(account):
    ticket = make_ticket(account, subject="Outage")
    e, _ = open_for_ticket(ticket, severity="high", summary="x", source="routing", now=NOW)
    Escalation.objects.filter(pk=e.pk).update(status="closed", closed_at=NOW)
    again, created = open_for_ticket(ticket, severity="high", summary="x", source="routing")
    assert (again.pk, created) == (e.pk, False)
    assert Escalation.objects.count() == 1


def test_an_automatic_opening_types_it_from_the_ticket_and_says_why(account):
    ticket = make_ticket(account, subject="$19 charge we do not recognise", body="Hello")
    e, _ = open_for_ticket(ticket, severity="high", summary="x", source="routing", now=NOW)
    assert (e.type, e.source) == ("commercial", "routing")
    assert e.events.first().text.endswith("Commercial: the ticket mentions “charge”.")
    outage = make_ticket(account, subject="Everything is down", body="No data since 9am")
    e2, created = open_for_ticket(outage, severity="high", summary="y", source="routing")
    assert (e2.type, created) == ("technical", True)


@pytest.fixture
def tier2(db):
    return make_account("Northwind", arr=200_000, csm=make_user("nw-csm"))


def test_routing_six_angry_tickets_opens_one_escalation_per_type(tier2):
    subjects = ["Sync fails", "Sync fails again", "Export broken", "Refund for the outage",
                "Still broken", "Invoice is wrong"]  # fmt: skip
    for i, subject in enumerate(subjects):
        make_ticket(tier2, subject=subject, customer_priority="P1",
                        created_at=NOW + timedelta(days=i))  # fmt: skip
        ticket_jobs.route_pending()
        open_requested_escalations()
    tier2.refresh_from_db()
    assert tier2.tier == 2
    open_ = Escalation.objects.open().filter(account=tier2)
    assert sorted(open_.values_list("type", flat=True)) == ["commercial", "technical"]
    assert sum(e.tickets.count() for e in open_) == 6


def test_a_tier1_ticket_unresolved_past_its_sla_opens_one(csm):
    strategic = make_account("Big", arr=2_000_000, csm=csm)
    late = make_ticket(strategic, subject="Dashboards empty", routed=True, tier=1,
                       sla_resolution_due=NOW - timedelta(minutes=1))  # fmt: skip
    make_ticket(
        strategic, subject="Fine", routed=True, tier=1, sla_resolution_due=NOW + timedelta(hours=1)
    )
    make_ticket(make_account("Mid"), subject="Late", routed=True, tier=2,
                sla_resolution_due=NOW - timedelta(hours=1))  # fmt: skip
    assert run_playbook(NOW)["opened"] == 1
    e = Escalation.objects.get()
    assert (e.source, e.severity, e.type, list(e.tickets.all())) == (
        "sla",
        "high",
        "technical",
        [late],
    )
    assert open_for_late_tickets(PlaybookPolicy.load(), NOW) == 0


def test_the_sla_opening_tiers_are_the_admins(csm):
    mid = make_account("Mid", csm=csm)
    make_ticket(mid, routed=True, tier=2, sla_resolution_due=NOW - timedelta(hours=1))
    PlaybookPolicy.objects.update(sla_opening_max_tier=0)
    assert open_for_late_tickets(PlaybookPolicy.load(), NOW) == 0
    PlaybookPolicy.objects.update(sla_opening_max_tier=2)
    assert open_for_late_tickets(PlaybookPolicy.load(), NOW) == 1


def test_a_risk_score_never_opens_an_escalation(csm):
    risky = make_account("Risky", csm=csm, risk_score=99, risk_level="critical")
    rescore_accounts([risky.pk], NOW)
    run_playbook(NOW)
    assert not Escalation.objects.exists()
