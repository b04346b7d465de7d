"""A ticket's tier badge and SLA countdown, the two cells every ticket list repeats.

Tags in Python rather than `{% include %}`d fragments: an include costs a template
lookup, a context push and a render per row, and the queue (25 rows), the pools
forecast (75) and the board render them in loops; as tags they cost a few string
operations each. The output is the fragments' own, character for character."""

from html import escape

from django import template
from django.template.defaultfilters import timeuntil_filter
from django.utils.dateformat import format as date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime

register = template.Library()

_BADGES = {
    1: '<span class="badge badge-platinum" title="Tier 1 Strategic">Platinum</span>',
    2: '<span class="badge badge-gold" title="Tier 2 Enterprise">Gold</span>',
    3: '<span class="badge badge-silver" title="Tier 3 Premium">Silver</span>',
}
_STANDARD = '<span class="badge badge-standard">Standard</span>'
_EXEC = (
    ' <span class="badge badge-exec" title="Executive contact: handled as Tier 1 P1">Exec</span>'
)


@register.simple_tag
def ticket_badge(tier, executive=False) -> SafeString:
    """The tier's badge, and "Exec" for an executive contact (handled as Tier 1 P1)."""
    return mark_safe(_BADGES.get(tier, _STANDARD) + (_EXEC if executive else ""))  # noqa: S308


@register.simple_tag(takes_context=True)
def countdown(context, due) -> SafeString:
    """A <time> the page's script counts down (static/js/vipdesk.js), warning
    `warn_seconds` (from the context) before `due`; "no SLA" without a due time."""
    if not due:
        return mark_safe('<span class="muted">no SLA</span>')
    local = template_localtime(due, context.use_tz)
    iso = escape(date_format(local, "c"))
    return mark_safe(  # noqa: S308  (every value escaped)
        f'<time datetime="{iso}" data-countdown="{iso}"'
        f' data-warn-seconds="{escape(str(context.get("warn_seconds", "")))}"'
        f' title="Due {escape(date_format(local, "D j M, H:i T"))}">'
        f"{escape(timeuntil_filter(due))}</time>"
    )
