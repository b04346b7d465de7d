"""Report pages that combine every app: the reports index, the monthly VIP report and
an account's support-interaction risk analysis. Each view checks access, then calls the
domain module; every table on a page has its CSV (same data, vipdesk/lib/tables.py)."""

from datetime import date

from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.access import get_account_for_user
from escalations.reports import month_start, next_month
from vipdesk.insight import charts
from vipdesk.insight.interactions import interaction_tables, load_interactions
from vipdesk.insight.monthly import cached_monthly, last_finished_month, monthly_tables
from vipdesk.lib.charts import figure_data
from vipdesk.lib.roles import Role, role_required
from vipdesk.lib.tables import pick

REPORT_ROLES = (Role.LEAD, Role.ADMIN)
MONTHS_LISTED = 12


def _past_month(year: str, month: str) -> date:
    """The first day of a month that has ended, else 404."""
    try:
        first = date(int(year), int(month), 1)
    except ValueError:
        raise Http404("No such month") from None
    if first >= month_start(timezone.localdate()):
        raise Http404("That month has not ended yet")
    return first


@role_required(*REPORT_ROLES)
@require_GET
def reports_index(request):
    last = last_finished_month(timezone.now())
    months = [month_start(last, n) for n in range(MONTHS_LISTED)]
    return TemplateResponse(request, "reports/index.html", {"months": months})


@role_required(*REPORT_ROLES)
@require_GET
def vip_monthly_latest(request):
    last = last_finished_month(timezone.now())
    return redirect("vip_monthly", year=f"{last:%Y}", month=f"{last:%m}")


def _monthly(year: str, month: str):
    first = _past_month(year, month)
    report = cached_monthly(first, timezone.now())
    return first, report, monthly_tables(report)


@role_required(*REPORT_ROLES)
@require_GET
def vip_monthly(request, year, month):
    first, report, tables = _monthly(year, month)
    context = {
        "r": report,
        "tables": tables,
        "csv_base": f"/reports/vip/{first:%Y-%m}/",
        "previous": month_start(first, 1),
        "next": after if (after := next_month(first)) < month_start(timezone.localdate()) else None,
    }
    return TemplateResponse(request, "reports/vip_monthly.html", context)


@role_required(*REPORT_ROLES)
@require_GET
def vip_monthly_csv(request, year, month, table):
    first, _, tables = _monthly(year, month)
    return pick(tables, table).csv(f"vip-report-{first:%Y-%m}")


def _interactions(request, account_id):
    account = get_account_for_user(request, account_id)
    analysis = load_interactions(account, timezone.now())
    return analysis, interaction_tables(analysis)


@require_GET
def account_interactions(request, account_id):
    analysis, tables = _interactions(request, account_id)
    sentiments = [(t.created_at, t.sentiment) for t in analysis.tickets if t.sentiment is not None]
    fig = charts.sentiment_trend(sentiments, [(w.end, w.sentiment) for w in analysis.windows])
    context = {
        "a": analysis,
        "account": analysis.account,
        "tables": tables,
        "sentiment_chart": figure_data(fig) if sentiments else None,
        "csv_base": f"/accounts/{analysis.account.pk}/interactions/",
    }
    return TemplateResponse(request, "reports/interactions.html", context)


@require_GET
def account_interactions_csv(request, account_id, table):
    analysis, tables = _interactions(request, account_id)
    return pick(tables, table).csv(f"account-{analysis.account.pk}-interactions")
