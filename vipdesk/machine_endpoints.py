"""Signed machine endpoints (the helpdesk webhook) are served by Django's handler with a
short middleware list: everything else in settings.MIDDLEWARE is for people in a
browser (sessions, CSRF, login, messages, CSP, htmx, axes, static files, per-view
Prometheus timings) and cost an ack 0.6–1 ms of its 3.7 ms of CPU (measured in
process, README "Intake"). What the webhook needs stays: the client's address behind
trusted proxies, the security headers and HTTPS redirect, JSON errors under /api/.
The view, its URL, its checks (signature, size, body) and the API's OpenAPI schema
are the same; only the stack around it is shorter. Webhook requests are therefore not
in django-prometheus' per-view metrics; the intake backlog metrics cover them.

`Dispatch` sends a request to the lean handler when its path is one of PATHS, to the
full one otherwise: vipdesk/wsgi.py wraps the application with it, and the tests'
client does the same (tests/conftest.py), so tests go the way production goes."""

from django.core.handlers.base import BaseHandler
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler
from django.urls import reverse
from django.utils.module_loading import import_string

# Outermost first, as in settings.MIDDLEWARE. Only middleware without process_view,
# process_exception or process_template_response hooks (load_middleware below does
# not register them).
MIDDLEWARE = [
    "vipdesk.lib.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "vipdesk.lib.middleware.ApiJsonErrorsMiddleware",
]
URL_NAMES = ["api:zendesk_webhook"]


def paths() -> frozenset[str]:
    """The PATH_INFO of every lean endpoint."""
    return frozenset(reverse(name) for name in URL_NAMES)


class LeanMiddleware(BaseHandler):
    """A handler whose middleware chain is MIDDLEWARE (synchronous)."""

    def load_middleware(self, is_async=False):
        self._view_middleware = []
        self._template_response_middleware = []
        self._exception_middleware = []
        handler = convert_exception_to_response(self._get_response)
        for path in reversed(MIDDLEWARE):
            handler = convert_exception_to_response(import_string(path)(handler))
        self._middleware_chain = handler
        self._matches = {}

    def resolve_request(self, request):
        # Lean paths are fixed URLs without parameters: resolved once, not walked
        # through the whole URLconf on every delivery.
        match = self._matches.get(request.path_info)
        if match is None:
            match = self._matches[request.path_info] = super().resolve_request(request)
        request.resolver_match = match
        return match


class MachineHandler(LeanMiddleware, WSGIHandler):
    pass


class Dispatch:
    """Call `lean` for requests to PATHS, `full` for the others (WSGI or test handlers:
    both take the environ first)."""

    def __init__(self, full, lean):
        self.full, self.lean = full, lean
        self.paths: frozenset[str] | None = None

    def __call__(self, environ, *args):
        if self.paths is None:
            self.paths = paths()  # the URLconf is loaded by the first request
        lean = environ.get("PATH_INFO") in self.paths
        return (self.lean if lean else self.full)(environ, *args)
