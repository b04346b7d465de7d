from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from vipdesk.insight.views import home_for


@login_not_required
@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon (the admin's)."""
    return redirect(static("favicon.svg"), permanent=True)


@login_not_required
@require_GET
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def home(request):
    """The user's home: the VIP dashboard for leads and admins, their own accounts (the
    at-risk board filtered to theirs) for CSMs, the VIP queue for agents."""
    return home_for(request)
