from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.audit import Action, AuditedAdmin, SingletonAdmin, diff, record
from tickets.models import (
    Agent,
    AgentPool,
    ApiToken,
    BusinessHours,
    ChurnPhrase,
    Holiday,
    PtoPeriod,
    RoutingPolicy,
    SlaPolicy,
    Ticket,
)


class SlaPolicyForm(forms.ModelForm):
    class Meta:
        model = SlaPolicy
        fields = [
            "tier",
            "priority",
            "first_response_minutes",
            "resolution_minutes",
            "calendar",
            "queue",
            "min_agent_level",
            "min_tenure_months",
            "notify_csm",
            "open_escalation",
        ]
        error_messages = {
            "first_response_minutes": {"min_value": "The first-response time must be ≥ 1 minute."},
            "resolution_minutes": {"min_value": "The resolution time must be ≥ 1 minute."},
        }

    def clean(self):
        data = super().clean()
        first, resolution = data.get("first_response_minutes"), data.get("resolution_minutes")
        if first and resolution and resolution < first:
            raise ValidationError(
                f"Resolution ({resolution} min) cannot be due before the first response "
                f"({first} min)."
            )
        return data


@admin.register(SlaPolicy)
class SlaPolicyAdmin(AuditedAdmin):
    form = SlaPolicyForm
    list_display = [
        "__str__",
        "first_response_minutes",
        "resolution_minutes",
        "calendar",
        "queue",
        "min_agent_level",
        "min_tenure_months",
        "notify_csm",
        "open_escalation",
    ]
    list_filter = ["tier", "priority", "calendar", "queue"]


@admin.register(RoutingPolicy)
class RoutingPolicyAdmin(SingletonAdmin):
    pass


class ChurnPhraseForm(forms.ModelForm):
    class Meta:
        model = ChurnPhrase
        fields = ["phrase", "kind", "weight", "active"]

    def clean_phrase(self) -> str:
        # Matching ignores case and runs of spaces, so "Not  Renewing" duplicates
        # "not renewing"; ChurnPhrase.save() stores this same normal form.
        phrase = " ".join(self.cleaned_data["phrase"].split()).lower()
        others = ChurnPhrase.objects.filter(phrase__iexact=phrase).exclude(pk=self.instance.pk)
        if others.exists():
            raise ValidationError(f"“{phrase}” is already a churn phrase.")
        return phrase


@admin.register(ChurnPhrase)
class ChurnPhraseAdmin(AuditedAdmin):
    form = ChurnPhraseForm
    list_display = ["phrase", "kind", "weight", "active"]
    list_editable = ["weight", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["phrase"]


class BusinessHoursForm(forms.ModelForm):
    class Meta:
        model = BusinessHours
        fields = ["weekday", "opens", "closes"]

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens"), data.get("closes")
        if opens and closes and closes <= opens:
            raise ValidationError(
                f"Closing time ({closes:%H:%M}) must be after opening time ({opens:%H:%M})."
            )
        return data


@admin.register(BusinessHours)
class BusinessHoursAdmin(AuditedAdmin):
    form = BusinessHoursForm
    list_display = ["weekday", "opens", "closes"]

    def delete_refusal(self, objs) -> str | None:
        # A weekday without a row is closed; with none left, business-hours SLAs
        # would never start their clock.
        remaining = BusinessHours.objects.exclude(pk__in=[obj.pk for obj in objs])
        if not remaining.exists():
            return "At least one business day must remain open: keep one weekday's hours."
        return None


@admin.register(Holiday)
class HolidayAdmin(AuditedAdmin):
    list_display = ["day", "name"]
    date_hierarchy = "day"


class PtoPeriodInline(admin.TabularInline):
    model = PtoPeriod
    extra = 0


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "level", "tenure_start", "capacity", "vip_share_cap_pct", "on_shift"]
    list_filter = ["level", "on_shift", "pools"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    raw_id_fields = ["user"]
    inlines = [PtoPeriodInline]


@admin.register(AgentPool)
class AgentPoolAdmin(admin.ModelAdmin):
    list_display = ["name", "tier", "lead"]
    list_filter = ["tier"]
    filter_horizontal = ["members"]
    raw_id_fields = ["lead"]


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Tickets arrive from the helpdesk and are routed by rules: the admin shows
    them and allows the few manual corrections (status, assignee, CSAT)."""

    list_display = [
        "id",
        "subject",
        "account",
        "tier",
        "effective_priority",
        "queue",
        "status",
        "assigned_agent",
        "created_at",
    ]
    list_filter = ["queue", "tier", "status", "effective_priority", "source", "routed"]
    list_select_related = ["account", "assigned_agent__user"]
    search_fields = ["=id", "external_id", "subject", "account__name", "requester_email"]
    show_full_result_count = False
    raw_id_fields = ["account", "contact", "assigned_agent"]
    editable = ["status", "assigned_agent", "csat"]

    def has_add_permission(self, request):
        return False

    def get_fields(self, request, obj=None):
        return [f.name for f in Ticket._meta.fields if f.name != "id"]

    def get_readonly_fields(self, request, obj=None):
        return [name for name in self.get_fields(request, obj) if name not in self.editable]


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["name"]


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdmin):
    """Only a name is entered; the token is generated, shown once, and only its
    hash is kept."""

    form = ApiTokenForm
    list_display = ["name", "prefix", "created_by", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    actions = ["revoke"]
    audit_exclude = ("token_hash",)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["name", "prefix", "created_by", "created_at", "last_used_at", "revoked_at"]

    def has_change_permission(self, request, obj=None):
        # Nothing of an issued token is editable; revoke it instead.
        return False if obj else super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        issued, plaintext = ApiToken.issue(obj.name, created_by=request.user)
        # The admin continues (history, redirect) with the row issue() created.
        obj.pk = issued.pk
        obj.refresh_from_db()
        record(request.user, issued, Action.CREATE, {"name": [None, issued.name]})
        self.message_user(
            request,
            f"API token for “{issued.name}”: {plaintext} — copy it now; it will not be "
            "shown again.",
            messages.WARNING,
        )

    @admin.action(description="Revoke selected API tokens", permissions=["delete"])
    def revoke(self, request, queryset):
        now = timezone.now()
        revoked = 0
        for token in queryset.filter(revoked_at__isnull=True):
            token.revoked_at = now
            token.save(update_fields=["revoked_at"])
            record(
                request.user, token, Action.UPDATE, diff({"revoked_at": None}, {"revoked_at": now})
            )
            revoked += 1
        self.message_user(request, f"Revoked {revoked} token(s).", messages.SUCCESS)
