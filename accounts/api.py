"""API routes for accounts (bearer token: the API's default auth, vipdesk/api.py)."""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from accounts.models import Account, Tier

router = Router(tags=["accounts"])


class RiskFactorOut(Schema):
    name: str
    points: float
    reason: str


class AccountOut(Schema):
    id: int
    name: str
    arr: float
    tier: int | None
    health_score: int | None
    risk_score: int
    risk_level: str
    risk_factors: list[RiskFactorOut]


@router.get("/accounts/{account_id}", response=AccountOut)
def get_account(request: HttpRequest, account_id: int):
    account = get_object_or_404(Account, pk=account_id)
    return {
        "id": account.pk,
        "name": account.name,
        "arr": float(account.arr),
        "tier": api_tier(account.tier),
        "health_score": account.health_score,
        "risk_score": account.risk_score,
        "risk_level": (account.risk_level or "low").lower(),
        "risk_factors": [risk_factor(f) for f in account.risk_factors or [] if isinstance(f, dict)],
    }


def risk_factor(factor: dict) -> dict:
    return {
        "name": str(factor.get("name") or factor.get("factor") or ""),
        "points": factor.get("points") or 0,
        "reason": str(factor.get("reason") or factor.get("explanation") or ""),
    }


def api_tier(tier: int | None) -> int | None:
    """Tier 1–3 as is; Standard (4 in the database) and unknown as null."""
    return tier if tier in (Tier.STRATEGIC, Tier.ENTERPRISE, Tier.PREMIUM) else None
