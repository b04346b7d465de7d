"""Views. Each checks access, then calls the domain module."""

from django.contrib import messages
from django.http import QueryDict
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.models import TierPolicy
from accounts.tiering import Band, tier_for
from tickets import access, actions, queues
from tickets.forms import AbuseReportForm, AssignForm, AttachAccountForm, ResolveForm
from tickets.models import AbuseReport, RoutingPolicy, TicketMessage
from vipdesk.lib.pagination import MAX_PAGE, paginate
from vipdesk.tasks.models import Task


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
    page = paginate(queues.vip_queue(values, request.user), values.get("page"))
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
    page = paginate(queues.unmatched_tickets(), _page_number(request))
    q = request.GET.get("q", "")[:100]
    suggested = queues.suggested_accounts(page.rows)
    for t in page.rows:
        t.suggested_account = suggested.get(t.pk)
    context = {"page": page, "q": q, "found": queues.search_accounts(q)}
    return TemplateResponse(request, "tickets/unmatched.html", context)


def _page_number(request) -> int:
    value = request.GET.get("page", "1")
    return min(int(value), MAX_PAGE) if value.isdigit() and int(value) > 0 else 1


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


def _abuse_reports(contact) -> list[AbuseReport]:
    """The contact's abuse reports with their manager review (two queries)."""
    reports = list(AbuseReport.objects.filter(contact=contact).select_related("reported_by"))
    reviews = Task.objects.filter(key__in=[r.review_key for r in reports]).select_related(
        "closed_by"
    )
    by_key = {t.key: t for t in reviews}
    for r in reports:
        r.review = by_key.get(r.review_key)
    return reports


def _ticket_context(request, ticket, assign_form=None, resolve_form=None, abuse_form=None) -> dict:
    account = ticket.account
    context = {
        "ticket": ticket,
        "warn_seconds": _warn_seconds(),
        "can_assign": access.can_assign(request.user) and ticket.is_open,
        "can_respond": access.can_respond(request.user),
        "messages_thread": [(m, m.is_handoff) for m in TicketMessage.objects.filter(ticket=ticket)],
        "churn_signals": [s for s in ticket.churn_signals if isinstance(s, dict)],
    }
    if context["can_respond"] and ticket.is_open:
        context["resolve_form"] = resolve_form or ResolveForm(ticket=ticket)
    if ticket.contact_id:
        context["abuse_reports"] = _abuse_reports(ticket.contact)
        if context["can_respond"]:
            context["abuse_form"] = abuse_form or AbuseReportForm()
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
            open_escalations=account.escalations.open().count(),
            executives=list(account.contacts.filter(is_executive=True).order_by("name")[:10]),
            authorized=list(account.contacts.filter(is_authorized=True).order_by("name")[:10]),
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
def resolve(request, ticket_id):
    ticket = access.get_ticket_for_user(request, ticket_id)
    if not access.can_respond(request.user):
        raise access.PermissionDenied
    form = ResolveForm(request.POST, ticket=ticket)
    if form.is_valid():
        try:
            resolved = actions.resolve_ticket(ticket, by=request.user, **form.cleaned_data)
        except actions.ClosingRefused as refused:
            form.add_error(None, str(refused))
        else:
            if resolved:
                messages.success(request, "Resolved. Its follow-up tasks are on your work list.")
            else:
                messages.warning(request, "The ticket was already resolved.")
            return redirect("ticket", ticket_id=ticket.pk)
    context = _ticket_context(request, ticket, resolve_form=form)
    return TemplateResponse(request, "tickets/ticket.html", context, status=400)


@require_POST
def report_abuse(request, ticket_id):
    ticket = access.get_ticket_for_user(request, ticket_id)
    if not access.can_respond(request.user) or not ticket.contact_id:
        raise access.PermissionDenied
    form = AbuseReportForm(request.POST)
    if form.is_valid():
        actions.report_abuse(ticket, by=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, f"{ticket.contact.name} reported; a manager will review it.")
        return redirect("ticket", ticket_id=ticket.pk)
    context = _ticket_context(request, ticket, abuse_form=form)
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
