from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from vipdesk.roles import Role, has_role


@login_not_required
@require_GET
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


def home(request):
    """The user's home: their accounts for CSMs, the VIP queue for agents, else the
    VIP dashboard (issue 5 replaces the fallbacks with the dashboard)."""
    if has_role(request.user, Role.CSM) and not has_role(request.user, Role.LEAD, Role.ADMIN):
        return redirect("/accounts/at-risk/?mine=1")
    return redirect("/queue/")
