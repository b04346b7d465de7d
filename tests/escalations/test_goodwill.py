"""Goodwill: the approver by kind and amount, approval by role, offered only after."""

from decimal import Decimal

import pytest

from escalations import goodwill
from escalations.actions import Refused, decide_goodwill, offer_goodwill, request_goodwill
from escalations.models import GoodwillApprovalRule, RoleHolder
from tests.factories import make_escalation, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def rules(db):
    return list(GoodwillApprovalRule.objects.all())


@pytest.mark.parametrize(
    "kind,amount,role",
    [
        ("credit", Decimal(100), "cs_manager"),
        ("credit", Decimal(5000), "cs_manager"),
        ("credit", Decimal("5000.01"), "vp_cs"),
        ("extension", None, "vp_cs"),
        ("premium_support", None, "vp_cs"),
    ],
)
def test_the_approver_follows_kind_and_amount(rules, kind, amount, role):
    assert goodwill.approver_for(kind, amount, rules) == role


def test_the_approval_table_is_the_admins(rules):
    GoodwillApprovalRule.objects.create(kind="credit", max_amount=500, approver="cs_manager")
    GoodwillApprovalRule.objects.filter(kind="credit", max_amount=5000).update(approver="vp_cs")
    rules = list(GoodwillApprovalRule.objects.all())
    assert goodwill.approver_for("credit", Decimal(400), rules) == "cs_manager"
    assert goodwill.approver_for("credit", Decimal(600), rules) == "vp_cs"


def test_a_more_senior_role_may_approve():
    assert goodwill.may_approve({"vp_cs"}, "cs_manager")
    assert not goodwill.may_approve({"cs_manager"}, "vp_cs")
    assert not goodwill.may_approve(set(), "cs_manager")


@pytest.fixture
def people(db):
    made = {}
    for role in ("cs_manager", "vp_cs"):
        made[role] = make_user(role.replace("_", "-"))
        RoleHolder.objects.create(role=role, user=made[role])
    return made


def credit(account, csm, amount):
    e = make_escalation(account)
    return request_goodwill(e, by=csm, kind="credit", amount=Decimal(amount), months=None,
                            duration="", reason="Outage")  # fmt: skip


def test_a_large_credit_needs_the_vp(account, csm, people):
    offer = credit(account, csm, 8000)
    assert offer.approver_role == "vp_cs"
    with pytest.raises(Refused, match="Only the VP CS"):
        decide_goodwill(offer, by=people["cs_manager"], approve=True)
    offer.refresh_from_db()
    assert offer.status == "requested" and offer.decided_by is None
    decide_goodwill(offer, by=people["vp_cs"], approve=True)
    offer.refresh_from_db()
    assert (offer.status, offer.decided_by) == ("approved", people["vp_cs"])


def test_a_csm_cannot_approve_their_own_offer(account, csm, people):
    offer = credit(account, csm, 100)
    with pytest.raises(Refused, match="Only the CS Manager"):
        decide_goodwill(offer, by=csm, approve=True)


def test_an_offer_cannot_be_offered_before_approval(account, csm, people):
    offer = credit(account, csm, 100)
    with pytest.raises(Refused, match="cannot be offered before the CS Manager approves it"):
        offer_goodwill(offer, by=csm)
    offer.refresh_from_db()
    assert offer.status == "requested" and offer.offered_at is None
    decide_goodwill(offer, by=people["cs_manager"], approve=True)
    offer_goodwill(offer, by=csm)
    offer.refresh_from_db()
    assert offer.status == "offered"


def test_a_rejected_offer_stays_rejected(account, csm, people):
    offer = credit(account, csm, 100)
    decide_goodwill(offer, by=people["cs_manager"], approve=False, note="Too early")
    with pytest.raises(Refused, match="already rejected"):
        decide_goodwill(offer, by=people["vp_cs"], approve=True)
    with pytest.raises(Refused, match="cannot be offered"):
        offer_goodwill(offer, by=csm)


def test_every_decision_is_on_the_timeline(account, csm, people):
    offer = credit(account, csm, 100)
    decide_goodwill(offer, by=people["cs_manager"], approve=True)
    offer_goodwill(offer, by=csm)
    texts = [(e.kind, e.text) for e in offer.escalation.events.all()]
    assert texts == [
        (
            "goodwill",
            "Goodwill proposed by Csm: Service credit $100.00; needs CS Manager approval.",
        ),
        ("approval", "Service credit $100.00 approved by Cs-manager."),
        ("goodwill", "Service credit $100.00 offered to the customer by Csm."),
    ]


@pytest.mark.parametrize(
    "kind,amount,months,duration,reason",
    [
        ("credit", None, None, "", "A service credit needs an amount above $0."),
        ("extension", None, None, "", "A contract extension needs a number of months."),
        ("premium_support", None, None, " ", "Premium support needs a duration."),
    ],
)
def test_an_offer_needs_its_value(account, csm, kind, amount, months, duration, reason):
    e = make_escalation(account)
    with pytest.raises(Refused, match=reason.replace("$", r"\$")):
        request_goodwill(e, by=csm, kind=kind, amount=amount, months=months,
                         duration=duration, reason="")  # fmt: skip
    assert not e.goodwill.exists()
