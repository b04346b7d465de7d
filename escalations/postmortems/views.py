"""The post-mortem page (/escalations/<id>/post-mortem/), its print view, its follow-up
actions, the overdue list and the systemic-issues page. Each view checks access
(escalations/access.py), parses one form, then calls postmortems/actions.py."""

from dataclasses import asdict

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from escalations import access, reports
from escalations.actions import Refused
from escalations.models import Escalation, FollowUp, PostMortem, PostMortemPolicy, ReportPolicy
from escalations.postmortems import actions, forms, rules, systemic, tracking
from vipdesk.lib.tables import pick


def _escalation(request, pk, *, write: bool = False) -> Escalation:
    queryset = Escalation.objects.select_related("account", "account__csm", "owner")
    escalation = access.get_escalation_for_user(request, pk, queryset=queryset)
    if write:
        access.require_runner(request, escalation)
    return escalation


def _post_mortem(escalation: Escalation) -> PostMortem:
    """The saved post-mortem, or an unsaved one pre-filled from the record."""
    pm = PostMortem.objects.filter(escalation=escalation).select_related("updated_by").first()
    return pm or actions.prefilled(escalation)


def _context(request, escalation, pm, form=None, timeline=None, follow_up_form=None) -> dict:
    now = timezone.now()
    policy = PostMortemPolicy.load()
    saved = pm.pk is not None
    factors = list(pm.contributing_factors.all()) if saved else []
    follow_ups = list(pm.follow_ups.select_related("owner")) if saved else []
    for item in follow_ups:
        item.stage = rules.follow_up_stage(item.due_on, now.date(), policy.remind_days_before)
    resolved = escalation.resolved_at or escalation.closed_at
    due = (
        rules.due_at(resolved, policy.due_business_days, tracking.business_calendar())
        if resolved
        else None
    )
    still_needs = (
        actions.completion_errors(pm, factors, len(follow_ups))
        if pm.status != PostMortem.Status.COMPLETE
        else {}
    )
    rows = actions.from_json(pm.timeline)
    return {
        "e": escalation,
        "pm": pm,
        "form": form or forms.PostMortemForm(instance=pm),
        "timeline": timeline
        or forms.TimelineFormSet(initial=[asdict(r) for r in rows], prefix="timeline"),
        "rows": rows,
        "factors": factors,
        "follow_ups": follow_ups,
        "follow_up_form": follow_up_form or forms.FollowUpForm(),
        "close_form": forms.FollowUpCloseForm(),
        "still_needs": still_needs,
        "due": due,
        "due_stage": rules.reminder_stage(due, now, policy.remind_days_before) if due else None,
        "can_edit": access.can_run(request.user, escalation),
        "related": systemic.related(escalation, pm, factors, now),
        "flags": systemic.flags_for(escalation),
    }


@require_GET
def post_mortem(request, pk):
    escalation = _escalation(request, pk)
    pm = _post_mortem(escalation)
    return TemplateResponse(
        request, "escalations/post_mortem.html", _context(request, escalation, pm)
    )


@require_POST
def post_mortem_save(request, pk):
    """Save as draft, refresh the timeline from the events (pinned rows kept), or complete."""
    escalation = _escalation(request, pk, write=True)
    pm = _post_mortem(escalation)
    form = forms.PostMortemForm(request.POST, instance=pm)
    timeline = forms.TimelineFormSet(request.POST, prefix="timeline")
    intent = request.POST.get("intent", "draft")
    if not (form.is_valid() and timeline.is_valid()):
        context = _context(request, escalation, pm, form, timeline)
        return TemplateResponse(request, "escalations/post_mortem.html", context, status=400)
    rows = forms.timeline_rows(timeline)
    if intent == "refresh":
        rows = rules.refresh_timeline(actions.timeline_rows(escalation), rows)
    values = {f: form.cleaned_data[f] for f in actions.FIELDS}
    try:
        actions.save(
            escalation,
            by=request.user,
            values=values,
            factors=list(form.cleaned_data["contributing_factors"]),
            timeline=rows,
            complete=intent == "complete",
        )
    except actions.Incomplete as refused:
        for field, message in refused.errors.items():
            form.add_error(field if field in form.fields else None, message)
        context = _context(request, escalation, pm, form, timeline)
        return TemplateResponse(request, "escalations/post_mortem.html", context, status=400)
    if intent == "complete":
        messages.success(request, f"The post-mortem of {escalation.code} is complete.")
    else:
        messages.success(request, f"The post-mortem of {escalation.code} is saved as a draft.")
    return redirect("post_mortem", pk=escalation.pk)


@require_GET
def post_mortem_print(request, pk):
    escalation = _escalation(request, pk)
    pm = _post_mortem(escalation)
    context = _context(request, escalation, pm) | {"now": timezone.now()}
    return TemplateResponse(request, "escalations/post_mortem_print.html", context)


@require_POST
def follow_up_add(request, pk):
    escalation = _escalation(request, pk, write=True)
    form = forms.FollowUpForm(request.POST)
    if not form.is_valid():
        pm = _post_mortem(escalation)
        context = _context(request, escalation, pm, follow_up_form=form)
        return TemplateResponse(request, "escalations/post_mortem.html", context, status=400)
    actions.add_follow_up(escalation, by=request.user, **form.cleaned_data)
    messages.success(request, "Follow-up action added.")
    return redirect(f"/escalations/{escalation.pk}/post-mortem/#follow-ups")


@require_POST
def follow_up_close(request, pk, follow_up_id):
    escalation = _escalation(request, pk, write=True)
    item = (
        FollowUp.objects.filter(pk=follow_up_id, post_mortem__escalation=escalation)
        .select_related("post_mortem__escalation")
        .first()
    )
    if item is None:
        raise Http404("No such follow-up action")
    form = forms.FollowUpCloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose done or won't do.")
    else:
        try:
            actions.close_follow_up(item, by=request.user, **form.cleaned_data)
            messages.success(request, f"Follow-up marked {item.get_status_display().lower()}.")
        except Refused as refused:
            messages.error(request, str(refused))
    return redirect(f"/escalations/{escalation.pk}/post-mortem/#follow-ups")


@require_GET
def overdue(request):
    """Overdue post-mortems and follow-up actions; the escalations page loads the list
    as a fragment (htmx)."""
    access.require_viewer(request)
    template = "escalations/overdue.html"
    if request.htmx:
        template += "#lists"
    return TemplateResponse(request, template, tracking.overdue(timezone.now()))


@require_GET
def systemic_issues(request):
    """One place for systemic issues: what grows quarter over quarter (all escalations),
    the causes several accounts' post-mortems share, and the problems people linked."""
    access.require_viewer(request)
    now = timezone.now()
    context = {
        **systemic.finder_page(now),
        "growth": reports.systemic_tables(timezone.localdate(now), now),
        "policy": ReportPolicy.load(),
        "csv_base": reverse("systemic_issues"),
    }
    return TemplateResponse(request, "escalations/systemic.html", context)


@require_GET
def systemic_issues_csv(request, table):
    access.require_viewer(request)
    now = timezone.now()
    growth = reports.systemic_tables(timezone.localdate(now), now)
    return pick(growth.tables, table).csv("escalations-systemic")


@require_POST
def same_problem(request, pk, other_id):
    """One click: link another account's escalation as the same problem."""
    escalation = _escalation(request, pk, write=True)
    other = access.get_escalation_for_user(request, other_id)
    try:
        actions.link_same_problem(escalation, other, by=request.user)
        messages.success(request, f"{escalation.code} and {other.code} are linked as one problem.")
    except Refused as refused:
        messages.error(request, str(refused))
    return redirect(f"/escalations/{escalation.pk}/post-mortem/#systemic")
