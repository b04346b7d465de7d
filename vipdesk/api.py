"""The machine API (/api/v1/): helpdesk webhook, tickets and accounts, bearer auth."""

from ninja import NinjaAPI
from ninja.errors import ValidationError

from accounts.api import router as accounts_router
from escalations.api import router as escalations_router
from escalations.report_api import router as reports_router
from tickets.intake.api import bearer
from tickets.intake.api import router as tickets_router

api = NinjaAPI(
    title="vipdesk API",
    # Every route needs a bearer token unless it says otherwise (the signed webhook).
    auth=bearer,
    version="1",
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


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
api.add_router("", reports_router)
