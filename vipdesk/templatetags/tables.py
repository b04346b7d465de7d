from decimal import Decimal

from django import template

from vipdesk.lib.csv_export import safe_cell

register = template.Library()


@register.filter
def cell(value):
    """A table cell as the CSV writes it (so page and CSV read the same), — for none."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        return value
    return safe_cell(value)


@register.filter
def is_number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)
