from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import JsonResponse
from django.utils.cache import patch_vary_headers


class LoginRequiredExceptApiMiddleware(LoginRequiredMiddleware):
    """Every page needs a login; the machine API authenticates itself (bearer
    tokens, webhook signatures) and must answer 401 rather than redirect."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith("/api/") or request.path == "/healthz":
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class ApiJsonErrorsMiddleware:
    """Under /api/ every error answers JSON {"error": …}, including the ones no API view
    produced: Django's 404 for an unknown path, django-ninja's 405 for a wrong method,
    Django's 400 for a request it refuses."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code >= 400
            and response.get("Content-Type", "").split(";")[0] != "application/json"
        ):
            error = JsonResponse(
                {"error": f"{response.reason_phrase}."}, status=response.status_code
            )
            if response.has_header("Allow"):
                error["Allow"] = response["Allow"]
            return error
        return response


def client_address(remote_addr: str, forwarded_for: str, trusted: int | list[str]) -> str:
    """The client's address behind the trusted proxies: `trusted` is how many proxies
    sit in front of vipdesk, or their addresses. X-Forwarded-For is only believed as
    far as trusted proxies appended to it; without trusted proxies it is ignored."""
    chain = [a.strip() for a in forwarded_for.split(",") if a.strip()] + [remote_addr]
    if isinstance(trusted, int):
        return chain[max(len(chain) - 1 - trusted, 0)]
    while len(chain) > 1 and chain[-1] in trusted:
        chain.pop()
    return chain[-1]


class TrustedProxyMiddleware:
    """REMOTE_ADDR becomes the client's address behind the proxies in TRUSTED_PROXIES,
    for everything downstream: django-axes' lockouts (per username and address) and the
    logs. First in MIDDLEWARE."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        trusted = settings.TRUSTED_PROXIES
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if trusted and forwarded:
            request.META["REMOTE_ADDR"] = client_address(
                request.META.get("REMOTE_ADDR", ""), forwarded, trusted
            )
        return self.get_response(request)


class IdleSessionMiddleware(SessionMiddleware):
    """Django's SessionMiddleware, except that a background refresh (a request with
    the X-Background-Refresh header, like the queue's 15-second poll) does not renew the
    session: only what a person does keeps it from the idle timeout
    (SESSION_COOKIE_AGE with SESSION_SAVE_EVERY_REQUEST)."""

    def process_response(self, request, response):
        if request.headers.get("X-Background-Refresh") and not request.session.modified:
            patch_vary_headers(response, ("Cookie",))
            return response
        return super().process_response(request, response)
