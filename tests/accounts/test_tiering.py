from decimal import Decimal

import pytest

from accounts.models import Account, Tier
from accounts.tiering import Band, band_errors, current_bands, retier_accounts, tier_for
from tests.factories import make_account

SPEC_BANDS = [
    Band(1, Decimal(500_000), None, strategic_qualifies=True, executive_review_qualifies=True),
    Band(2, Decimal(100_000), Decimal(500_000)),
    Band(3, Decimal(50_000), Decimal(100_000)),
    Band(4, Decimal(0), Decimal(50_000)),
]


@pytest.mark.parametrize(
    ("arr", "tier"),
    [
        (0, Tier.STANDARD),
        (49_999.99, Tier.STANDARD),
        (50_000, Tier.PREMIUM),  # a band's minimum belongs to it
        (99_999, Tier.PREMIUM),
        (100_000, Tier.ENTERPRISE),
        (380_000, Tier.ENTERPRISE),
        (500_000, Tier.STRATEGIC),
        (5_000_000, Tier.STRATEGIC),
    ],
)
def test_it_places_arr_in_half_open_bands(arr, tier):
    assert tier_for(Decimal(arr), False, False, SPEC_BANDS).tier == tier


def test_it_explains_the_tier_with_the_arr():
    decision = tier_for(Decimal(380_000), False, False, SPEC_BANDS)
    assert decision.reason == "Tier 2 Enterprise — ARR $380,000"


def test_it_lifts_strategic_partners_and_executive_review_accounts_to_tier_1():
    assert tier_for(Decimal(10_000), True, False, SPEC_BANDS).reason == (
        "Tier 1 Strategic — strategic partner"
    )
    assert tier_for(Decimal(10_000), False, True, SPEC_BANDS).tier == Tier.STRATEGIC


def test_it_accepts_the_spec_bands():
    assert band_errors(SPEC_BANDS) == []


def test_it_reports_overlapping_bands():
    bands = [*SPEC_BANDS[:2], Band(3, Decimal(50_000), Decimal(120_000)), SPEC_BANDS[3]]
    assert band_errors(bands) == [
        "Tier 3 Premium and Tier 2 Enterprise overlap: Tier 3 Premium ends at $120,000 but "
        "Tier 2 Enterprise starts at $100,000."
    ]


def test_it_reports_gaps_between_bands():
    bands = [*SPEC_BANDS[:2], Band(3, Decimal(50_000), Decimal(90_000)), SPEC_BANDS[3]]
    assert band_errors(bands) == [
        "Gap between Tier 3 Premium and Tier 2 Enterprise: ARR from $90,000 to $100,000 "
        "belongs to no tier."
    ]


def test_it_requires_the_lowest_band_to_start_at_zero_and_the_top_to_be_open():
    bands = [
        Band(1, Decimal(500_000), Decimal(900_000)),
        *SPEC_BANDS[1:3],
        Band(4, Decimal(10), Decimal(50_000)),
    ]
    errors = band_errors(bands)
    assert any("must start at $0" in e for e in errors)
    assert any("must have no maximum" in e for e in errors)


def test_it_retiers_every_account_in_one_update(db, django_assert_num_queries):
    small = make_account(arr=20_000)
    big = make_account(arr=380_000)
    assert (small.tier, big.tier) == (Tier.STANDARD, Tier.ENTERPRISE)
    Account.objects.filter(pk=small.pk).update(arr=Decimal(600_000))
    bands = current_bands()
    with django_assert_num_queries(1):
        changed = retier_accounts(bands=bands)
    assert changed == 1
    small.refresh_from_db()
    assert small.tier == Tier.STRATEGIC
