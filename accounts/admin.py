from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from accounts import tier_changes
from accounts.audit import AuditedAdmin, SingletonAdmin
from accounts.forms import (
    FACTOR_SETTINGS,
    HEALTH_WEIGHTS,
    RISK_BANDS,
    RISK_LEVELS,
    RISK_POINTS,
    RISK_THRESHOLDS,
    ScoreWeightsForm,
    TierBandFormSet,
    TierPolicyForm,
)
from accounts.models import (
    Account,
    AccountDomain,
    CadencePolicy,
    Contact,
    CsmNote,
    PolicyChange,
    RiskFlagFeedback,
    ScoreSnapshot,
    ScoreWeights,
    SponsorSummary,
    TierPolicy,
)
from accounts.tiering import retier_accounts
from vipdesk.lib.admin import ReadOnlyAdmin
from vipdesk.tasks.models import TaskPolicy


@admin.register(TierPolicy)
class TierPolicyAdmin(AuditedAdmin):
    """The four tiers are fixed. Their bands change only all together, through
    "Edit tier thresholds" (preview, then confirm); a row's own form keeps the
    fields that do not decide who is in the tier."""

    form = TierPolicyForm
    change_list_template = "admin/accounts/tierpolicy/change_list.html"
    list_display = [
        "tier",
        "badge",
        "min_arr",
        "max_arr",
        "strategic_qualifies",
        "executive_review_qualifies",
        "escalate_to",
        "escalate_within_minutes",
    ]
    readonly_fields = [
        "tier",
        "min_arr",
        "max_arr",
        "strategic_qualifies",
        "executive_review_qualifies",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view(self.thresholds_view)
        return [
            path("thresholds/", view, name="accounts_tierpolicy_thresholds"),
            *super().get_urls(),
        ]

    def thresholds_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        formset = TierBandFormSet(request.POST or None, queryset=TierPolicy.objects.all())
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Edit tier thresholds",
            "formset": formset,
        }
        if request.method == "POST" and formset.is_valid():
            if "confirm" in request.POST:
                moved = tier_changes.apply(formset, request.user)
                self.message_user(
                    request,
                    f"Tier thresholds saved; {moved} account(s) changed tier.",
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:accounts_tierpolicy_changelist"))
            if "edit" not in request.POST:
                context["title"] = "Preview tier threshold change"
                context["preview"] = tier_changes.preview(formset.bands())
                context["cap"] = tier_changes.MOVING_LIST_CAP
                return TemplateResponse(request, "admin/accounts/tierpolicy/preview.html", context)
        return TemplateResponse(request, "admin/accounts/tierpolicy/thresholds.html", context)


@admin.register(ScoreWeights)
class ScoreWeightsAdmin(SingletonAdmin):
    form = ScoreWeightsForm
    fieldsets = [
        ("Escalation-risk points (most each factor adds, 0–100)", {"fields": RISK_POINTS}),
        ("Risk thresholds (alerts)", {"fields": RISK_THRESHOLDS}),
        ("Churn-risk levels (score from)", {"fields": RISK_LEVELS}),
        ("Risk-band workflows (once per crossing)", {"fields": RISK_BANDS}),
        ("Alert flood control", {"fields": ["alerts_per_person_per_run"]}),
        ("Health score weights (add up to 100)", {"fields": HEALTH_WEIGHTS}),
        ("How each factor is defined (windows, thresholds, days)", {"fields": FACTOR_SETTINGS}),
        ("Schedule", {"fields": ["rescore_interval_minutes"]}),
    ]


class AccountDomainInline(admin.TabularInline):
    model = AccountDomain
    extra = 1


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = [
        "name",
        "email",
        "title",
        "executive_override",
        "is_executive",
        "is_champion",
        "is_authorized",
    ]
    readonly_fields = ["is_executive"]
    show_change_link = True


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["name", "arr", "tier", "risk_score", "risk_level", "csm", "renewal_date"]
    list_filter = [
        "tier",
        "risk_level",
        "strategic",
        "executive_review",
        ("scoring_error", admin.EmptyFieldListFilter),
    ]
    list_select_related = ["csm"]
    search_fields = ["name", "domains__domain"]
    show_full_result_count = False
    raw_id_fields = ["csm", "account_manager", "intervention_owner"]
    readonly_fields = [
        "tier",
        "health_score",
        "risk_score",
        "risk_level",
        "risk_factors",
        "risk_alerted_threshold",
        "scored_at",
        "scoring_error",
        "created_at",
        "updated_at",
    ]
    inlines = [AccountDomainInline, ContactInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # ARR and the strategic flags decide the tier: keep it in step at once.
        retier_accounts(Account.objects.filter(pk=obj.pk))


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "title", "account", "is_executive", "is_champion"]
    list_filter = ["is_executive", "is_champion", "is_authorized"]
    list_select_related = ["account"]
    search_fields = ["name", "email", "account__name"]
    raw_id_fields = ["account"]
    readonly_fields = ["is_executive"]


@admin.register(CsmNote)
class CsmNoteAdmin(ReadOnlyAdmin):
    list_display = ["account", "author", "created_at"]
    list_select_related = ["account", "author"]
    search_fields = ["account__name", "body"]


@admin.register(ScoreSnapshot)
class ScoreSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["account", "day", "risk_score", "risk_level", "health_score"]
    list_filter = ["risk_level", "day"]
    list_select_related = ["account"]
    search_fields = ["account__name"]
    show_full_result_count = False


@admin.register(RiskFlagFeedback)
class RiskFlagFeedbackAdmin(ReadOnlyAdmin):
    list_display = ["account", "verdict", "risk_score", "user", "created_at"]
    list_filter = ["verdict", "created_at"]
    list_select_related = ["account", "user"]
    search_fields = ["account__name"]


@admin.register(PolicyChange)
class PolicyChangeAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "action", "model", "object_repr", "summary"]
    list_filter = ["model", ("user", admin.RelatedOnlyFieldListFilter), "action", "at"]
    list_select_related = ["user"]
    search_fields = ["object_repr"]
    date_hierarchy = "at"

    @admin.display(description="changes")
    def summary(self, change: PolicyChange) -> str:
        return "; ".join(f"{field}: {old} → {new}" for field, (old, new) in change.changes.items())


@admin.register(CadencePolicy)
class CadencePolicyAdmin(SingletonAdmin):
    pass


@admin.register(TaskPolicy)
class TaskPolicyAdmin(SingletonAdmin):
    """Registered here, above vipdesk/tasks, where the audited admins live."""


@admin.register(SponsorSummary)
class SponsorSummaryAdmin(ReadOnlyAdmin):
    list_display = ["sponsor_email", "month", "accounts", "sent_at"]
    list_filter = ["month"]
    search_fields = ["sponsor_email"]
