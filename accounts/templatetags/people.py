from decimal import Decimal, InvalidOperation

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def person(user, empty: str = "—") -> str:
    """A user's full name, else username; `empty` when there is no user."""
    if user is None:
        return empty
    return user.get_full_name() or user.username


_BADGES = {
    1: ("platinum", "Platinum", "Tier 1 Strategic"),
    2: ("gold", "Gold", "Tier 2 Enterprise"),
    3: ("silver", "Silver", "Tier 3 Premium"),
}


@register.filter
def tier_badge(tier) -> str:
    """The tier's badge as HTML (a filter rather than an include: it renders in a loop)."""
    css, label, title = _BADGES.get(tier, ("standard", "Standard", "Standard"))
    return format_html('<span class="badge badge-{}" title="{}">{}</span>', css, title, label)


@register.filter
def money(value) -> str:
    """Whole dollars with thousands separators: 620000 → $620,000."""
    if value is None or value == "":
        return "—"
    try:
        return f"${Decimal(value):,.0f}"
    except (InvalidOperation, ValueError, TypeError):
        return "—"
