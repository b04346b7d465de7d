"""The admins' backtest page (/admin/backtest/): replay a period with the saved score
weights and a draft, see both sets of figures side by side, then save the draft
(audited like every policy edit) — or ask for suggested weights as a draft.

A run replays in a background job (vipdesk/insight/jobs.py: run_backtest); the page
shows the latest run, or the one in ?run=."""

from datetime import timedelta

from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.audit import diff, field_values, record
from accounts.forms import FACTOR_SETTINGS, RISK_POINTS, RISK_THRESHOLDS, ScoreWeightsForm
from accounts.models import PolicyChange, ScoreWeights
from vipdesk.insight import charts, jobs
from vipdesk.insight.forms import BacktestPeriodForm
from vipdesk.insight.models import BacktestRun
from vipdesk.lib.charts import figure_data
from vipdesk.lib.csv_export import csv_response
from vipdesk.lib.jobs import enqueue_on_commit

DEFAULT_DAYS = 90
DRAFT_FIELDS = [*RISK_POINTS, *FACTOR_SETTINGS, *RISK_THRESHOLDS]


def _run_for_page(request) -> BacktestRun | None:
    run_id = request.GET.get("run", "")
    if run_id.isdigit():
        return get_object_or_404(BacktestRun, pk=int(run_id))
    return BacktestRun.objects.first()


def _weights_form(data=None, draft: dict | None = None) -> ScoreWeightsForm:
    """The score weights form: the saved values, with the draft's on top."""
    weights = ScoreWeights.load()
    if data is None:
        initial = {**field_values(weights), **(draft or {})}
        return ScoreWeightsForm(instance=weights, initial=initial)
    return ScoreWeightsForm(data, instance=weights)


def _side_by_side(run: BacktestRun) -> list[dict]:
    """One row per threshold of the saved weights: saved and draft figures."""
    saved, draft = run.results.get("saved", {}), run.results.get("draft", {})
    return [
        {"threshold": t, "saved": saved[t], "draft": draft.get(t)} for t in sorted(saved, key=int)
    ]


def _pct(value) -> str:
    return "—" if value is None else f"{value:.0%}"


def _table(rows: list[dict]) -> list[dict]:
    """The figures as display lines: (figure, saved, draft, best simple rule)."""
    tables = []
    for row in rows:
        s, d = row["saved"], row["draft"] or {}
        rule = s["rules"][s["best_rule"]]
        lines = [("Escalations in the period", s["escalations"], d.get("escalations"), "")]
        for lead, label in charts.LEAD_LABELS.items():
            lines.append(
                (
                    f"Flagged {label} ahead",
                    _pct(s["recall"][lead]),
                    _pct(d["recall"][lead]) if d else "—",
                    _pct(rule["recall"][lead]),
                )
            )
        lines += [
            ("New alerts", s["alerts"], d.get("alerts", "—"), rule["alerts"]),
            (
                "Alerts per CSM per week",
                s["alerts_per_csm_week"],
                d.get("alerts_per_csm_week", "—"),
                "",
            ),
            (
                "Precision (escalation or churn within 30 days)",
                _pct(s["precision_30d"]),
                _pct(d["precision_30d"]) if d else "—",
                _pct(rule["precision_30d"]),
            ),
            ("Lift over the base rate", s["lift"], d.get("lift", "—"), ""),
        ]
        tables.append(
            {
                "threshold": row["threshold"],
                "rule": rule["label"],
                "lines": lines,
                "by_source": s["by_source"],
                "true_factors": s["true_factor_shares"],
                "false_factors": s["false_factor_shares"],
            }
        )
    return tables


def _charts(run: BacktestRun) -> dict:
    rows = _side_by_side(run)
    if not rows:
        return {}
    first = rows[0]  # the CSM-attention threshold
    recall = [("Saved weights", first["saved"]["recall"])]
    if first["draft"]:
        recall.append(("Draft", first["draft"]["recall"]))
    best = first["saved"]["rules"][first["saved"]["best_rule"]]
    recall.append((f"Best simple rule ({best['label']})", best["recall"]))
    weekly = [("Saved weights", first["saved"]["weekly_alerts"])]
    if first["draft"]:
        weekly.append(("Draft", first["draft"]["weekly_alerts"]))
    return {
        "recall_chart": figure_data(charts.recall_by_lead(recall)),
        "weekly_chart": figure_data(charts.alerts_per_week(weekly)),
    }


@staff_member_required
@require_GET
def backtest(request):
    run = _run_for_page(request)
    today = timezone.localdate()
    period = BacktestPeriodForm(
        initial={
            "period_from": run.period_from if run else today - timedelta(days=DEFAULT_DAYS),
            "period_to": run.period_to if run else today - timedelta(days=1),
        }
    )
    finished = run is not None and run.status == BacktestRun.Status.FINISHED
    context = {
        **admin.site.each_context(request),
        "title": "Risk score backtest",
        "run": run,
        "period_form": period,
        "weights_form": _weights_form(draft=run.draft if run else None),
        "draft_fields": DRAFT_FIELDS,
        "tables": _table(_side_by_side(run)) if finished else [],
        "changed": run.draft if run else {},
        **(_charts(run) if finished else {}),
    }
    return TemplateResponse(request, "admin/backtest.html", context)


def _start(request, *, draft: dict, suggested: bool):
    period = BacktestPeriodForm(request.POST)
    if not period.is_valid():
        for error in period.errors.values():
            messages.error(request, " ".join(error))
        return redirect("admin_backtest")
    run = BacktestRun.objects.create(
        created_by=request.user,
        period_from=period.cleaned_data["period_from"],
        period_to=period.cleaned_data["period_to"],
        draft=draft,
        suggested=suggested,
    )
    enqueue_on_commit(
        jobs.run_backtest, run.pk, job_id=f"backtest-{run.pk}", timeout=jobs.BACKTEST_TIMEOUT
    )
    return redirect(f"{reverse('admin_backtest')}?run={run.pk}")


@staff_member_required
@require_POST
def backtest_run(request):
    """Run the backtest on a draft typed into the weights form."""
    form = _weights_form(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            "The draft is not valid: "
            + "; ".join(f"{field}: {' '.join(errors)}" for field, errors in form.errors.items()),
        )
        return redirect("admin_backtest")
    saved = field_values(ScoreWeights.load())
    draft = {k: v for k, v in form.cleaned_data.items() if saved.get(k) != v}
    return _start(request, draft=draft, suggested=False)


@staff_member_required
@require_POST
def backtest_suggest(request):
    """Fit weights to the period's outcomes and backtest them as a draft."""
    return _start(request, draft={}, suggested=True)


@staff_member_required
@require_POST
def backtest_save(request, run_id: int):
    """Save a finished run's draft as the score weights (audited)."""
    run = get_object_or_404(BacktestRun, pk=run_id, status=BacktestRun.Status.FINISHED)
    weights = ScoreWeights.load()
    before = field_values(weights)
    form = ScoreWeightsForm({**before, **run.draft}, instance=weights)
    if not run.draft or not form.is_valid():
        messages.error(request, "This draft cannot be saved (nothing changed or not valid).")
        return redirect(f"{reverse('admin_backtest')}?run={run.pk}")
    form.save()
    record(request.user, weights, PolicyChange.Action.UPDATE, diff(before, field_values(weights)))
    BacktestRun.objects.filter(pk=run.pk).update(saved_at=timezone.now())
    messages.success(request, "The draft weights are saved; the next rescore uses them.")
    return redirect(f"{reverse('admin_backtest')}?run={run.pk}")


@staff_member_required
@require_GET
def backtest_csv(request, run_id: int):
    """Each escalation of a finished run: when the saved weights and the draft first
    flagged it at the CSM-attention threshold, and how far ahead."""
    run = get_object_or_404(BacktestRun, pk=run_id, status=BacktestRun.Status.FINISHED)
    saved = run.results["saved"]
    threshold = min(saved, key=int)
    draft = {
        row["code"]: row
        for row in run.results.get("draft", {}).get(threshold, {}).get("per_escalation", [])
    }
    header = [
        "code", "external_id", "account", "opened_at", "saved_first_crossed_at",
        "saved_lead_hours", "draft_first_crossed_at", "draft_lead_hours",
    ]  # fmt: skip
    rows = (
        [
            row["code"],
            row["external_id"],
            row["account"],
            row["opened_at"],
            row["first_crossed_at"],
            row["lead_hours"],
            draft.get(row["code"], {}).get("first_crossed_at"),
            draft.get(row["code"], {}).get("lead_hours"),
        ]
        for row in saved[threshold]["per_escalation"]
    )
    return csv_response(f"backtest-{run.pk}.csv", header, rows)
