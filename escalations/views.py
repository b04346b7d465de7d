"""Escalation pages: the list, the detail page and "Acknowledge".

Each view checks access (escalations/access.py), then calls the domain modules."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from escalations import access, listing
from escalations.models import Escalation
from vipdesk.lib.pagination import paginate

WARN_SECONDS = int(listing.sla.WARNING_WINDOW.total_seconds())


@require_GET
def escalation_list(request):
    access.require_viewer(request)
    now = timezone.now()
    form = listing.EscalationFilters(request.GET)
    values = form.values()
    policies = listing.load_policies()
    page = paginate(
        listing.escalation_queryset(values, request.user, policies, now), values.get("page")
    )
    matrix = listing.load_matrix()
    for e in page.rows:
        listing.annotate_sla(e, policies, now)
        e.level_owners = matrix.get((e.severity, e.level), "")
    context = {
        "form": form,
        "page": page,
        "querystring": listing.querystring(values),
        "warn_seconds": WARN_SECONDS,
    }
    return TemplateResponse(request, "escalations/list.html", context)


def _detail_queryset():
    return Escalation.objects.select_related("account", "account__csm", "owner")


@require_GET
def escalation_detail(request, pk):
    escalation = access.get_escalation_for_user(request, pk, queryset=_detail_queryset())
    now = timezone.now()
    listing.annotate_sla(escalation, listing.load_policies(), now)
    path = sorted(listing.load_matrix(escalation.severity).items())
    context = {
        "e": escalation,
        "account": escalation.account,
        "path": [(level, owners) for (_, level), owners in path],
        "tickets": list(escalation.tickets.order_by("created_at", "id")),
        "can_acknowledge": access.can_acknowledge(request.user, escalation),
        "warn_seconds": WARN_SECONDS,
    }
    return TemplateResponse(request, "escalations/detail.html", context)


def acknowledge(escalation: Escalation, now) -> bool:
    """Acknowledge an open escalation once: a conditional UPDATE, so of two people
    clicking at the same moment only one records the time. False if it already was
    acknowledged (or is closed)."""
    updated = Escalation.objects.filter(
        pk=escalation.pk, acknowledged_at__isnull=True, status=Escalation.Status.OPEN
    ).update(acknowledged_at=now, status=Escalation.Status.ACKNOWLEDGED)
    return updated == 1


@require_POST
def escalation_acknowledge(request, pk):
    escalation = access.get_escalation_for_user(request, pk)
    if not access.can_acknowledge(request.user, escalation):
        raise PermissionDenied
    code = f"ESC-{escalation.pk:04d}"
    if acknowledge(escalation, timezone.now()):
        messages.success(request, f"{code} acknowledged.")
    else:
        messages.warning(request, f"{code} was already acknowledged or is closed.")
    return redirect("escalation_detail", pk=escalation.pk)
