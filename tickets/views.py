"""Views. Each checks access, then calls the domain module."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect, QueryDict
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import TierPolicy
from accounts.tiering import Band, tier_for
from escalations.models import Escalation
from tickets import access, actions, pools, queues
from tickets.forms import AddMemberForm, AssignForm, AttachAccountForm, PtoEditForm, PtoForm
from tickets.models import Alert, RoutingPolicy, TicketMessage


def _warn_seconds() -> int:
    return RoutingPolicy.load().sla_warning_minutes * 60


def _querystring(values: dict) -> str:
    """The valid filters as a query string (pagination links keep them)."""
    q = QueryDict(mutable=True)
    for key, value in values.items():
        if key == "page" or value in (None, "", False):
            continue
        q[key] = getattr(value, "pk", value) if not isinstance(value, bool) else "on"
    return q.urlencode()


@require_GET
def queue(request):
    access.require_support(request)
    form = queues.QueueFilters(request.GET)
    values = form.values()
    page = queues.paginate(queues.vip_queue(values, request.user), values.get("page"))
    context = {
        "form": form,
        "page": page,
        "querystring": _querystring(values),
        "warn_seconds": _warn_seconds(),
        "now": timezone.now(),
    }
    if request.htmx:
        return TemplateResponse(request, "tickets/queue.html#rows", context)
    return TemplateResponse(request, "tickets/queue.html", context)


@require_GET
def unmatched(request):
    access.require_support(request)
    page = queues.paginate(queues.unmatched_tickets(), _page_number(request))
    q = request.GET.get("q", "")[:100]
    suggested = queues.suggested_accounts(page.rows)
    for t in page.rows:
        t.suggested_account = suggested.get(t.pk)
    context = {"page": page, "q": q, "found": queues.search_accounts(q)}
    return TemplateResponse(request, "tickets/unmatched.html", context)


def _page_number(request) -> int:
    value = request.GET.get("page", "1")
    return min(int(value), queues.MAX_PAGE) if value.isdigit() and int(value) > 0 else 1


@require_POST
def attach_account(request, ticket_id):
    access.require_support(request)
    ticket = access.get_ticket_for_user(request, ticket_id)
    form = AttachAccountForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Ticket #{ticket.pk}: {form.errors['account'][0]}")
        return redirect("unmatched")
    account = form.cleaned_data["account"]
    if actions.attach_account(ticket, account, by=request.user):
        messages.success(request, f"Ticket #{ticket.pk} attached to {account.name}; re-routing.")
    else:
        messages.warning(request, f"Ticket #{ticket.pk} is no longer in the unmatched queue.")
    return redirect("unmatched")


def _ticket_context(request, ticket, assign_form=None) -> dict:
    account = ticket.account
    context = {
        "ticket": ticket,
        "warn_seconds": _warn_seconds(),
        "can_assign": access.can_assign(request.user) and ticket.is_open,
        "can_respond": access.can_respond(request.user),
        "messages_thread": [
            (m, m.external_id.startswith(actions.HANDOFF_PREFIX))
            for m in TicketMessage.objects.filter(ticket=ticket)
        ],
        "churn_signals": [s for s in ticket.churn_signals if isinstance(s, dict)],
    }
    if context["can_assign"]:
        initial = {}
        suggested = request.GET.get("agent", "")
        if suggested.isdigit():
            initial["agent"] = int(suggested)
        context["assign_form"] = assign_form or AssignForm(ticket=ticket, initial=initial)
    if account is not None:
        bands = [Band.from_policy(p) for p in TierPolicy.objects.all()]
        context.update(
            tier_reason=tier_for(
                account.arr, account.strategic, account.executive_review, bands
            ).reason,
            top_factors=sorted(
                (f for f in account.risk_factors if isinstance(f, dict)),
                key=lambda f: -(f.get("points") or 0),
            )[:3],
            open_escalations=Escalation.objects.open().filter(account=account).count(),
            executives=list(account.contacts.filter(is_executive=True).order_by("name")[:10]),
        )
    return context


@require_GET
def ticket(request, ticket_id):
    ticket = access.get_ticket_for_user(request, ticket_id)
    return TemplateResponse(request, "tickets/ticket.html", _ticket_context(request, ticket))


@require_POST
def assign(request, ticket_id):
    ticket = access.get_ticket_for_user(request, ticket_id)
    if not access.can_assign(request.user):
        raise access.PermissionDenied
    form = AssignForm(request.POST, ticket=ticket)
    if form.is_valid():
        try:
            actions.assign_ticket(
                ticket, form.cleaned_data["agent"], by=request.user, note=form.cleaned_data["note"]
            )
        except actions.HandoffNoteRequired:
            form.add_error("note", "A warm handoff note is required: the ticket moved meanwhile.")
        else:
            messages.success(request, f"Assigned to {form.cleaned_data['agent']}.")
            return redirect("ticket", ticket_id=ticket.pk)
    context = _ticket_context(request, ticket, assign_form=form)
    return TemplateResponse(request, "tickets/ticket.html", context, status=400)


@require_POST
def first_response(request, ticket_id):
    ticket = access.get_ticket_for_user(request, ticket_id)
    if not access.can_respond(request.user):
        raise access.PermissionDenied
    if actions.record_first_response(ticket, by=request.user):
        messages.success(request, "First response recorded; the resolution clock is now shown.")
    else:
        messages.warning(request, "The first response was already recorded.")
    return redirect("ticket", ticket_id=ticket.pk)


# Pools ---------------------------------------------------------------------------


def _pools_response(request, *, pto_form=None, status=200):
    context = pools.pool_board()
    context.update(
        can_manage=access.can_manage_pools(request.user),
        pto_form=pto_form or PtoForm(),
        warn_seconds=context["policy"].sla_warning_minutes * 60,
    )
    return TemplateResponse(request, "tickets/pools.html", context, status=status)


@require_GET
def pool_list(request):
    access.require_pool_manager(request)
    return _pools_response(request)


@require_POST
def pool_add_member(request, pool_id):
    pool = access.get_pool_for_manager(request, pool_id)
    form = AddMemberForm(request.POST)
    if form.is_valid():
        pool.members.add(form.cleaned_data["agent"])
        messages.success(request, f"{form.cleaned_data['agent']} added to {pool.name}.")
    else:
        messages.error(request, "Choose an agent to add.")
    return redirect("pools")


@require_POST
def pool_remove_member(request, pool_id, agent_id):
    pool = access.get_pool_for_manager(request, pool_id)
    agent = access.get_agent_for_manager(request, agent_id)
    pool.members.remove(agent)
    messages.success(request, f"{agent} removed from {pool.name}.")
    return redirect("pools")


@require_POST
def pto_add(request):
    access.require_pool_manager(request)
    form = PtoForm(request.POST)
    if not form.is_valid():
        return _pools_response(request, pto_form=form, status=400)
    pto = form.save()
    messages.success(request, f"PTO added: {pto}.")
    return redirect("pools")


@require_http_methods(["GET", "POST"])
def pto_edit(request, pto_id):
    pto = access.get_pto_for_manager(request, pto_id)
    if request.method == "POST":
        form = PtoEditForm(request.POST, instance=pto)
        if form.is_valid():
            form.save()
            messages.success(request, f"PTO changed: {pto}.")
            return redirect("pools")
        status = 400
    else:
        form, status = PtoEditForm(instance=pto), 200
    return TemplateResponse(
        request, "tickets/pto_edit.html", {"form": form, "pto": pto}, status=status
    )


@require_POST
def pto_delete(request, pto_id):
    pto = access.get_pto_for_manager(request, pto_id)
    label = str(pto)
    pto.delete()
    messages.success(request, f"PTO deleted: {label}.")
    return redirect("pools")


# Notifications -----------------------------------------------------------------

ALERTS_PER_PAGE = 25


@require_GET
def notifications(request):
    alerts = Alert.objects.filter(user=request.user).select_related("account", "ticket")
    paginator = Paginator(alerts.order_by("-created_at", "-id"), ALERTS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    for alert in page.object_list:
        alert.safe_link = safe_local_link(alert.link)
    return TemplateResponse(request, "notifications/list.html", {"page": page})


def safe_local_link(link: str) -> str:
    """The alert's link if it is a path on this site ("/reports/vip/2026-01/"), else ""
    (never "javascript:…", "//evil.example" or an absolute URL)."""
    link = (link or "").strip()
    if link.startswith("/") and not link.startswith("//") and "\\" not in link:
        return link
    return ""


def _back_to_notifications(request) -> HttpResponseRedirect:
    url = reverse("notifications")
    page = request.POST.get("page", "")
    return redirect(f"{url}?page={page}" if page.isdigit() else url)


@require_POST
def notification_read(request, alert_id):
    alert = access.get_alert_for_user(request, alert_id)
    actions.mark_alert_read(alert)
    return _back_to_notifications(request)


@require_POST
def notification_acknowledge(request, alert_id):
    alert = access.get_alert_for_user(request, alert_id)
    actions.acknowledge_alert(alert)
    messages.success(request, f"Acknowledged: {alert.title}")
    return _back_to_notifications(request)


@require_POST
def notifications_read_all(request):
    n = actions.mark_all_read(request.user)
    messages.success(request, f"{n} alert{'s' if n != 1 else ''} marked read.")
    return redirect("notifications")
