"""The pools page's member rows, built in Python the way Django's admin builds its
change-list rows: a template row cost ~0.1 ms per member, a third of the page's time
with 365 members (it grows with agents, not tickets).

The rows are plain f-strings over `html.escape` (what django.utils.html.escape calls)
rather than `format_html`: each `format_html` argument goes through
`conditional_escape` and the lazy-string check of `keep_lazy`, about 13,000 calls per
page that were most of its Python time. Every text that is not ours (names, notes,
the CSRF token) goes through `esc`; numbers and our own markup need not."""

from html import escape

from django import template
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.safestring import SafeString, mark_safe

from tickets.staffing.pools import MemberLoad

register = template.Library()

MUTED_DASH = '<span class="muted">—</span>'


def esc(value) -> str:
    return escape(str(value))


def _availability(m: MemberLoad) -> str:
    if m.on_pto_today:
        ends = date_format(m.on_pto_today.ends, "j M")
        return f'<span class="avail avail-pto">On PTO until {esc(ends)}</span>'
    if not m.agent.on_shift:
        return '<span class="avail avail-off">Off shift</span>'
    return '<span class="avail avail-on">On shift</span>'


def _pto(m: MemberLoad, can_manage: bool, csrf_token: str) -> str:
    if not m.pto:
        return MUTED_DASH
    rows = []
    for p in m.pto:
        span = esc(f"{date_format(p.starts, 'j M')}–{date_format(p.ends, 'j M')}")
        note = f' <span class="muted">{esc(p.note)}</span>' if p.note else ""
        actions = ""
        if can_manage:
            name = esc(m.name)
            actions = (
                f'\n<a href="{esc(reverse("pto-edit", args=[p.pk]))}"'
                f' aria-label="Edit PTO {span} of {name}">edit</a>\n'
                f'<form method="post" action="{esc(reverse("pto-delete", args=[p.pk]))}"'
                ' class="inline">'
                f'<input type="hidden" name="csrfmiddlewaretoken" value="{esc(csrf_token)}">'
                '<button type="submit" class="link-button" data-confirm="Delete this PTO period?"'
                f' aria-label="Delete PTO {span} of {name}">delete</button></form>'
            )
        rows.append(f'<div class="pto">{span}{note}{actions}</div>')
    return "".join(rows)


def _vip_share(m: MemberLoad) -> str:
    if m.vip_share_pct is None:
        share = MUTED_DASH
    elif m.burnout_risk:
        share = (
            f'<span class="burnout">{m.vip_share_pct}%</span> <span class="badge badge-burnout"'
            f' title="Above the {m.cap_pct}% VIP share cap">Burnout risk</span>'
        )
    else:
        share = f"<span>{m.vip_share_pct}%</span>"
    if m.agent.vip_share_cap_pct:
        share += f'<div class="muted small">cap {m.cap_pct}%</div>'
    return share


@register.simple_tag(takes_context=True)
def member_rows(context, members: list[MemberLoad], pool, can_manage: bool) -> SafeString:
    """One <tr> per member: name, level, tenure, availability, PTO, VIP this month,
    open load, VIP share (burnout), Tier-1 waits, cold transfers, and Remove for
    managers (a button of the pool's hidden form, which holds the CSRF token)."""
    csrf_token = str(context.get("csrf_token", ""))
    pool_name = esc(pool.name)
    rows = []
    for m in members:
        name = esc(m.name)
        slow = (
            f'<span class="{"sla-breached" if m.tier1_slow_acks else ""}">'
            f'{m.tier1_slow_acks}</span> <span class="muted">of {m.tier1_this_month}</span>'
            if m.tier1_this_month
            else MUTED_DASH
        )
        cold = f'<span class="sla-breached">{m.cold_transfers}</span>' if m.cold_transfers else "0"
        remove = (
            f'<td><button type="submit" form="remove-{pool.pk}"'
            f' formaction="/pools/{pool.pk}/members/{m.agent.pk}/remove/"'
            f' class="link-button" data-confirm="Remove {name} from {pool_name}?"'
            f' aria-label="Remove {name} from {pool_name}">Remove</button></td>'
            if can_manage
            else ""
        )
        rows.append(
            f'<tr data-agent="{m.agent.pk}"><td>{name}</td><td>{esc(m.level_label)}</td>'
            f"<td>{m.tenure_months} mo</td><td>{_availability(m)}</td>"
            f"<td>{_pto(m, can_manage, csrf_token)}</td>"
            f'<td class="num">{m.vip_this_month}</td>'
            f'<td class="num">{m.open_total} <span class="muted">/ {m.agent.capacity}</span></td>'
            f'<td class="num">{_vip_share(m)}</td>'
            f'<td class="num" data-testid="slow-acks">{slow}</td>'
            f'<td class="num" data-testid="cold-transfers">{cold}</td>{remove}</tr>'
        )
    return mark_safe("\n".join(rows))  # noqa: S308  (every outside text through esc)
