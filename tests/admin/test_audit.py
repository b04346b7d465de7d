from datetime import date, time
from decimal import Decimal

from accounts.audit import diff
from accounts.models import PolicyChange
from tests.admin.conftest import form_data
from tickets.models import ChurnPhrase, Holiday, SlaPolicy, default_calendar


def add_christmas(client):
    return client.post(
        "/admin/tickets/holiday/add/",
        {
            "calendar": default_calendar(),
            "day": "2026-12-25",
            "name": "Christmas",
            "observed": "on",
        },
    )


def test_it_lists_only_changed_fields_with_json_safe_values():
    old = {"min_arr": Decimal("50000.00"), "opens": time(9), "name": "x"}
    new = {"min_arr": Decimal("60000"), "opens": time(9), "name": "x"}
    assert diff(old, new) == {"min_arr": ["50000.00", "60000"]}


def test_it_treats_missing_sides_as_none():
    assert diff({}, {"day": date(2026, 12, 25)}) == {"day": [None, "2026-12-25"]}
    assert diff({"weight": 10}, {}) == {"weight": [10, None]}


def test_it_equates_decimals_of_different_precision():
    assert diff({"arr": Decimal("1.0")}, {"arr": Decimal("1.00")}) == {}


def test_it_audits_a_created_policy_row(admin_client, admin_user):
    response = add_christmas(admin_client)
    assert response.status_code == 302
    holiday = Holiday.objects.get()
    change = PolicyChange.objects.get()
    assert (change.user, change.model, change.object_id, change.action) == (
        admin_user,
        "tickets.Holiday",
        str(holiday.pk),
        "create",
    )
    assert change.changes == {
        "calendar": [None, default_calendar()],
        "day": [None, "2026-12-25"],
        "name": [None, "Christmas"],
        "observed": [None, True],
    }
    assert change.object_repr == "2026-12-25 Christmas"


def test_it_audits_a_changed_policy_row_with_old_and_new_values(admin_client):
    sla = SlaPolicy.objects.get(tier=2, priority="P3")
    url = f"/admin/tickets/slapolicy/{sla.pk}/change/"
    data = form_data(admin_client.get(url), first_response_minutes=45)
    assert admin_client.post(url, data).status_code == 302
    change = PolicyChange.objects.get()
    assert change.action == "update"
    assert change.changes == {"first_response_minutes": [30, 45]}


def test_it_does_not_audit_a_save_that_changes_nothing(admin_client):
    sla = SlaPolicy.objects.get(tier=2, priority="P3")
    url = f"/admin/tickets/slapolicy/{sla.pk}/change/"
    admin_client.post(url, form_data(admin_client.get(url)))
    assert not PolicyChange.objects.exists()


def test_it_audits_a_deleted_policy_row(admin_client):
    phrase = ChurnPhrase.objects.get(phrase="frustrated")
    response = admin_client.post(f"/admin/tickets/churnphrase/{phrase.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    change = PolicyChange.objects.get()
    assert (change.action, change.object_repr) == ("delete", "frustrated")
    assert change.changes["phrase"] == ["frustrated", None]
    assert change.changes["kind"] == ["indirect", None]


def test_it_audits_each_row_of_a_bulk_delete(admin_client):
    phrases = ChurnPhrase.objects.filter(kind="indirect")
    pks = list(phrases.values_list("pk", flat=True))
    admin_client.post(
        "/admin/tickets/churnphrase/",
        {"action": "delete_selected", "_selected_action": pks, "post": "yes"},
    )
    assert not ChurnPhrase.objects.filter(pk__in=pks).exists()
    assert PolicyChange.objects.filter(action="delete").count() == len(pks)


def test_it_shows_the_audit_trail_read_only_to_admins(admin_client, client):
    add_christmas(admin_client)
    change = PolicyChange.objects.get()
    response = admin_client.get("/admin/accounts/policychange/")
    assert response.status_code == 200
    assert b"Christmas" in response.content
    page = admin_client.get(f"/admin/accounts/policychange/{change.pk}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert admin_client.get("/admin/accounts/policychange/add/").status_code == 403
    admin_client.post(f"/admin/accounts/policychange/{change.pk}/delete/", {"post": "yes"})
    assert PolicyChange.objects.filter(pk=change.pk).exists()


def test_it_filters_the_audit_trail_by_model_and_user(admin_client, admin_user):
    add_christmas(admin_client)
    by_model = admin_client.get("/admin/accounts/policychange/?model=tickets.Holiday")
    assert b"Christmas" in by_model.content
    other_model = admin_client.get("/admin/accounts/policychange/?model=tickets.SlaPolicy")
    assert b"Christmas" not in other_model.content
    by_user = admin_client.get(f"/admin/accounts/policychange/?user__id__exact={admin_user.pk}")
    assert b"Christmas" in by_user.content


def test_it_summarises_changes_in_the_audit_list(admin_client):
    sla = SlaPolicy.objects.get(tier=2, priority="P3")
    url = f"/admin/tickets/slapolicy/{sla.pk}/change/"
    admin_client.post(url, form_data(admin_client.get(url), first_response_minutes=45))
    response = admin_client.get("/admin/accounts/policychange/")
    assert "first_response_minutes: 30 → 45" in response.content.decode()


def test_it_audits_edits_made_in_the_list(admin_client):
    phrase = ChurnPhrase.objects.get(phrase="cancel")
    phrases = list(ChurnPhrase.objects.order_by("kind", "phrase"))
    data = {
        "form-TOTAL_FORMS": len(phrases),
        "form-INITIAL_FORMS": len(phrases),
        "_save": "Save",
    }
    for i, p in enumerate(phrases):
        data[f"form-{i}-id"] = p.pk
        data[f"form-{i}-weight"] = 40 if p.pk == phrase.pk else p.weight
        if p.active:
            data[f"form-{i}-active"] = "on"
    assert admin_client.post("/admin/tickets/churnphrase/", data).status_code == 302
    change = PolicyChange.objects.get()
    assert (change.object_repr, change.changes) == ("cancel", {"weight": [phrase.weight, 40]})
