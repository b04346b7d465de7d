"""The report policy: seeded with the seed's targets, edited by admins only."""

from escalations.models import ReportPolicy
from tickets.models import ApiToken


def test_it_starts_with_the_seed_targets(db):
    policy = ReportPolicy.load()
    assert (policy.mttr_hours, policy.sla_compliance, policy.first_response_hours) == (24, 0.95, 1)
    assert (policy.per_100_accounts, policy.reescalation_rate, policy.csat) == (5, 0.10, 4)


def test_admins_edit_it_and_the_report_follows(client, admin_user, lead):
    client.force_login(lead)
    assert client.get("/admin/escalations/reportpolicy/1/change/").status_code in (302, 403)
    client.force_login(admin_user)
    page = client.get("/admin/escalations/reportpolicy/1/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data["mttr_hours"] = 12
    response = client.post("/admin/escalations/reportpolicy/1/change/", data)
    assert response.status_code == 302
    body = client.get(
        "/api/v1/reports/escalations?from=2026-11-01&to=2026-12-01",
        HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue('t')[1]}",
    ).json()
    assert body["targets"]["mttr_hours"] == 12
