"""Every policy form explains what is wrong and saves nothing on error."""

import pytest

from accounts.models import PolicyChange, ScoreWeights
from escalations.models import EscalationMatrixLevel, SeverityPolicy
from tests.admin.conftest import form_data
from tickets.models import BusinessHours, ChurnPhrase, RoutingPolicy, SlaPolicy


def snapshot(model) -> list[dict]:
    return list(model.objects.order_by("pk").values())


def post_change(client, obj, **changes):
    opts = obj._meta
    url = f"/admin/{opts.app_label}/{opts.model_name}/{obj.pk}/change/"
    return client.post(url, form_data(client.get(url), **changes))


def assert_refused(response, message: str):
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not PolicyChange.objects.exists()


@pytest.mark.parametrize("field", ["first_response_minutes", "resolution_minutes"])
def test_it_rejects_sla_minutes_below_one(admin_client, field):
    sla = SlaPolicy.objects.get(tier=1, priority="P1")
    before = snapshot(SlaPolicy)
    response = post_change(admin_client, sla, **{field: 0})
    assert_refused(response, "must be ≥ 1 minute")
    assert snapshot(SlaPolicy) == before


def test_it_rejects_a_resolution_due_before_the_first_response(admin_client):
    sla = SlaPolicy.objects.get(tier=1, priority="P1")
    before = snapshot(SlaPolicy)
    response = post_change(admin_client, sla, first_response_minutes=60, resolution_minutes=30)
    assert_refused(response, "Resolution (30 min) cannot be due before the first response")
    assert snapshot(SlaPolicy) == before


def test_it_rejects_a_second_sla_cell_for_the_same_tier_and_priority(admin_client):
    before = snapshot(SlaPolicy)
    data = form_data(admin_client.get("/admin/tickets/slapolicy/add/"))
    data.update(
        tier=1,
        priority="P1",
        first_response_minutes=5,
        resolution_minutes=60,
        calendar="24x7",
        queue="senior",
        min_agent_level=3,
        min_tenure_months=0,
    )
    response = admin_client.post("/admin/tickets/slapolicy/add/", data)
    assert_refused(response, "already exists")
    assert snapshot(SlaPolicy) == before


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"churn_language_points": 101}, "less than or equal to 100"),
        ({"csm_attention_threshold": 101}, "less than or equal to 100"),
        ({"churn_language_points": -1}, "greater than or equal to 0"),
        (
            {"csm_attention_threshold": 90},
            "Risk thresholds must rise strictly: csm attention threshold (90) &lt; "
            "leadership threshold (85) &lt; executive outreach threshold (95).",
        ),
        ({"executive_outreach_threshold": 85}, "Risk thresholds must rise strictly"),
        ({"high_level_from": 30}, "Churn-risk level boundaries must rise strictly"),
        ({"critical_level_from": 70}, "Churn-risk level boundaries must rise strictly"),
        (
            {"health_nps_weight": 25},
            "The health score weights must add up to 100; they add up to 95.",
        ),
    ],
)
def test_it_rejects_bad_score_weights(admin_client, changes, message):
    before = snapshot(ScoreWeights)
    response = post_change(admin_client, ScoreWeights.load(), **changes)
    assert_refused(response, message)
    assert snapshot(ScoreWeights) == before


def test_it_saves_valid_score_weights(admin_client):
    response = post_change(
        admin_client, ScoreWeights.load(), health_nps_weight=40, health_usage_weight=20
    )
    assert response.status_code == 302
    weights = ScoreWeights.load()
    assert (weights.health_nps_weight, weights.health_usage_weight) == (40, 20)
    assert PolicyChange.objects.get().changes == {
        "health_nps_weight": [30, 40],
        "health_usage_weight": [30, 20],
    }


@pytest.mark.parametrize("model", [ScoreWeights, RoutingPolicy])
def test_it_keeps_singletons_single(admin_client, model):
    opts = model._meta
    base = f"/admin/{opts.app_label}/{opts.model_name}/"
    assert admin_client.get(f"{base}add/").status_code == 403
    assert admin_client.post(f"{base}add/", {}).status_code == 403
    assert admin_client.post(f"{base}1/delete/", {"post": "yes"}).status_code == 403
    assert model.objects.count() == 1
    # The list goes straight to the one row.
    assert admin_client.get(base).url == f"{base}1/change/"


@pytest.mark.parametrize(
    ("phrase", "message"),
    [
        ("   ", "This field is required."),
        ("CANCEL", "“cancel” is already a churn phrase."),
        ("  Not   Renewing ", "“not renewing” is already a churn phrase."),
    ],
)
def test_it_rejects_empty_and_duplicate_churn_phrases(admin_client, phrase, message):
    before = snapshot(ChurnPhrase)
    response = admin_client.post(
        "/admin/tickets/churnphrase/add/",
        {"phrase": phrase, "kind": "direct", "weight": 10, "active": "on"},
    )
    assert_refused(response, message)
    assert snapshot(ChurnPhrase) == before


def test_it_rejects_renaming_a_churn_phrase_onto_another(admin_client):
    phrase = ChurnPhrase.objects.get(phrase="frustrated")
    before = snapshot(ChurnPhrase)
    response = post_change(admin_client, phrase, phrase="Downgrade")
    assert_refused(response, "“downgrade” is already a churn phrase.")
    assert snapshot(ChurnPhrase) == before


def test_it_normalises_a_new_churn_phrase(admin_client):
    admin_client.post(
        "/admin/tickets/churnphrase/add/",
        {"phrase": "  Switching   Vendors ", "kind": "direct", "weight": 20, "active": "on"},
    )
    assert ChurnPhrase.objects.filter(phrase="switching vendors").exists()


def test_it_rejects_a_churn_weight_out_of_range(admin_client):
    before = snapshot(ChurnPhrase)
    response = admin_client.post(
        "/admin/tickets/churnphrase/add/",
        {"phrase": "churning", "kind": "direct", "weight": 101, "active": "on"},
    )
    assert_refused(response, "less than or equal to 100")
    assert snapshot(ChurnPhrase) == before


@pytest.mark.parametrize(("opens", "closes"), [("18:00", "09:00"), ("09:00", "09:00")])
def test_it_rejects_business_hours_closing_before_opening(admin_client, opens, closes):
    monday = BusinessHours.objects.get(weekday=0)
    before = snapshot(BusinessHours)
    response = post_change(admin_client, monday, opens=opens, closes=closes)
    assert_refused(response, f"Closing time ({closes}) must be after opening time ({opens}).")
    assert snapshot(BusinessHours) == before


def test_it_refuses_to_delete_the_last_business_days(admin_client):
    pks = list(BusinessHours.objects.values_list("pk", flat=True))
    response = admin_client.post(
        "/admin/tickets/businesshours/",
        {"action": "delete_selected", "_selected_action": pks, "post": "yes"},
    )
    assert_refused(response, "At least one business day must remain open")
    assert BusinessHours.objects.count() == 5


def test_it_refuses_to_delete_the_only_business_day(admin_client):
    BusinessHours.objects.exclude(weekday=0).delete()
    monday = BusinessHours.objects.get()
    response = admin_client.post(
        f"/admin/tickets/businesshours/{monday.pk}/delete/", {"post": "yes"}
    )
    assert_refused(response, "At least one business day must remain open")
    assert BusinessHours.objects.filter(pk=monday.pk).exists()


def test_it_deletes_a_business_day_while_others_remain(admin_client):
    friday = BusinessHours.objects.get(weekday=4)
    admin_client.post(f"/admin/tickets/businesshours/{friday.pk}/delete/", {"post": "yes"})
    assert BusinessHours.objects.count() == 4


def test_it_rejects_severity_minutes_below_one(admin_client):
    critical = SeverityPolicy.objects.get(severity="critical")
    before = snapshot(SeverityPolicy)
    response = post_change(admin_client, critical, response_minutes=0)
    assert_refused(response, "The response time must be ≥ 1 minute.")
    assert snapshot(SeverityPolicy) == before


def test_it_rejects_an_escalation_level_without_owners(admin_client):
    level = EscalationMatrixLevel.objects.filter(severity="critical").first()
    before = snapshot(EscalationMatrixLevel)
    response = post_change(admin_client, level, owners="   ")
    assert_refused(response, "This field is required.")
    assert snapshot(EscalationMatrixLevel) == before


def test_it_rejects_a_second_owner_for_the_same_level(admin_client):
    before = snapshot(EscalationMatrixLevel)
    response = admin_client.post(
        "/admin/escalations/escalationmatrixlevel/add/",
        {"severity": "critical", "level": 0, "owners": "Someone"},
    )
    assert_refused(response, "already exists")
    assert snapshot(EscalationMatrixLevel) == before


def test_it_offers_every_score_weight_for_editing():
    from accounts.forms import ScoreWeightsForm

    model_fields = {f.name for f in ScoreWeights._meta.fields if not f.primary_key}
    assert set(ScoreWeightsForm.base_fields) == model_fields


def test_it_rejects_an_escalation_level_with_an_unknown_role(admin_client):
    level = EscalationMatrixLevel.objects.filter(severity="critical").first()
    before = snapshot(EscalationMatrixLevel)
    response = post_change(admin_client, level, owners="CSM + Intern")
    assert_refused(response, "“Intern” is not a role")
    assert snapshot(EscalationMatrixLevel) == before
