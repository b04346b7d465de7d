"""/notifications/: the user's alerts, newest first; mark read, acknowledge."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from vipdesk.alerts import actions
from vipdesk.alerts.models import Alert


def get_alert_for_user(request, alert_id) -> Alert:
    alert = Alert.objects.filter(pk=alert_id, user=request.user).first()
    if alert is None:
        raise Http404
    return alert


ALERTS_PER_PAGE = 25


@require_GET
def notifications(request):
    alerts = Alert.objects.filter(user=request.user).select_related("account", "ticket")
    paginator = Paginator(alerts.order_by("-created_at", "-id"), ALERTS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    now = timezone.now()
    for alert in page.object_list:
        alert.safe_link = safe_local_link(alert.link)
        alert.is_overdue = alert.overdue(now)
    return TemplateResponse(request, "alerts/notifications.html", {"page": page})


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
    alert = get_alert_for_user(request, alert_id)
    actions.mark_alert_read(alert)
    return _back_to_notifications(request)


@require_POST
def notification_acknowledge(request, alert_id):
    alert = get_alert_for_user(request, alert_id)
    actions.acknowledge_alert(alert)
    messages.success(request, f"Acknowledged: {alert.title}")
    return _back_to_notifications(request)


@require_POST
def notifications_read_all(request):
    n = actions.mark_all_read(request.user)
    messages.success(request, f"{n} alert{'s' if n != 1 else ''} marked read.")
    return redirect("notifications")
