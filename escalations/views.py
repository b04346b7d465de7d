"""Escalation pages: the list, opening one, the playbook page (and its print view) and
one POST view per action on it.

Each view checks access (escalations/access.py), parses one form, then calls
escalations/actions.py; a rule's refusal comes back as the message shown."""

from datetime import timedelta

from django.contrib import messages
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.access import get_account_for_user
from escalations import access, actions, forms, listing, page
from escalations.models import Action, Goodwill
from tickets.access import get_ticket_for_user
from vipdesk.lib.pagination import paginate

WARN_SECONDS = int(listing.sla.WARNING_WINDOW.total_seconds())


@require_GET
def escalation_list(request):
    access.require_viewer(request)
    now = timezone.now()
    form = listing.EscalationFilters(request.GET)
    values = form.values()
    policies = listing.load_policies()
    page_ = paginate(
        listing.escalation_queryset(values, request.user, policies, now), values.get("page")
    )
    # Accounts and owners for the page's rows only: joined before the sort, they made
    # PostgreSQL join every escalation (430 → 60 ms at 50,000 escalations).
    prefetch_related_objects(page_.rows, "account", "owner")
    matrix = listing.load_matrix()
    for e in page_.rows:
        listing.annotate_sla(e, policies, now)
        e.level_owners = matrix.get((e.severity, e.level), "")
    context = {
        "form": form,
        "page": page_,
        "querystring": listing.querystring(values),
        "warn_seconds": WARN_SECONDS,
    }
    return TemplateResponse(request, "escalations/list.html", context)


def _subject(request, data):
    """(account, ticket) the new escalation is for: ?ticket=<id> or ?account=<id>."""
    if data.get("ticket"):
        ticket = get_ticket_for_user(request, data["ticket"])
        if ticket.account is None:
            return None, ticket
        return ticket.account, ticket
    return get_account_for_user(request, data.get("account")), None


@require_GET
def escalation_new(request):
    """The one-click form from a ticket, the queue, the at-risk board or an account."""
    access.require_opener(request)
    account, ticket = _subject(request, request.GET)
    initial = {}
    if ticket is not None:
        initial = {
            "type": actions.ticket_type(ticket)[0],
            "summary": ticket.subject[:300],
            "customer_statement": ticket.body,
        }
    context = {"account": account, "ticket": ticket, "form": forms.OpenForm(initial=initial)}
    return TemplateResponse(request, "escalations/new.html", context)


@require_POST
def escalation_open(request):
    access.require_opener(request)
    account, ticket = _subject(request, request.POST)
    form = forms.OpenForm(request.POST)
    if account is None or not form.is_valid():
        if account is None:
            messages.error(request, "This ticket matches no account: link it to one first.")
        context = {"account": account, "ticket": ticket, "form": form}
        return TemplateResponse(request, "escalations/new.html", context, status=400)
    data = form.cleaned_data
    escalation, created = actions.open_escalation(
        account,
        type=data["type"],
        severity=data["severity"],
        summary=data["summary"],
        source="person",
        by=request.user,
        tickets=[ticket] if ticket else [],
        customer_statement=data["customer_statement"],
        business_impact=data["business_impact"],
        users_affected=data["users_affected"],
    )
    if created:
        messages.success(request, f"{escalation.code} opened.")
    else:
        messages.info(
            request,
            f"{account.name} already has an open {escalation.get_type_display()} escalation: "
            f"{escalation.code}" + (f"; ticket #{ticket.pk} is linked to it." if ticket else "."),
        )
    return redirect("escalation_detail", pk=escalation.pk)


@require_GET
def escalation_detail(request, pk):
    return _page(request, pk, "escalations/detail.html")


@require_GET
def escalation_print(request, pk):
    return _page(request, pk, "escalations/print.html")


def _page(request, pk, template):
    escalation = access.get_escalation_for_user(request, pk, queryset=page.queryset())
    context = page.context(escalation, request.user, timezone.now())
    context["can_run"] = access.can_run(request.user, escalation)
    context["warn_seconds"] = WARN_SECONDS
    return TemplateResponse(request, template, context)


# The page's forms, fetched when their <details> opens (htmx; a plain link without JS):
# name -> (label, URL name of the POST view, button, the empty form for an escalation).
SUBFORMS = {
    "analysis": ("Edit impact and root cause", "escalation_analysis", "Save",
                 lambda e, now: forms.AnalysisForm(auto_id="analysis-%s", instance=e)),
    "reassign": ("Change owner or severity", "escalation_reassign", "Change",
                 lambda e, now: forms.ReassignForm(auto_id="reassign-%s")),
    "level": ("Move up a level", "escalation_level_up", "Move up",
              lambda e, now: forms.LevelUpForm(auto_id="level-%s")),
    "stakeholder": ("Add a stakeholder", "escalation_stakeholder", "Add",
                    lambda e, now: forms.StakeholderForm(auto_id="stakeholder-%s")),
    "action": ("Add an action", "escalation_action_add", "Add action",
               lambda e, now: forms.ActionForm(auto_id="action-%s",
                                               initial={"due_at": now + timedelta(hours=4)})),
    "plan": ("Add to the communication plan", "escalation_plan_add", "Add",
             lambda e, now: forms.PlanItemForm(auto_id="plan-%s")),
    "communication": ("Log a communication", "escalation_communication_add", "Log it",
                      lambda e, now: forms.CommunicationForm(auto_id="comm-%s",
                                                             initial={"at": now})),
    "risk": ("Assess a risk", "escalation_risk", "Save",
             lambda e, now: forms.RiskForm(auto_id="risk-%s")),
    "goodwill": ("Propose goodwill", "escalation_goodwill_request", "Propose",
                 lambda e, now: forms.GoodwillForm(auto_id="goodwill-%s")),
}  # fmt: skip


@require_GET
def escalation_form(request, pk, name):
    """One of the page's forms: the fragment for htmx, else a page of its own."""
    if name not in SUBFORMS:
        raise Http404("No such form")
    escalation = access.get_escalation_for_user(request, pk)
    access.require_runner(request, escalation)
    label, url_name, button, make = SUBFORMS[name]
    context = {
        "e": escalation,
        "label": label,
        "action": reverse(url_name, args=[escalation.pk]),
        "button": button,
        "form": make(escalation, timezone.now()),
    }
    template = "escalations/form.html#body" if request.htmx else "escalations/form.html"
    return TemplateResponse(request, template, context)


def _post(request, pk, form_class, apply, anchor: str, *, runner: bool = True):
    """The shape of every action on the page: access, one form, one action; the
    refusal or the form's first error as the message; back to the page's section."""
    escalation = access.get_escalation_for_user(request, pk)
    if runner:
        access.require_runner(request, escalation)
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        errors = [f"{form.fields[f].label or f}: {e[0]}" if f != "__all__" else e[0]
                  for f, e in form.errors.items()]  # fmt: skip
        messages.error(request, " ".join(errors))
    else:
        try:
            messages.success(request, apply(escalation, form.cleaned_data if form else {}))
        except actions.Refused as refused:
            messages.error(request, str(refused))
    return redirect(f"/escalations/{escalation.pk}/#{anchor}")


@require_POST
def escalation_transition(request, pk):
    def apply(e, data):
        e = actions.transition(e, data["to"], by=request.user, note=data["note"],
                               confirmed=data["confirmed"])  # fmt: skip
        return f"{e.code} is now {e.get_status_display().lower()}."

    return _post(request, pk, forms.TransitionForm, apply, "status")


@require_POST
def escalation_reassign(request, pk):
    def apply(e, data):
        actions.reassign(e, by=request.user, **data)
        return f"{e.code} updated."

    return _post(request, pk, forms.ReassignForm, apply, "status")


@require_POST
def escalation_level_up(request, pk):
    def apply(e, data):
        e = actions.raise_level(e, by=request.user, reason=data["reason"])
        return f"{e.code} moved up to level {e.level}."

    return _post(request, pk, forms.LevelUpForm, apply, "path")


@require_POST
def action_add(request, pk):
    def apply(e, data):
        actions.add_action(e, by=request.user, **data)
        return "Action added."

    return _post(request, pk, forms.ActionForm, apply, "plan")


@require_POST
def action_done(request, pk, action_id):
    def apply(e, data):
        action = Action.objects.filter(escalation=e, pk=action_id).first()
        if action is None:
            raise actions.Refused("No such action on this escalation.")
        actions.complete_action(action, by=request.user)
        return "Action done."

    return _post(request, pk, None, apply, "plan")


@require_POST
def plan_add(request, pk):
    def apply(e, data):
        actions.add_plan_item(e, by=request.user, **data)
        return "Added to the communication plan."

    return _post(request, pk, forms.PlanItemForm, apply, "communication")


@require_POST
def communication_add(request, pk):
    def apply(e, data):
        actions.log_communication(e, by=request.user, **data)
        return "Communication logged."

    return _post(request, pk, forms.CommunicationForm, apply, "communication")


@require_POST
def stakeholder_add(request, pk):
    def apply(e, data):
        actions.add_stakeholder(e, by=request.user, **data)
        return "Stakeholder added."

    return _post(request, pk, forms.StakeholderForm, apply, "owners")


@require_POST
def risk_set(request, pk):
    def apply(e, data):
        risk = actions.set_risk(e, by=request.user, **data)
        return f"{risk.get_kind_display()} assessed."

    return _post(request, pk, forms.RiskForm, apply, "risk")


@require_POST
def analysis_update(request, pk):
    def apply(e, data):
        changed = actions.update_analysis(e, by=request.user, values=data)
        return "Impact and root cause saved." if changed else "Nothing changed."

    return _post(request, pk, forms.AnalysisForm, apply, "analysis")


@require_POST
def goodwill_request(request, pk):
    def apply(e, data):
        offer = actions.request_goodwill(e, by=request.user, **data)
        role = offer.get_approver_role_display()
        return f"{offer.get_kind_display()} proposed; it needs {role} approval."

    return _post(request, pk, forms.GoodwillForm, apply, "goodwill")


def _offer(e, goodwill_id) -> Goodwill:
    offer = (
        Goodwill.objects.filter(escalation=e, pk=goodwill_id).select_related("escalation").first()
    )
    if offer is None:
        raise actions.Refused("No such goodwill offer on this escalation.")
    return offer


@require_POST
def goodwill_decide(request, pk, goodwill_id):
    """Anyone who may see the escalation may try; the role check is in the action."""

    def apply(e, data):
        approve = data["decision"] == "approve"
        offer = _offer(e, goodwill_id)
        offer = actions.decide_goodwill(offer, by=request.user, approve=approve, note=data["note"])
        return f"{offer.get_kind_display()} {offer.get_status_display().lower()}."

    return _post(request, pk, forms.GoodwillDecisionForm, apply, "goodwill", runner=False)


@require_POST
def goodwill_offer(request, pk, goodwill_id):
    def apply(e, data):
        offer = actions.offer_goodwill(_offer(e, goodwill_id), by=request.user)
        return f"{offer.get_kind_display()} marked as offered."

    return _post(request, pk, None, apply, "goodwill")
