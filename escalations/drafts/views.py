"""Drafts of an escalation: the list with one button per kind, a draft's page (edit,
the facts it lacked, blame flags and word count for the internal brief, "log as
sent"), and its print view. Each view checks access, parses one form, then calls
drafts/actions.py."""

import json

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from escalations import access
from escalations.actions import Refused
from escalations.drafts import actions, compose, forms
from escalations.models import Draft, DraftPolicy, Escalation


def _escalation(request, pk, *, write: bool = False) -> Escalation:
    queryset = Escalation.objects.select_related("account", "account__csm", "owner")
    escalation = access.get_escalation_for_user(request, pk, queryset=queryset)
    if write:
        access.require_runner(request, escalation)
    return escalation


def _draft(escalation: Escalation, draft_id) -> Draft:
    draft = Draft.objects.filter(pk=draft_id, escalation=escalation).first()
    if draft is None:
        raise Http404("No such draft")
    draft.escalation = escalation
    return draft


@require_GET
def draft_list(request, pk):
    escalation = _escalation(request, pk)
    context = {
        "e": escalation,
        "drafts": list(escalation.drafts.select_related("created_by")),
        "kinds": Draft.Kind.choices,
        "can_edit": access.can_run(request.user, escalation),
    }
    return TemplateResponse(request, "escalations/drafts.html", context)


@require_POST
def draft_new(request, pk):
    escalation = _escalation(request, pk, write=True)
    form = forms.NewDraftForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose which draft to build.")
        return redirect("draft_list", pk=escalation.pk)
    draft = actions.generate(escalation, form.cleaned_data["kind"], by=request.user)
    return redirect("draft_detail", pk=escalation.pk, draft_id=draft.pk)


def _page(request, escalation, draft, edit_form=None, sent_form=None, status=200):
    policy = DraftPolicy.load()
    brief = draft.kind == Draft.Kind.INTERNAL_BRIEF
    body = edit_form.data.get("body", draft.body) if edit_form is not None else draft.body
    context = {
        "e": escalation,
        "draft": draft,
        "edit_form": edit_form or forms.EditDraftForm(initial={"body": draft.body}),
        "sent_form": sent_form or forms.SentForm.for_draft(draft),
        "brief": brief,
        "word_count": compose.word_count(body),
        "max_words": policy.brief_max_words,
        "blame": compose.blame_words(body, compose.split_words(policy.blame_words))
        if brief
        else [],
        "snapshot": json.dumps(draft.snapshot, indent=2, ensure_ascii=False),
        "can_edit": access.can_run(request.user, escalation) and draft.sent_at is None,
    }
    return TemplateResponse(request, "escalations/draft.html", context, status=status)


@require_GET
def draft_detail(request, pk, draft_id):
    escalation = _escalation(request, pk)
    return _page(request, escalation, _draft(escalation, draft_id))


@require_POST
def draft_edit(request, pk, draft_id):
    escalation = _escalation(request, pk, write=True)
    draft = _draft(escalation, draft_id)
    form = forms.EditDraftForm(request.POST)
    if not form.is_valid():
        return _page(request, escalation, draft, edit_form=form, status=400)
    try:
        actions.edit(draft, body=form.cleaned_data["body"], by=request.user)
    except Refused as refused:
        form.add_error("body", str(refused))
        return _page(request, escalation, draft, edit_form=form, status=400)
    messages.success(request, "Draft saved.")
    return redirect("draft_detail", pk=escalation.pk, draft_id=draft.pk)


@require_POST
def draft_sent(request, pk, draft_id):
    escalation = _escalation(request, pk, write=True)
    draft = _draft(escalation, draft_id)
    form = forms.SentForm(request.POST)
    if not form.is_valid():
        return _page(request, escalation, draft, sent_form=form, status=400)
    try:
        actions.log_sent(draft, by=request.user, **form.cleaned_data)
    except Refused as refused:
        messages.error(request, str(refused))
        return redirect("draft_detail", pk=escalation.pk, draft_id=draft.pk)
    messages.success(request, f"{draft.get_kind_display()} logged as sent.")
    return redirect("draft_detail", pk=escalation.pk, draft_id=draft.pk)


@require_GET
def draft_print(request, pk, draft_id):
    escalation = _escalation(request, pk)
    context = {"e": escalation, "draft": _draft(escalation, draft_id), "now": timezone.now()}
    return TemplateResponse(request, "escalations/draft_print.html", context)
