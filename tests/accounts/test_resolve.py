"""One account resolver (id, domain or name; ambiguous → a clear error) for the API,
the CSV imports and the forms."""

import io

import pytest

from accounts.models import Account
from accounts.resolve import AmbiguousAccount, resolve_account, resolve_refs
from tests.factories import make_account, make_user
from tickets.forms import AttachAccountForm
from tickets.intake.csv_import import import_csv
from tickets.models import ApiToken, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme():
    return make_account("Acme Corp", domain="acme.example")


@pytest.fixture
def clash(acme):
    """An account named like another's domain: "acme.example" names two accounts."""
    return make_account("acme.example", domain="other.example")


@pytest.mark.parametrize("ref", ["id", "Acme Corp", "ACME CORP", " acme.example "])
def test_it_finds_an_account_by_id_domain_or_name(acme, ref):
    assert resolve_account(acme.pk if ref == "id" else ref) == acme


def test_it_answers_none_for_nothing_or_an_unknown_reference(acme):
    assert resolve_account(None) is None
    assert resolve_account("") is None
    assert resolve_account("nowhere.example") is None
    assert resolve_account(acme.pk + 1000) is None


def test_it_refuses_a_reference_that_fits_several_accounts(acme, clash):
    with pytest.raises(AmbiguousAccount, match="matches several accounts"):
        resolve_account("acme.example")
    assert resolve_account("other.example") == clash


def test_it_resolves_many_references_in_three_queries(acme, clash, django_assert_num_queries):
    with django_assert_num_queries(3):
        refs = resolve_refs(["Acme Corp", str(clash.pk), "other.example", "nobody", ""])
    assert refs.account_id("acme corp") == acme.pk
    assert refs.account_id(clash.pk) == clash.pk
    assert refs.account_id("nobody") is None


def test_the_api_answers_400_for_an_ambiguous_account(client, acme, clash):
    _, token = ApiToken.issue("test")
    r = client.post(
        "/api/v1/tickets",
        {"external_id": "X-1", "account": "acme.example", "subject": "Hi", "priority": "P3"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 400
    assert r.json()["field"] == "account" and "several accounts" in r.json()["error"]
    assert not Ticket.objects.exists()


def test_the_csv_imports_reject_rows_with_an_ambiguous_account(acme, clash):
    make_user("csm")
    contacts = import_csv(
        "contacts", io.BytesIO(b"account,name,email\nacme.example,Pat,pat@x.example\n")
    )
    assert "several accounts" in contacts.errors[0]
    tickets = import_csv(
        "tickets",
        io.BytesIO(b"external_id,account,subject,priority\nT-1,acme.example,Hi,P3\n"),
    )
    assert "several accounts" in tickets.errors[0]
    assert not Ticket.objects.exists()


def test_the_attach_account_form_says_when_an_account_is_ambiguous(acme, clash):
    form = AttachAccountForm({"account": "acme.example"})
    assert not form.is_valid()
    assert "several accounts" in form.errors["account"][0]
    assert AttachAccountForm({"account": "Acme Corp"}).is_valid()
    assert Account.objects.count() == 2
