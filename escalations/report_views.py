"""The escalation report pages: the metrics with targets, breakdowns and trend charts;
the escalations behind a figure; a CSV of every table. (The quarter-over-quarter
systemic view lives on the systemic-issues page, /escalations/systemic/.)

Each view checks access (leads and admins), then calls escalations/reports.py."""

from django.http import QueryDict
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from escalations import charts, reports
from vipdesk.lib.charts import figure_data
from vipdesk.lib.csv_export import csv_response
from vipdesk.lib.roles import Role, role_required
from vipdesk.lib.tables import Table, pick

REPORT_ROLES = (Role.LEAD, Role.ADMIN)
ROWS_SHOWN = 500


def _form(request) -> reports.ReportFilters:
    """The filters from the query string; the default period when none is given."""
    data = request.GET.copy()
    if not any(k in data for k in ("from", "to", "start", "end")):
        start, end = reports.default_period(timezone.localdate())
        data = QueryDict(mutable=True) | data
        data["from"], data["to"] = start.isoformat(), end.isoformat()
    form = reports.ReportFilters(data)
    form.is_valid()
    return form


def _tables(form, now) -> tuple[reports.Report, list[Table]]:
    report = reports.cached_report(form, now)
    qs = form.querystring()
    base = reverse("escalation_report_rows")
    return report, reports.report_tables(report, lambda basis: f"{base}?{qs}&rows={basis}")


def _charts(report: reports.Report, targets: dict) -> list[tuple[str, dict]]:
    months = [m for m, _ in report.trend]
    result = []
    for metric in reports.METRICS:
        fig = charts.metric_trend(
            months,
            [reports.shown(metric.key, values[metric.key]) for _, values in report.trend],
            metric.label,
            reports.shown(metric.key, targets[metric.key]),
            metric.unit,
        )
        result.append((f"chart-{metric.key}", figure_data(fig)))
    return result


@role_required(*REPORT_ROLES)
@require_GET
def escalation_report(request):
    form = _form(request)
    context = {"form": form}
    status = 200
    if form.is_valid():
        report, tables = _tables(form, timezone.now())
        targets = {m.metric.key: m.target for m in report.metrics}
        context.update(
            report=report,
            tables=tables,
            charts=_charts(report, targets),
            csv_base=reverse("escalation_report"),
            csv_query=form.querystring(),
            rows_csv=f"{reverse('escalation_report_rows_csv')}?{form.querystring()}&rows=all",
            cache_seconds=reports.REPORT_CACHE_SECONDS,
        )
    else:
        status = 400
    return TemplateResponse(request, "reports/escalations.html", context, status=status)


@role_required(*REPORT_ROLES)
@require_GET
def escalation_report_csv(request, table):
    form = _form(request)
    if not form.is_valid():
        return TemplateResponse(request, "reports/escalations.html", {"form": form}, status=400)
    _, tables = _tables(form, timezone.now())
    return pick(tables, table).csv("escalation-report")


def _rows_set(request) -> str:
    value = request.GET.get("rows", "all")
    return value if value in reports.ROW_SETS else "all"


def _rows_queryset(form, which: str, now):
    qs = reports.annotate_resolution(reports.in_period(form), reports.resolution_policies())
    return reports.rows_queryset(qs.filter(reports.rows_filter(which, now)), "res_end", "res_due")


@role_required(*REPORT_ROLES)
@require_GET
def escalation_report_rows(request):
    form = _form(request)
    if not form.is_valid():
        return TemplateResponse(request, "reports/escalations.html", {"form": form}, status=400)
    now = timezone.now()
    which = _rows_set(request)
    qs = _rows_queryset(form, which, now)
    escalations = list(qs[: ROWS_SHOWN + 1])
    table = Table(
        "rows",
        f"Escalations behind the figure: {which}",
        reports.CSV_COLUMNS + reports.ROW_EXTRA,
        [reports.page_row(e, now) for e in escalations[:ROWS_SHOWN]],
        links=[reverse("escalation_detail", args=[e.id]) for e in escalations[:ROWS_SHOWN]],
        note=f"The first {ROWS_SHOWN} are listed; the CSV holds them all."
        if len(escalations) > ROWS_SHOWN
        else "",
    )
    context = {
        "form": form,
        "which": which,
        "row_sets": reports.ROW_SETS,
        "table": table,
        "csv_base": reverse("escalation_report"),  # + "rows.csv"
        "csv_query": f"{form.querystring()}&rows={which}",
        "report_query": form.querystring(),
    }
    return TemplateResponse(request, "reports/escalation_rows.html", context)


@role_required(*REPORT_ROLES)
@require_GET
def escalation_report_rows_csv(request):
    form = _form(request)
    if not form.is_valid():
        return TemplateResponse(request, "reports/escalations.html", {"form": form}, status=400)
    now = timezone.now()
    qs = _rows_queryset(form, _rows_set(request), now)
    rows = (reports.page_row(e, now) for e in qs.iterator(chunk_size=2000))
    return csv_response("escalations.csv", reports.CSV_COLUMNS + reports.ROW_EXTRA, rows)
