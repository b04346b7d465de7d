"""Account pages: the at-risk board, the account 360 page and the VIP dashboard.

Each view checks access (accounts/access.py), then calls the domain modules."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from accounts import charts
from accounts.access import (
    BOARD_ROLES,
    DASHBOARD_ROLES,
    can_edit_account,
    get_account_for_user,
    is_lead_or_admin,
)
from accounts.board import (
    RENEWAL_WINDOWS,
    SORTS,
    BoardQuery,
    arr_at_risk_by_quarter,
    board_page,
    board_queryset,
    top_factors,
)
from accounts.dashboard import build_dashboard
from accounts.feedback import flag_precision, record_flag_feedback
from accounts.models import (
    Account,
    CsmNote,
    RiskFlagFeedback,
    RiskLevel,
    ScoreSnapshot,
    ScoreWeights,
    Tier,
)
from accounts.page_forms import FlagFeedbackForm, InterventionForm, NoteForm, owner_choices
from accounts.recommendations import AccountSignals, Thresholds, recommend
from accounts.tiering import current_bands, tier_for
from escalations.models import Escalation, Severity
from tickets.models import Ticket
from vipdesk.roles import Role, has_role, role_required

HISTORY_DAYS = 180
RECENT_TICKETS = 20
NOTES_SHOWN = 50


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
        "board_url": reverse("accounts:at_risk"),
    }
    # htmx swaps in the results only; a history restore (cache miss) needs the whole page.
    if request.htmx and not request.htmx.history_restore_request:
        return TemplateResponse(request, "accounts/board.html#results", context)
    context.update(
        csms=owner_choices().filter(groups__name=Role.CSM),
        tiers=Tier.choices,
        levels=RiskLevel.choices,
        windows=RENEWAL_WINDOWS,
        sorts=SORTS.values(),
        quarters=arr_at_risk_by_quarter(today),
        precision=flag_precision(),
    )
    return TemplateResponse(request, "accounts/board.html", context)


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
    return reverse("accounts:at_risk")


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
            "accounts/board.html#row",
            {"row": _prepare_row(row, request.user), "next_url": _board_return_url(request)},
        )
    messages.success(
        request, f"Flag on {account.name} marked {feedback.get_verdict_display().lower()}."
    )
    return redirect(_safe_next(request, account_url(account)))


# ---------------------------------------------------------------------------------------
# Account 360


def account_url(account: Account) -> str:
    return reverse("accounts:detail", args=[account.pk])


def _account_context(request, account: Account, **forms) -> dict:
    today = timezone.localdate()
    can_edit = can_edit_account(request.user, account)
    contacts = list(account.contacts.all())
    tickets = list(
        Ticket.objects.filter(account=account)
        .select_related("assigned_agent__user")
        .only(
            "id",
            "subject",
            "status",
            "customer_priority",
            "effective_priority",
            "created_at",
            "first_response_at",
            "resolved_at",
            "csat",
            "assigned_agent__id",
            "assigned_agent__user__username",
            "assigned_agent__user__first_name",
            "assigned_agent__user__last_name",
        )
        .order_by("-created_at", "-id")[:RECENT_TICKETS]
    )
    for ticket in tickets:
        ticket.resolution_hours = (
            (ticket.resolved_at - ticket.created_at).total_seconds() / 3600
            if ticket.resolved_at
            else None
        )
    by_status = {
        r["status"]: r
        for r in Ticket.objects.filter(account=account)
        .order_by()
        .values("status")
        .annotate(n=Count("id"), csat_sum=Sum("csat"), csat_n=Count("csat"))
    }
    status_counts = [
        (label, by_status[value]["n"])
        for value, label in Ticket.Status.choices
        if value in by_status
    ]
    csat_n = sum(r["csat_n"] for r in by_status.values())
    csat_avg = sum(r["csat_sum"] or 0 for r in by_status.values()) / csat_n if csat_n else None
    open_tickets = sum(by_status[s]["n"] for s in Ticket.OPEN_STATUSES if s in by_status)
    notes = list(
        account.notes.select_related("author").order_by("-created_at", "-id")[:NOTES_SHOWN]
    )
    escalations = list(
        Escalation.objects.open()
        .filter(account=account)
        .select_related("owner")
        .order_by("-opened_at")
    )
    snapshots = list(
        ScoreSnapshot.objects.filter(account=account, day__gte=today - timedelta(days=HISTORY_DAYS))
        .order_by("day")
        .values_list("day", "health_score", "risk_score")
    )
    feedback = list(
        RiskFlagFeedback.objects.filter(account=account)
        .select_related("user")
        .order_by("-created_at", "-id")[:5]
    )
    tier_decision = tier_for(
        account.arr, account.strategic, account.executive_review, current_bands()
    )
    days_to_renewal = (account.renewal_date - today).days if account.renewal_date else None
    signals = AccountSignals(
        tier=account.tier,
        risk_score=account.risk_score,
        risk_level=account.risk_level,
        factors=account.risk_factors,
        health_score=account.health_score,
        days_to_renewal=days_to_renewal,
        open_escalations=len(escalations),
        critical_escalations=sum(1 for e in escalations if e.severity == Severity.CRITICAL),
        executive_contacts=sum(1 for c in contacts if c.is_executive),
        has_champion=any(c.is_champion for c in contacts),
        executive_sponsor=account.executive_sponsor,
        nps=account.nps,
        previous_nps=account.previous_nps,
        usage_trend_pct=account.usage_trend_pct,
        expansion_opportunity=account.expansion_opportunity,
        open_tickets=open_tickets,
    )
    wau = [v for v in account.weekly_active_users or [] if isinstance(v, int | float)]
    context = {
        "account": account,
        "can_edit": can_edit,
        "contacts": contacts,
        "tickets": tickets,
        "status_counts": status_counts,
        "ticket_total": sum(r["n"] for r in by_status.values()),
        "open_tickets": open_tickets,
        "csat_avg": csat_avg,
        "notes": notes,
        "escalations": escalations,
        "feedback": feedback,
        "tier_reason": tier_decision.reason,
        "days_to_renewal": days_to_renewal,
        "factors": top_factors(account.risk_factors, n=100),
        "recommendations": recommend(signals, Thresholds.from_weights(ScoreWeights.load())),
        "history_chart": charts.figure_data(charts.score_history(snapshots)) if snapshots else None,
        "usage_chart": charts.figure_data(charts.usage_trend(wau)) if wau else None,
        "wau_latest": wau[-1] if wau else None,
        "note_form": forms.get("note_form") or NoteForm(),
        "flag_form": FlagFeedbackForm(),
        "intervention_form": forms.get("intervention_form") or InterventionForm(instance=account),
    }
    return context


@require_GET
def account_detail(request, account_id):
    account = get_account_for_user(
        request,
        account_id,
        queryset=Account.objects.select_related("csm", "account_manager", "intervention_owner"),
    )
    return TemplateResponse(request, "accounts/account.html", _account_context(request, account))


@require_POST
def add_note(request, account_id):
    account = get_account_for_user(request, account_id, edit=True)
    form = NoteForm(request.POST)
    if not form.is_valid():
        context = _account_context(request, account, note_form=form)
        return TemplateResponse(request, "accounts/account.html", context, status=400)
    CsmNote.objects.create(account=account, author=request.user, body=form.cleaned_data["body"])
    messages.success(request, "Note added.")
    return HttpResponseRedirect(account_url(account) + "#notes")


@require_POST
def set_intervention(request, account_id):
    account = get_account_for_user(request, account_id, edit=True)
    form = InterventionForm(request.POST, instance=account)
    if not form.is_valid():
        context = _account_context(request, account, intervention_form=form)
        return TemplateResponse(request, "accounts/account.html", context, status=400)
    form.save()
    messages.success(request, "Intervention updated.")
    return HttpResponseRedirect(account_url(account) + "#intervention")


# ---------------------------------------------------------------------------------------
# VIP dashboard


def render_dashboard(request) -> TemplateResponse:
    data = build_dashboard(timezone.now())
    for account in data.at_risk:
        account.top_factor = next(iter(top_factors(account.risk_factors, n=1)), None)
    arr_fig = charts.arr_by_tier([(t.label, t.arr, t.accounts) for t in data.tiers])
    fr_fig = charts.first_response_vs_sla(
        [(t.label, t.avg_first_response_min, t.sla_first_response_min) for t in data.vip_tiers]
    )
    context = {
        "d": data,
        "arr_chart": charts.figure_data(arr_fig),
        "first_response_chart": charts.figure_data(fr_fig),
        "show_board_link": True,
    }
    return TemplateResponse(request, "dashboard/dashboard.html", context)


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
