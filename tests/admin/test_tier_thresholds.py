from decimal import Decimal

from django.contrib.auth.models import Group

from accounts import tier_changes
from accounts.models import Account, PolicyChange, Tier, TierPolicy
from accounts.tiering import Band
from tests.factories import make_account

URL = "/admin/accounts/tierpolicy/thresholds/"
SPEC = {1: (500_000, None, True, True), 2: (100_000, 500_000), 3: (50_000, 100_000), 4: (0, 50_000)}
LOWER = {
    1: (400_000, None, True, True),
    2: (100_000, 400_000),
    3: (40_000, 100_000),
    4: (0, 40_000),
}


def band_data(bands: dict, **extra) -> dict:
    """The thresholds formset as the browser posts it."""
    data = {
        "form-TOTAL_FORMS": "4",
        "form-INITIAL_FORMS": "4",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        **extra,
    }
    for i, policy in enumerate(TierPolicy.objects.order_by("tier")):
        low, high, *flags = bands[policy.tier]
        strategic, review = (flags + [False, False])[:2]
        data[f"form-{i}-id"] = policy.pk
        data[f"form-{i}-min_arr"] = low
        data[f"form-{i}-max_arr"] = "" if high is None else high
        if strategic:
            data[f"form-{i}-strategic_qualifies"] = "on"
        if review:
            data[f"form-{i}-executive_review_qualifies"] = "on"
    return data


def stored_bands() -> list[tuple]:
    return list(TierPolicy.objects.order_by("tier").values_list("tier", "min_arr", "max_arr"))


def tiers() -> dict[str, int]:
    return dict(Account.objects.values_list("name", "tier"))


def make_book() -> None:
    make_account("Halcyon", arr=450_000)  # Tier 2 → Tier 1 with LOWER
    make_account("Bramble", arr=45_000)  # Standard → Tier 3
    make_account("Corvid", arr=120_000)  # stays Tier 2
    make_account("Dunlin", arr=20_000)  # stays Standard


def test_it_links_the_thresholds_editor_from_the_tier_list(admin_client):
    response = admin_client.get("/admin/accounts/tierpolicy/")
    assert URL.encode() in response.content
    page = admin_client.get(URL)
    assert page.status_code == 200
    assert len(page.context["formset"].forms) == 4


def test_it_rejects_overlapping_tier_bands(admin_client):
    make_book()
    before, tiers_before = stored_bands(), tiers()
    overlapping = {**SPEC, 2: (100_000, 600_000)}
    response = admin_client.post(URL, band_data(overlapping))
    assert response.status_code == 200
    assert "preview" not in response.context
    assert (
        "Tier 2 Enterprise and Tier 1 Strategic overlap: Tier 2 Enterprise ends at $600,000 "
        "but Tier 1 Strategic starts at $500,000."
    ) in response.content.decode()
    assert (stored_bands(), tiers()) == (before, tiers_before)
    assert not PolicyChange.objects.exists()


def test_it_rejects_a_gap_between_tier_bands(admin_client):
    before = stored_bands()
    response = admin_client.post(URL, band_data({**SPEC, 3: (60_000, 100_000)}))
    assert "Gap between Standard and Tier 3 Premium: ARR from $50,000 to $60,000" in (
        response.content.decode()
    )
    assert stored_bands() == before


def test_it_rejects_bands_not_starting_at_zero_or_capped_at_the_top(admin_client):
    before = stored_bands()
    response = admin_client.post(URL, band_data({**SPEC, 4: (1, 50_000), 1: (500_000, 900_000)}))
    content = response.content.decode()
    assert "the lowest band (Standard) must start at $0" in content
    assert "the top band (Tier 1 Strategic) must have no maximum" in content
    assert stored_bands() == before


def test_it_rejects_a_negative_minimum(admin_client):
    before = stored_bands()
    response = admin_client.post(URL, band_data({**SPEC, 4: (-5, 50_000)}))
    assert "greater than or equal to 0" in response.content.decode()
    assert stored_bands() == before


def test_it_previews_who_moves_and_changes_nothing(admin_client):
    make_book()
    before, tiers_before = stored_bands(), tiers()
    response = admin_client.post(URL, band_data(LOWER))
    assert response.status_code == 200
    preview = response.context["preview"]
    assert (preview.moving_count, preview.moving_arr) == (2, Decimal(495_000))
    assert [(a["name"], a["tier"], a["new_tier"]) for a in preview.moving] == [
        ("Halcyon", Tier.ENTERPRISE, Tier.STRATEGIC),
        ("Bramble", Tier.STANDARD, Tier.PREMIUM),
    ]
    content = response.content.decode()
    assert "2 accounts</strong>" in content and "$495,000" in content
    assert "Nothing has changed yet." in content
    assert (stored_bands(), tiers()) == (before, tiers_before)
    assert not PolicyChange.objects.exists()


def test_it_builds_the_from_to_matrix(db):
    make_book()
    preview = tier_changes.preview(
        [Band(t, Decimal(lo), hi and Decimal(hi)) for t, (lo, hi, *_) in LOWER.items()]
    )
    cells = {
        (row, column): (cell.accounts, cell.arr)
        for row, (_, row_cells) in enumerate(preview.matrix, start=1)
        for column, cell in enumerate(row_cells, start=1)
        if cell.accounts
    }
    assert cells == {
        (2, 1): (1, Decimal(450_000)),
        (2, 2): (1, Decimal(120_000)),
        (4, 3): (1, Decimal(45_000)),
        (4, 4): (1, Decimal(20_000)),
    }


def test_it_previews_with_a_fixed_number_of_queries(db, django_assert_num_queries):
    for i in range(30):
        make_account(f"Bulk {i}", arr=30_000 + i * 1_000)
    bands = [Band(t, Decimal(lo), hi and Decimal(hi)) for t, (lo, hi, *_) in LOWER.items()]
    with django_assert_num_queries(2):
        preview = tier_changes.preview(bands)
    assert preview.moving_count == 10  # 40k–49k move from Standard to Tier 3


def test_it_caps_the_list_of_moving_accounts(admin_client, monkeypatch):
    monkeypatch.setattr(tier_changes, "MOVING_LIST_CAP", 2)
    for arr in (41_000, 42_000, 43_000):
        make_account(arr=arr)
    response = admin_client.post(URL, band_data(LOWER))
    preview = response.context["preview"]
    assert preview.moving_count == 3
    assert [a["arr"] for a in preview.moving] == [Decimal(43_000), Decimal(42_000)]
    assert "(the 2 largest of 3)" in response.content.decode()


def test_it_previews_dropping_the_strategic_flag(admin_client):
    make_account("Keystone", arr=20_000, strategic=True)
    assert tiers()["Keystone"] == Tier.STRATEGIC
    response = admin_client.post(URL, band_data({**SPEC, 1: (500_000, None, False, True)}))
    moving = response.context["preview"].moving
    assert [(a["name"], a["new_tier"]) for a in moving] == [("Keystone", Tier.STANDARD)]


def test_it_applies_confirmed_bands_retiers_and_audits(admin_client, admin_user):
    make_book()
    response = admin_client.post(URL, band_data(LOWER, confirm="1"))
    assert response.status_code == 302
    assert stored_bands() == [
        (1, Decimal(400_000), None),
        (2, Decimal(100_000), Decimal(400_000)),
        (3, Decimal(40_000), Decimal(100_000)),
        (4, Decimal(0), Decimal(40_000)),
    ]
    assert tiers() == {"Halcyon": 1, "Bramble": 3, "Corvid": 2, "Dunlin": 4}
    changes = {c.object_repr: c.changes for c in PolicyChange.objects.all()}
    assert changes == {
        "Tier 1 Strategic": {"min_arr": ["500000.00", "400000"]},
        "Tier 2 Enterprise": {"max_arr": ["500000.00", "400000"]},
        "Tier 3 Premium": {"min_arr": ["50000.00", "40000"]},
        "Standard": {"max_arr": ["50000.00", "40000"]},
    }
    assert set(PolicyChange.objects.values_list("user", "action", "model")) == {
        (admin_user.pk, "update", "accounts.TierPolicy")
    }
    followed = admin_client.get(response.url)
    assert "Tier thresholds saved; 2 account(s) changed tier." in followed.content.decode()


def test_it_revalidates_on_confirm(admin_client):
    make_book()
    before, tiers_before = stored_bands(), tiers()
    # Hidden fields tampered with between preview and confirm.
    response = admin_client.post(URL, band_data({**LOWER, 2: (90_000, 400_000)}, confirm="1"))
    assert response.status_code == 200
    assert "overlap" in response.content.decode()
    assert (stored_bands(), tiers()) == (before, tiers_before)
    assert not PolicyChange.objects.exists()


def test_it_refuses_a_partial_set_of_bands(admin_client):
    before = stored_bands()
    data = band_data(SPEC, confirm="1")
    data["form-TOTAL_FORMS"] = data["form-INITIAL_FORMS"] = "3"
    response = admin_client.post(URL, data)
    assert "Submit every tier&#x27;s band together" in response.content.decode()
    assert stored_bands() == before


def test_it_refuses_extra_bands(admin_client):
    before = stored_bands()
    data = band_data(SPEC, confirm="1")
    data.update({"form-TOTAL_FORMS": "5", "form-4-min_arr": "7"})
    response = admin_client.post(URL, data)
    assert "Please submit at most 4 forms." in response.content.decode()
    assert stored_bands() == before
    assert TierPolicy.objects.count() == 4


def test_it_refuses_a_tampered_band_id(admin_client):
    before = stored_bands()
    data = band_data(SPEC, confirm="1")
    data["form-0-id"] = "999999"
    response = admin_client.post(URL, data)
    assert response.status_code == 200
    assert "Please correct the errors below." in response.content.decode()
    assert stored_bands() == before


def test_it_goes_back_to_editing_with_the_proposed_values(admin_client):
    response = admin_client.post(URL, band_data(LOWER, edit="1"))
    assert "preview" not in response.context
    assert 'value="400000"' in response.content.decode()
    assert stored_bands()[0][1] == Decimal(500_000)


def test_it_carries_the_proposal_in_the_confirm_form(admin_client):
    response = admin_client.post(URL, band_data(LOWER))
    content = response.content.decode()
    assert 'type="hidden" name="form-0-min_arr" value="400000"' in content
    assert 'name="confirm"' in content


def test_it_does_not_add_or_delete_tiers(admin_client):
    policy = TierPolicy.objects.get(tier=1)
    assert admin_client.get("/admin/accounts/tierpolicy/add/").status_code == 403
    response = admin_client.post(f"/admin/accounts/tierpolicy/{policy.pk}/delete/", {"post": "y"})
    assert response.status_code == 403
    assert TierPolicy.objects.count() == 4


def test_it_edits_a_tiers_escalation_but_not_its_band_alone(admin_client):
    policy = TierPolicy.objects.get(tier=2)
    url = f"/admin/accounts/tierpolicy/{policy.pk}/change/"
    data = {"escalate_to": "Nobody", "escalate_within_minutes": 20, "description": "x"}
    assert "No group is named" in admin_client.post(url, data).content.decode()
    Group.objects.create(name="Head of Support")
    response = admin_client.post(
        url,
        {
            "escalate_to": "Head of Support",
            "escalate_within_minutes": 20,
            "description": policy.description,
            "min_arr": 1,
        },
    )
    assert response.status_code == 302
    policy.refresh_from_db()
    assert (policy.escalate_to, policy.min_arr) == ("Head of Support", Decimal(100_000))
    assert PolicyChange.objects.get().changes == {
        "escalate_to": ["Support manager", "Head of Support"],
        "escalate_within_minutes": [30, 20],
    }


def test_it_keeps_the_thresholds_editor_from_non_admins(client, csm):
    before = stored_bands()
    client.force_login(csm)
    assert client.post(URL, band_data(LOWER, confirm="1")).url.startswith("/admin/login/")
    csm.is_staff = True
    csm.save()
    assert client.post(URL, band_data(LOWER, confirm="1")).status_code == 403
    assert stored_bands() == before
