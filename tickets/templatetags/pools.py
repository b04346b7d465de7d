"""The pools page's member rows, built in Python the way Django's admin builds its
change-list rows: a template row cost ~0.1 ms per member, a third of the page's time
with 365 members (it grows with agents, not tickets)."""

from django import template
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from tickets.staffing.pools import MemberLoad

register = template.Library()

MUTED_DASH = mark_safe('<span class="muted">—</span>')


def _availability(m: MemberLoad) -> SafeString:
    if m.on_pto_today:
        ends = date_format(m.on_pto_today.ends, "j M")
        return format_html('<span class="avail avail-pto">On PTO until {}</span>', ends)
    if not m.agent.on_shift:
        return mark_safe('<span class="avail avail-off">Off shift</span>')
    return mark_safe('<span class="avail avail-on">On shift</span>')


def _pto(m: MemberLoad, can_manage: bool, csrf_token: str) -> SafeString:
    if not m.pto:
        return MUTED_DASH
    rows = []
    for p in m.pto:
        span = f"{date_format(p.starts, 'j M')}–{date_format(p.ends, 'j M')}"
        note = format_html(' <span class="muted">{}</span>', p.note) if p.note else ""
        actions = ""
        if can_manage:
            actions = format_html(
                '\n<a href="{}" aria-label="Edit PTO {} of {}">edit</a>\n'
                '<form method="post" action="{}" class="inline">'
                '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
                '<button type="submit" class="link-button" data-confirm="Delete this PTO period?"'
                ' aria-label="Delete PTO {} of {}">delete</button></form>',
                reverse("pto-edit", args=[p.pk]),
                span,
                m.name,
                reverse("pto-delete", args=[p.pk]),
                csrf_token,
                span,
                m.name,
            )
        rows.append(format_html('<div class="pto">{}{}{}</div>', span, note, actions))
    return format_html_join("", "{}", ((row,) for row in rows))


def _vip_share(m: MemberLoad) -> SafeString:
    if m.vip_share_pct is None:
        share = MUTED_DASH
    elif m.burnout_risk:
        share = format_html(
            '<span class="burnout">{}%</span> <span class="badge badge-burnout"'
            ' title="Above the {}% VIP share cap">Burnout risk</span>',
            m.vip_share_pct,
            m.cap_pct,
        )
    else:
        share = format_html("<span>{}%</span>", m.vip_share_pct)
    if m.agent.vip_share_cap_pct:
        share += format_html('<div class="muted small">cap {}%</div>', m.cap_pct)
    return share


@register.simple_tag(takes_context=True)
def member_rows(context, members: list[MemberLoad], pool, can_manage: bool) -> SafeString:
    """One <tr> per member: name, level, tenure, availability, PTO, VIP this month,
    open load, VIP share (burnout), Tier-1 waits, cold transfers, and Remove for
    managers (a button of the pool's hidden form, which holds the CSRF token)."""
    csrf_token = str(context.get("csrf_token", ""))
    rows = []
    for m in members:
        slow = (
            format_html(
                '<span class="{}">{}</span> <span class="muted">of {}</span>',
                "sla-breached" if m.tier1_slow_acks else "",
                m.tier1_slow_acks,
                m.tier1_this_month,
            )
            if m.tier1_this_month
            else MUTED_DASH
        )
        cold = (
            format_html('<span class="sla-breached">{}</span>', m.cold_transfers)
            if m.cold_transfers
            else "0"
        )
        remove = (
            format_html(
                '<td><button type="submit" form="remove-{}"'
                ' formaction="/pools/{}/members/{}/remove/"'
                ' class="link-button" data-confirm="Remove {} from {}?"'
                ' aria-label="Remove {} from {}">Remove</button></td>',
                pool.pk,
                pool.pk,
                m.agent.pk,
                m.name,
                pool.name,
                m.name,
                pool.name,
            )
            if can_manage
            else ""
        )
        rows.append(
            (
                m.agent.pk,
                m.name,
                m.level_label,
                m.tenure_months,
                _availability(m),
                _pto(m, can_manage, csrf_token),
                m.vip_this_month,
                m.open_total,
                m.agent.capacity,
                _vip_share(m),
                slow,
                cold,
                remove,
            )
        )
    return format_html_join(
        "\n",
        '<tr data-agent="{}"><td>{}</td><td>{}</td><td>{} mo</td><td>{}</td><td>{}</td>'
        '<td class="num">{}</td><td class="num">{} <span class="muted">/ {}</span></td>'
        '<td class="num">{}</td><td class="num" data-testid="slow-acks">{}</td>'
        '<td class="num" data-testid="cold-transfers">{}</td>{}</tr>',
        rows,
    )
