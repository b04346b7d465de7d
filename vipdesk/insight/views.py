"""Account pages: the at-risk board, the account 360 page and the VIP dashboard.

Each view checks access (accounts/access.py), then calls the domain modules."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from accounts.access import (
    BOARD_ROLES,
    DASHBOARD_ROLES,
    can_edit_account,
    get_account_for_user,
    is_lead_or_admin,
)
from accounts.feedback import flag_precision, record_flag_feedback
from accounts.models import (
    Account,
    CsmNote,
    RiskLevel,
    Tier,
)
from accounts.templatetags.people import person
from vipdesk.insight import charts
from vipdesk.insight.board import (
    RENEWAL_WINDOWS,
    SORTS,
    BoardQuery,
    arr_at_risk_by_quarter,
    board_page,
    board_queryset,
    top_factors,
)
from vipdesk.insight.dashboard import build_dashboard
from vipdesk.insight.forms import FlagFeedbackForm, InterventionForm, NoteForm, owner_choices
from vipdesk.insight.handoff import load_handoff
from vipdesk.insight.my_work import my_work
from vipdesk.lib.charts import figure_data
from vipdesk.lib.options import options
from vipdesk.lib.roles import Role, has_role, role_required, roles_of


def _prepare_row(row: Account, user) -> Account:
    row.top = top_factors(row.risk_factors)
    row.can_edit = can_edit_account(user, row)
    return row


# ---------------------------------------------------------------------------------------
# At-risk board


def render_board(request, *, default_mine: bool = False) -> TemplateResponse:
    today = timezone.localdate()
    query = BoardQuery.from_params(request.GET, default_mine=default_mine)
    page = board_page(query, request.user, today)
    for row in page.rows:
        _prepare_row(row, request.user)
    context = {
        "query": query,
        "page": page,
        "next_qs": query.querystring(after=page.next_cursor) if page.next_cursor else "",
        "first_qs": query.querystring(),
        "board_url": reverse("insight:at_risk"),
    }
    # htmx swaps in the results only; a history restore (cache miss) needs the whole page.
    if request.htmx and not request.htmx.history_restore_request:
        return TemplateResponse(request, "insight/board.html#results", context)
    context.update(
        csm_options=options(
            ((u.pk, person(u)) for u in owner_choices().filter(groups__name=Role.CSM)),
            query.csm,
        ),
        tiers=Tier.choices,
        levels=RiskLevel.choices,
        windows=RENEWAL_WINDOWS,
        sorts=SORTS.values(),
        quarters=arr_at_risk_by_quarter(today),
        precision=flag_precision(),
    )
    return TemplateResponse(request, "insight/board.html", context)


@role_required(*BOARD_ROLES)
@require_GET
def at_risk(request):
    return render_board(request)


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _board_return_url(request) -> str:
    """Where the row's no-JS form should come back to: the page htmx was on."""
    current = request.htmx.current_url_abs_path if request.htmx else None
    if current and url_has_allowed_host_and_scheme(current, allowed_hosts={request.get_host()}):
        return current
    return reverse("insight:at_risk")


@require_POST
def mark_flag(request, account_id):
    """Record a verdict on the account's current risk flag. htmx gets the board row back."""
    account = get_account_for_user(request, account_id, edit=True)
    form = FlagFeedbackForm(request.POST)
    if not form.is_valid():
        if request.htmx:
            return HttpResponse("Choose accurate or false positive.", status=400)
        messages.error(request, "Choose whether the flag was accurate or a false positive.")
        return redirect(_safe_next(request, account_url(account)))
    feedback = record_flag_feedback(
        account,
        user=request.user,
        verdict=form.cleaned_data["verdict"],
        note=form.cleaned_data["note"],
    )
    if request.htmx:
        row = board_queryset(BoardQuery(), request.user, timezone.localdate()).get(pk=account.pk)
        return TemplateResponse(
            request,
            "insight/board.html#row",
            {"row": _prepare_row(row, request.user), "next_url": _board_return_url(request)},
        )
    messages.success(
        request, f"Flag on {account.name} marked {feedback.get_verdict_display().lower()}."
    )
    return redirect(_safe_next(request, account_url(account)))


# ---------------------------------------------------------------------------------------
# Account 360


def account_url(account: Account) -> str:
    return reverse("insight:detail", args=[account.pk])


def _account_context(request, account: Account, **forms) -> dict:
    handoff = load_handoff(account, timezone.localdate())
    wau = handoff.weekly_active_users
    return {
        **vars(handoff),
        "account": account,
        "can_edit": can_edit_account(request.user, account),
        "history_chart": (
            figure_data(charts.score_history(handoff.snapshots)) if handoff.snapshots else None
        ),
        "usage_chart": figure_data(charts.usage_trend(wau)) if wau else None,
        "wau_latest": wau[-1] if wau else None,
        "note_form": forms.get("note_form") or NoteForm(),
        "flag_form": FlagFeedbackForm(),
        "intervention_form": forms.get("intervention_form") or InterventionForm(instance=account),
    }


@require_GET
def account_detail(request, account_id):
    account = get_account_for_user(
        request,
        account_id,
        queryset=Account.objects.select_related("csm", "account_manager", "intervention_owner"),
    )
    return TemplateResponse(request, "insight/account.html", _account_context(request, account))


@require_POST
def add_note(request, account_id):
    account = get_account_for_user(request, account_id, edit=True)
    form = NoteForm(request.POST)
    if not form.is_valid():
        context = _account_context(request, account, note_form=form)
        return TemplateResponse(request, "insight/account.html", context, status=400)
    CsmNote.objects.create(account=account, author=request.user, body=form.cleaned_data["body"])
    messages.success(request, "Note added.")
    return HttpResponseRedirect(account_url(account) + "#notes")


@require_POST
def set_intervention(request, account_id):
    account = get_account_for_user(request, account_id, edit=True)
    form = InterventionForm(request.POST, instance=account)
    if not form.is_valid():
        context = _account_context(request, account, intervention_form=form)
        return TemplateResponse(request, "insight/account.html", context, status=400)
    form.save()
    messages.success(request, "Intervention updated.")
    return HttpResponseRedirect(account_url(account) + "#intervention")


# ---------------------------------------------------------------------------------------
# VIP dashboard


def render_dashboard(request) -> TemplateResponse:
    data = build_dashboard(timezone.now())
    for account in data.at_risk:
        account.top_factor = next(iter(top_factors(account.risk_factors, n=1)), None)
    context = {
        "d": data,
        "arr_chart": data.charts["arr"],
        "first_response_chart": data.charts["first_response"],
        "show_board_link": True,
    }
    return TemplateResponse(request, "insight/dashboard.html", context)


@role_required(*DASHBOARD_ROLES)
@require_GET
def dashboard(request):
    return render_dashboard(request)


def home_for(request):
    """/ : the VIP dashboard for leads and admins, the CSM's own accounts for CSMs, the
    queue for agents."""
    user = request.user
    if is_lead_or_admin(user):
        return render_dashboard(request)
    if has_role(user, Role.CSM):
        return render_board(request, default_mine=True)
    if has_role(user, Role.AGENT):
        return redirect("/queue/")
    raise PermissionDenied


# ---------------------------------------------------------------------------------------
# My work


@require_GET
def my_work_page(request):
    """Everyone with a role has a work list; what is on it depends on the role."""
    roles = roles_of(request.user)
    if not roles:
        raise PermissionDenied
    now = timezone.now()
    work = my_work(request.user, roles, now)
    return TemplateResponse(request, "insight/my_work.html", {"work": work, "now": now})
