from django import forms
from django.contrib import admin

from accounts.audit import AuditedAdmin
from escalations import matrix
from escalations.models import (
    Draft,
    DraftPolicy,
    Escalation,
    EscalationEvent,
    EscalationMatrixLevel,
    FollowUp,
    GoodwillApprovalRule,
    PlaybookPolicy,
    PostMortem,
    PostMortemPolicy,
    RoleHolder,
    RootCauseCategory,
    SeverityPolicy,
    TypeOwners,
)


class SeverityPolicyForm(forms.ModelForm):
    class Meta:
        model = SeverityPolicy
        fields = [
            "severity",
            "response_minutes",
            "resolution_minutes",
            "customer_update_minutes",
            "post_mortem_required",
            "checkpoint_days",
        ]
        error_messages = {
            "response_minutes": {"min_value": "The response time must be ≥ 1 minute."},
            "resolution_minutes": {"min_value": "The resolution time must be ≥ 1 minute."},
        }

    def clean(self):
        data = super().clean()
        response, resolution = data.get("response_minutes"), data.get("resolution_minutes")
        if response and resolution and resolution < response:
            raise forms.ValidationError(
                f"Resolution ({resolution} min) cannot be due before the response ({response} min)."
            )
        return data


@admin.register(SeverityPolicy)
class SeverityPolicyAdmin(AuditedAdmin):
    form = SeverityPolicyForm
    list_display = [
        "severity",
        "response_minutes",
        "resolution_minutes",
        "customer_update_minutes",
        "post_mortem_required",
        "checkpoint_days",
    ]


class EscalationMatrixLevelForm(forms.ModelForm):
    class Meta:
        model = EscalationMatrixLevel
        fields = ["severity", "level", "owners"]

    def clean_owners(self) -> str:
        owners = " ".join(self.cleaned_data["owners"].split())
        try:
            matrix.parse_owners(owners)
        except ValueError as e:
            raise forms.ValidationError(str(e)) from e
        return owners


@admin.register(EscalationMatrixLevel)
class EscalationMatrixLevelAdmin(AuditedAdmin):
    form = EscalationMatrixLevelForm
    list_display = ["severity", "level", "owners"]
    list_filter = ["severity"]


@admin.register(Escalation)
class EscalationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "account", "type", "severity", "status", "owner", "opened_at"]
    list_filter = ["status", "severity", "type"]
    list_select_related = ["account", "owner"]
    search_fields = ["summary", "account__name"]
    raw_id_fields = ["account", "tickets", "owner"]
    date_hierarchy = "opened_at"


@admin.register(EscalationEvent)
class EscalationEventAdmin(admin.ModelAdmin):
    """Read-only: the timeline is append-only."""

    list_display = ["at", "escalation", "kind", "actor", "from_value", "to_value", "text"]
    list_filter = ["kind"]
    list_select_related = ["escalation", "actor"]
    raw_id_fields = ["escalation", "actor"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PostMortem)
class PostMortemAdmin(admin.ModelAdmin):
    list_display = ["escalation", "status", "completed_at", "root_cause_category", "systemic"]
    list_filter = ["status", "systemic", "root_cause_category"]
    list_select_related = ["escalation", "root_cause_category"]
    raw_id_fields = ["escalation", "updated_by"]


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ["description", "post_mortem", "owner", "due_on", "status"]
    list_filter = ["status"]
    list_select_related = ["post_mortem__escalation", "owner"]
    raw_id_fields = ["post_mortem", "owner"]


@admin.register(RootCauseCategory)
class RootCauseCategoryAdmin(AuditedAdmin):
    """The taxonomy post-mortems pick their root cause and contributing factors from."""

    list_display = ["name", "active"]
    list_editable = ["active"]


@admin.register(PostMortemPolicy)
class PostMortemPolicyAdmin(AuditedAdmin):
    list_display = ["__str__", "due_business_days", "remind_days_before"]

    def has_add_permission(self, request) -> bool:
        return not PostMortemPolicy.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DraftPolicy)
class DraftPolicyAdmin(AuditedAdmin):
    list_display = ["__str__", "brief_max_words"]

    def has_add_permission(self, request) -> bool:
        return not DraftPolicy.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Draft)
class DraftAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "created_at", "sent_at"]
    list_filter = ["kind"]
    list_select_related = ["escalation"]
    raw_id_fields = ["escalation", "created_by", "communication"]


@admin.register(PlaybookPolicy)
class PlaybookPolicyAdmin(AuditedAdmin):
    list_display = ["__str__", "acknowledge_minutes", "breach_warning_minutes", "reopen_days"]

    def has_add_permission(self, request) -> bool:
        return not PlaybookPolicy.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RoleHolder)
class RoleHolderAdmin(AuditedAdmin):
    """Who is the CS manager, VP CS, VP Eng, CRO, CTO (the matrix and approvals)."""

    list_display = ["role", "user"]
    list_filter = ["role"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


@admin.register(TypeOwners)
class TypeOwnersAdmin(AuditedAdmin):
    list_display = ["type", "teams"]


@admin.register(GoodwillApprovalRule)
class GoodwillApprovalRuleAdmin(AuditedAdmin):
    list_display = ["kind", "max_amount", "approver"]
    list_filter = ["kind"]
