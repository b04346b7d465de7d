from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from mozilla_django_oidc import views as oidc_views

from vipdesk.sso import provider
from vipdesk.sso.backend import REFUSAL


def sso_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.SSO_ENABLED:
            raise Http404("Single sign-on is not configured.")
        return view(request, *args, **kwargs)

    return wrapper


class AuthenticationRequest(oidc_views.OIDCAuthenticationRequestView):
    get_settings = staticmethod(provider.setting)


class AuthenticationCallback(oidc_views.OIDCAuthenticationCallbackView):
    get_settings = staticmethod(provider.setting)


authenticate = login_not_required(sso_required(AuthenticationRequest.as_view()))
callback = login_not_required(sso_required(AuthenticationCallback.as_view()))


@login_not_required
def login(request):
    """The password form, the "Sign in with …" button, or both (PASSWORD_LOGIN)."""
    password = settings.PASSWORD_LOGIN or not settings.SSO_ENABLED
    if request.method == "POST" and not password:
        raise Http404("Password login is off: sign in with single sign-on.")
    context = {
        "sso_provider": settings.OIDC_PROVIDER_NAME if settings.SSO_ENABLED else "",
        "password_login": password,
    }
    view = auth_views.LoginView.as_view(redirect_authenticated_user=True, extra_context=context)
    return view(request)


@login_not_required
@require_POST
def logout(request):
    """End the vipdesk session, and the provider's when it came from there and the
    provider supports RP-initiated logout."""
    id_token = request.session.get("oidc_id_token")
    auth.logout(request)
    if id_token and settings.SSO_ENABLED:
        end_session = provider.discovery().get("end_session_endpoint")
        if end_session:
            params = {
                "id_token_hint": id_token,
                "client_id": settings.OIDC_RP_CLIENT_ID,
                "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
            }
            return redirect(f"{end_session}?{urlencode(params)}")
    return redirect("login")


@login_not_required
@require_GET
def refused(request):
    return TemplateResponse(
        request,
        "sso/refused.html",
        {"refusal": request.session.pop(REFUSAL, None), "provider": settings.OIDC_PROVIDER_NAME},
    )
