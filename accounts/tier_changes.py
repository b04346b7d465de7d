"""Changing the tier bands: preview who would move, then apply and audit.

Both work set-based, with the same SQL CASE as re-tiering (tiering.tier_expression),
so a preview over 100k accounts costs two queries."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, F, Sum

from accounts.audit import Action, diff, field_values, record
from accounts.models import Account, Tier, TierPolicy
from accounts.tiering import Band, retier_accounts, tier_expression

MOVING_LIST_CAP = 200


@dataclass(frozen=True)
class Cell:
    accounts: int
    arr: Decimal
    moves: bool


@dataclass(frozen=True)
class TierPreview:
    # One row per current tier: (label, cells by new tier, in Tier order).
    matrix: list[tuple[str, list[Cell]]]
    moving: list[dict]  # the largest movers first, at most MOVING_LIST_CAP
    moving_count: int
    moving_arr: Decimal


def preview(bands: list[Band]) -> TierPreview:
    new_tier = tier_expression(bands)
    groups = {
        (row["tier"], row["new_tier"]): row
        for row in Account.objects.annotate(new_tier=new_tier)
        .values("tier", "new_tier")
        .annotate(accounts=Count("id"), arr=Sum("arr"))
        .order_by()
    }
    matrix = []
    for old in Tier:
        cells = []
        for new in Tier:
            group = groups.get((old.value, new.value), {"accounts": 0, "arr": Decimal(0)})
            cells.append(Cell(group["accounts"], group["arr"], moves=old != new))
        matrix.append((old.label, cells))
    moved = [row for (old, new), row in groups.items() if old != new]
    moving = (
        Account.objects.annotate(new_tier=new_tier)
        .exclude(tier=F("new_tier"))
        .order_by("-arr", "name")
        .values("id", "name", "arr", "tier", "new_tier")[:MOVING_LIST_CAP]
    )
    return TierPreview(
        matrix=matrix,
        moving=[
            {**row, "tier_label": Tier(row["tier"]).label, "new_label": Tier(row["new_tier"]).label}
            for row in moving
        ],
        moving_count=sum(row["accounts"] for row in moved),
        moving_arr=sum((row["arr"] for row in moved), Decimal(0)),
    )


def apply(formset, user) -> int:
    """Save a validated TierBandFormSet, re-tier every account and audit each changed
    band, all or nothing. Returns how many accounts changed tier."""
    with transaction.atomic():
        stored = {p.pk: p for p in TierPolicy.objects.select_for_update()}
        for form in formset.forms:
            old = field_values(stored[form.instance.pk])
            policy = form.save()
            changes = diff(old, field_values(policy))
            if changes:
                record(user, policy, Action.UPDATE, changes)
        return retier_accounts(bands=formset.bands())
