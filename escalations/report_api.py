"""GET /api/v1/reports/escalations and its CSV (bearer auth, the API's default): the
figures and rows of SPEC "Metric definitions", from escalations/reports.py like the
page."""

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from ninja import Router

from escalations import reports
from vipdesk.lib.csv_export import csv_response

router = Router(tags=["reports"])

PARAMETERS = ("from", "to", "tier", "type", "severity")


def _form(request: HttpRequest) -> reports.ReportFilters:
    """The contract's parameters only (the page's CSM filter is not part of it)."""
    data = request.GET.copy()
    for key in list(data):
        if key not in PARAMETERS:
            del data[key]
    return reports.ReportFilters(data)


def _bad_request(form: reports.ReportFilters) -> JsonResponse:
    field, message = form.first_error()
    return JsonResponse({"error": message, "field": field}, status=400)


@router.get("/reports/escalations", response={200: dict, 400: dict})
def escalation_report(request: HttpRequest):
    """{count, open, first_response_hours, mttr_hours, sla_compliance, per_100_accounts,
    reescalation_rate, csat, targets} for the escalations opened in [from, to)."""
    form = _form(request)
    if not form.is_valid():
        return _bad_request(form)
    return reports.summary(form, timezone.now())


@router.get("/reports/escalations.csv")
def escalation_report_csv(request: HttpRequest):
    """The escalations behind the figures, one row each, streamed."""
    form = _form(request)
    if not form.is_valid():
        return _bad_request(form)
    rows = (
        reports.csv_row(e)
        for e in reports.rows_queryset(reports.in_period(form)).iterator(chunk_size=2000)
    )
    return csv_response("escalations.csv", reports.CSV_COLUMNS, rows)
