"""The machine API (/api/v1/): helpdesk webhook, tickets and accounts, bearer auth.

Every error answers {"error": …}; the OpenAPI schema lists, for every operation, the
error answers the API can give it (VipdeskApi.get_openapi_schema). The docs and the
schema need a login or a token."""

from functools import wraps

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, JsonResponse
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError
from ninja.parser import Parser

from accounts.api import router as accounts_router
from escalations.api import router as escalations_router
from tickets.intake.api import bearer
from tickets.intake.api import router as tickets_router
from vipdesk.lib import inbound


class CheckedJsonParser(Parser):
    """Bodies the database could not store (NUL, lone surrogates) or too deeply nested
    are refused with a 400 before validation."""

    def parse_body(self, request):
        return inbound.loads(request.body)


ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "string"}, "field": {"type": ["string", "null"]}},
}
ERROR_ANSWERS = {
    400: "Invalid request: a parameter or the body (malformed JSON, NUL characters, "
    "nesting deeper than 32 levels, a field that does not validate).",
    401: "Missing, revoked or wrong bearer token (or webhook signature).",
    404: "No such object.",
    413: "Body too large.",
}


class VipdeskApi(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        """Django-ninja's schema plus the error answers each operation can give: 400
        always, 401 when it needs a token, 404 when its path names an object, 413 when it
        takes a body."""
        schema = super().get_openapi_schema(**kwargs)
        for path, operations in schema["paths"].items():
            for operation in operations.values():
                codes = [400]
                codes += [401] if operation.get("security") else []
                codes += [404] if "{" in path else []
                codes += [413] if "requestBody" in operation else []
                for code in codes:
                    operation["responses"].setdefault(
                        code,
                        {
                            "description": ERROR_ANSWERS[code],
                            "content": {"application/json": {"schema": ERROR}},
                        },
                    )
        return schema


def login_or_token(view):
    """The API docs and schema: for signed-in users and holders of an API token."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated or bearer(request) is not None:
            return view(request, *args, **kwargs)
        return JsonResponse({"error": "Unauthorized"}, status=401)

    return wrapper


api = VipdeskApi(
    title="vipdesk API",
    # Every route needs a bearer token unless it says otherwise (the signed webhook).
    auth=bearer,
    version="1",
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    parser=CheckedJsonParser(),
    docs_decorator=login_or_token,
)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    """{"error"} like every other answer (django-ninja's own say {"detail"}); an
    unparseable body says why."""
    cause = exc.__cause__
    message = str(cause) if isinstance(cause, inbound.BadJson) else str(exc)
    return api.create_response(request, {"error": message}, status=exc.status_code)


@api.exception_handler(Http404)
def not_found(request, exc: Http404):
    return api.create_response(request, {"error": "Not found."}, status=404)


@api.exception_handler(RequestDataTooBig)
def too_big(request, exc: RequestDataTooBig):
    return api.create_response(request, {"error": "Request body too large."}, status=413)


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    """400 {"error", "field"} (the first problem) plus every problem in "errors"."""
    first = exc.errors[0] if exc.errors else {}
    loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "payload", "query", "path")]
    return api.create_response(
        request,
        {
            "error": first.get("msg", "Invalid request."),
            "field": ".".join(loc) or None,
            "errors": [
                {"field": ".".join(str(p) for p in e.get("loc", ())[2:]), "error": e.get("msg")}
                for e in exc.errors
            ],
        },
        status=400,
    )


api.add_router("", tickets_router)
api.add_router("", accounts_router)
api.add_router("", escalations_router)
