from django import forms
from django.contrib import admin

from accounts.audit import AuditedAdmin, SingletonAdmin
from escalations.models import (
    Escalation,
    EscalationEvent,
    EscalationMatrixLevel,
    PostMortem,
    ReportPolicy,
    SeverityPolicy,
)


class SeverityPolicyForm(forms.ModelForm):
    class Meta:
        model = SeverityPolicy
        fields = ["severity", "response_minutes", "resolution_minutes"]
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
    list_display = ["severity", "response_minutes", "resolution_minutes"]


class EscalationMatrixLevelForm(forms.ModelForm):
    class Meta:
        model = EscalationMatrixLevel
        fields = ["severity", "level", "owners"]

    def clean_owners(self) -> str:
        return " ".join(self.cleaned_data["owners"].split())


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
    list_display = ["escalation", "status", "completed_at"]
    list_filter = ["status"]
    raw_id_fields = ["escalation"]


@admin.register(ReportPolicy)
class ReportPolicyAdmin(SingletonAdmin):
    pass
