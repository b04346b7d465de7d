"""Which tier an account belongs to, and whether a set of tier bands is valid.

Bands are half-open [min_arr, max_arr): a band's minimum belongs to it. The
strategic and executive-review flags lift an account into every tier whose policy
says so (the highest such tier wins)."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, Q, Value, When

from accounts.models import Account, Tier, TierPolicy


@dataclass(frozen=True)
class Band:
    tier: int
    min_arr: Decimal
    max_arr: Decimal | None
    strategic_qualifies: bool = False
    executive_review_qualifies: bool = False

    @classmethod
    def from_policy(cls, policy) -> "Band":
        return cls(
            tier=policy.tier,
            min_arr=Decimal(policy.min_arr),
            max_arr=None if policy.max_arr is None else Decimal(policy.max_arr),
            strategic_qualifies=policy.strategic_qualifies,
            executive_review_qualifies=policy.executive_review_qualifies,
        )


@dataclass(frozen=True)
class TierDecision:
    tier: int
    reason: str


def _money(value: Decimal) -> str:
    return f"${value:,.0f}"


def tier_for(
    arr: Decimal, strategic: bool, executive_review: bool, bands: list[Band]
) -> TierDecision:
    arr = Decimal(arr)
    for band in sorted(bands, key=lambda b: b.tier):
        label = Tier(band.tier).label
        if band.strategic_qualifies and strategic:
            return TierDecision(band.tier, f"{label} — strategic partner")
        if band.executive_review_qualifies and executive_review:
            return TierDecision(band.tier, f"{label} — named in executive review")
        if arr >= band.min_arr and (band.max_arr is None or arr < band.max_arr):
            return TierDecision(band.tier, f"{label} — ARR {_money(arr)}")
    return TierDecision(Tier.STANDARD, f"Standard — ARR {_money(arr)}")


def band_errors(bands: list[Band]) -> list[str]:
    """Why these bands do not tile [0, ∞) exactly once; empty when they do."""
    errors = []
    ordered = sorted(bands, key=lambda b: b.min_arr)
    if not ordered:
        return ["At least one tier band is needed."]
    for band in ordered:
        if band.max_arr is not None and band.max_arr <= band.min_arr:
            errors.append(
                f"{Tier(band.tier).label}: the maximum ({_money(band.max_arr)}) must be above "
                f"the minimum ({_money(band.min_arr)})."
            )
    if ordered[0].min_arr != 0:
        errors.append(
            f"ARR from $0 to {_money(ordered[0].min_arr)} belongs to no tier: the lowest band "
            f"({Tier(ordered[0].tier).label}) must start at $0."
        )
    for low, high in zip(ordered, ordered[1:], strict=False):
        low_label, high_label = Tier(low.tier).label, Tier(high.tier).label
        if low.max_arr is None or low.max_arr > high.min_arr:
            errors.append(
                f"{low_label} and {high_label} overlap: {low_label} ends at "
                f"{'no limit' if low.max_arr is None else _money(low.max_arr)} but {high_label} "
                f"starts at {_money(high.min_arr)}."
            )
        elif low.max_arr < high.min_arr:
            errors.append(
                f"Gap between {low_label} and {high_label}: ARR from {_money(low.max_arr)} to "
                f"{_money(high.min_arr)} belongs to no tier."
            )
    if ordered[-1].max_arr is not None:
        errors.append(
            f"ARR of {_money(ordered[-1].max_arr)} and above belongs to no tier: the top band "
            f"({Tier(ordered[-1].tier).label}) must have no maximum."
        )
    return errors


def tier_expression(bands: list[Band]) -> Case:
    """The same rule as tier_for(), as one SQL CASE, for set-based re-tiering."""
    whens = []
    for band in sorted(bands, key=lambda b: b.tier):
        condition = Q(arr__gte=band.min_arr)
        if band.max_arr is not None:
            condition &= Q(arr__lt=band.max_arr)
        if band.strategic_qualifies:
            condition |= Q(strategic=True)
        if band.executive_review_qualifies:
            condition |= Q(executive_review=True)
        whens.append(When(condition, then=Value(band.tier)))
    return Case(*whens, default=Value(int(Tier.STANDARD)))


def current_bands() -> list[Band]:
    return [Band.from_policy(p) for p in TierPolicy.objects.all()]


def retier_accounts(queryset=None, bands: list[Band] | None = None) -> int:
    """Recompute every account's tier in one UPDATE; returns the rows changed."""
    expression = tier_expression(bands if bands is not None else current_bands())
    queryset = Account.objects.all() if queryset is None else queryset
    return queryset.exclude(tier=expression).update(tier=expression)
