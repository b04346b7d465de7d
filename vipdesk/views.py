from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.models import Account
from tickets.models import InboxDelivery, Ticket
from vipdesk.alerts.models import Alert
from vipdesk.cron import stale_jobs
from vipdesk.insight.views import home_for


@login_not_required
@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon (the admin's)."""
    return redirect(static("favicon.svg"), permanent=True)


@login_not_required
@require_GET
def healthz(request):
    """For the load balancer and monitoring: 200 while the web process and its database
    answer, with the rows the pipeline had to set aside (each with its reason, in the
    admin) and the scheduled job kinds that stopped running ("degraded")."""
    stale = sorted(beat.kind for beat in stale_jobs(timezone.now()))
    return JsonResponse(
        {
            "status": "degraded" if stale else "ok",
            "stale_jobs": stale,
            "tickets_routing_failed": Ticket.objects.routing_failed().count(),
            "inbox_failed": InboxDelivery.objects.filter(state=InboxDelivery.State.FAILED).count(),
            "accounts_scoring_failed": Account.objects.exclude(scoring_error="").count(),
            "alerts_delivery_failed": Alert.objects.exclude(delivery_error="").count(),
        }
    )


@require_GET
def home(request):
    """The user's home: the VIP dashboard for leads and admins, their own accounts (the
    at-risk board filtered to theirs) for CSMs, the VIP queue for agents."""
    return home_for(request)
