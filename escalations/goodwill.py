"""Goodwill approvals as pure rules: who must approve an offer (by kind and amount, from
the admin table), who may decide it, and what may happen to it next. No database."""

from decimal import Decimal

from escalations.models import Goodwill, GoodwillApprovalRule, GoodwillKind, MatrixRole

# A role may approve what a role below it may: the order of seniority for approvals.
SENIORITY = [MatrixRole.CS_MANAGER, MatrixRole.VP_CS, MatrixRole.CRO]
G = Goodwill.Status


def approver_for(
    kind: str, amount: Decimal | None, rules: list[GoodwillApprovalRule]
) -> str | None:
    """The role that must approve: the rule of this kind with the smallest limit that
    covers the amount (a rule without a limit covers any). None: no rule covers it."""
    covering = [
        r
        for r in rules
        if r.kind == kind and (r.max_amount is None or (amount or 0) <= r.max_amount)
    ]
    covering.sort(key=lambda r: (r.max_amount is None, r.max_amount or 0))
    return covering[0].approver if covering else None


def value_refusal(kind: str, amount, months, duration: str) -> str:
    """Why the offer's value is incomplete ("" if it is fine)."""
    if kind == GoodwillKind.CREDIT and (amount is None or amount <= 0):
        return "A service credit needs an amount above $0."
    if kind == GoodwillKind.EXTENSION and not months:
        return "A contract extension needs a number of months."
    if kind == GoodwillKind.PREMIUM_SUPPORT and not duration.strip():
        return "Premium support needs a duration."
    return ""


def may_approve(user_roles: set[str], required: str) -> bool:
    """Holding the required role, or one more senior, is enough."""
    if required not in SENIORITY:
        return required in user_roles
    return any(r in user_roles for r in SENIORITY[SENIORITY.index(required) :])


def decision_refusal(goodwill: Goodwill, user_roles: set[str], decision: str) -> str:
    """Why this user cannot approve/reject the offer now ("" if they can)."""
    if goodwill.status != G.REQUESTED:
        return f"This offer is already {goodwill.get_status_display().lower()}."
    if not may_approve(user_roles, goodwill.approver_role):
        label = MatrixRole(goodwill.approver_role).label
        return f"Only the {label} (or someone more senior) may {decision} this offer."
    return ""


def offer_refusal(goodwill: Goodwill) -> str:
    """Why the offer cannot be marked offered ("" if it can)."""
    if goodwill.status == G.OFFERED:
        return "This offer was already made."
    if goodwill.status != G.APPROVED:
        label = MatrixRole(goodwill.approver_role).label
        return f"It cannot be offered before the {label} approves it."
    return ""
