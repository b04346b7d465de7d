import zoneinfo

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.audit import Action, AuditedAdmin, SingletonAdmin, diff, record
from tickets.actions import log_reassignment
from tickets.calendars import copy_hours, fill_holidays, pool_calendar_error
from tickets.models import (
    Agent,
    AgentPool,
    ApiToken,
    BusinessHours,
    ChurnPhrase,
    FollowUpPolicy,
    Holiday,
    InboxDelivery,
    PtoPeriod,
    RoutingPolicy,
    SlaPolicy,
    SupportCalendar,
    Ticket,
)
from tickets.routing.jobs import request_routing_on_commit
from vipdesk.lib.public_holidays import country_choices, subdivision_error


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


@admin.register(FollowUpPolicy)
class FollowUpPolicyAdmin(AuditedAdmin):
    list_display = ["__str__", "due_within_minutes", "calendar"]
    list_editable = ["due_within_minutes", "calendar"]
    list_filter = ["kind", "tier"]


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


class SupportCalendarForm(forms.ModelForm):
    country = forms.ChoiceField(
        choices=[("", "None: type the holidays by hand")] + country_choices(),
        required=False,
        help_text=SupportCalendar._meta.get_field("country").help_text,
    )

    class Meta:
        model = SupportCalendar
        fields = ["name", "time_zone", "country", "subdivision", "holiday_years_ahead"]

    def clean_time_zone(self) -> str:
        name = self.cleaned_data["time_zone"].strip()
        if name and name not in zoneinfo.available_timezones():
            raise ValidationError(f"Unknown time zone “{name}” (use an IANA name).")
        return name

    def clean_subdivision(self) -> str:
        return self.cleaned_data["subdivision"].strip().upper()

    def clean(self):
        data = super().clean()
        country, subdivision = data.get("country"), data.get("subdivision")
        if subdivision and not country:
            self.add_error("subdivision", "A subdivision needs a country.")
        elif subdivision:
            error = subdivision_error(country, subdivision)
            if error:
                self.add_error("subdivision", error)
        return data


@admin.register(SupportCalendar)
class SupportCalendarAdmin(AuditedAdmin):
    """A new calendar starts with the default calendar's opening hours; saving one
    with a country fills its public holidays (again: idempotent)."""

    form = SupportCalendarForm
    list_display = ["name", "time_zone", "country", "subdivision", "is_default"]
    readonly_fields = ["is_default"]
    actions = ["fill_public_holidays", "make_default"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            copy_hours(SupportCalendar.objects.get(is_default=True), obj)
        self._fill(request, [obj])

    @admin.action(description="Fill public holidays from the country calendar")
    def fill_public_holidays(self, request, queryset):
        self._fill(request, queryset)

    @admin.action(description="Make the selected calendar the default")
    def make_default(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Select one calendar.", messages.ERROR)
            return
        chosen = queryset.get()
        with transaction.atomic():
            old = SupportCalendar.objects.select_for_update().get(is_default=True)
            SupportCalendar.objects.filter(pk=old.pk).update(is_default=False)
            SupportCalendar.objects.filter(pk=chosen.pk).update(is_default=True)
            if old != chosen:
                record(request.user, chosen, Action.UPDATE, {"is_default": [False, True]})
        self.message_user(request, f"{chosen} is the default calendar.")

    def _fill(self, request, calendars):
        today = timezone.localdate()
        for calendar in calendars:
            if calendar.country:
                added = fill_holidays(calendar, today)
                self.message_user(request, f"{calendar}: {added} public holidays added.")

    def delete_refusal(self, objs) -> str | None:
        if any(obj.is_default for obj in objs):
            return "The default calendar serves every tier without its own: keep it."
        return None


class BusinessHoursForm(forms.ModelForm):
    class Meta:
        model = BusinessHours
        fields = ["calendar", "weekday", "opens", "closes"]

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
    list_display = ["weekday", "opens", "closes", "calendar"]
    list_filter = ["calendar"]

    def delete_refusal(self, objs) -> str | None:
        # A weekday without a row is closed; with none left, business-hours SLAs
        # would never start their clock.
        remaining = BusinessHours.objects.exclude(pk__in=[obj.pk for obj in objs])
        for calendar in {obj.calendar for obj in objs}:
            if not remaining.filter(calendar=calendar).exists():
                return (
                    f"At least one business day must remain open in {calendar}: "
                    "keep one weekday's hours."
                )
        return None


@admin.register(Holiday)
class HolidayAdmin(AuditedAdmin):
    list_display = ["day", "name", "observed", "calendar"]
    list_filter = ["calendar", "observed"]
    date_hierarchy = "day"
    fields = ["calendar", "day", "name", "observed"]


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


class AgentPoolForm(forms.ModelForm):
    class Meta:
        model = AgentPool
        fields = ["name", "tier", "lead", "members", "calendar"]

    def clean(self):
        data = super().clean()
        if "tier" in data and "calendar" in data:
            error = pool_calendar_error(data["tier"], data["calendar"], self.instance.pk)
            if error:
                self.add_error("calendar", error)
        return data


@admin.register(AgentPool)
class AgentPoolAdmin(admin.ModelAdmin):
    form = AgentPoolForm
    list_display = ["name", "tier", "lead", "calendar"]
    list_filter = ["tier", "calendar"]
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
    list_filter = [
        "queue",
        "tier",
        "status",
        "effective_priority",
        "source",
        "routed",
        ("routing_error", admin.EmptyFieldListFilter),
    ]
    list_select_related = ["account", "assigned_agent__user"]
    search_fields = ["=id", "external_id", "subject", "account__name", "requester_email"]
    show_full_result_count = False
    raw_id_fields = ["account", "contact", "assigned_agent"]
    editable = ["status", "assigned_agent", "csat"]
    actions = ["route_again"]

    def has_add_permission(self, request):
        return False

    def get_fields(self, request, obj=None):
        return [f.name for f in Ticket._meta.fields if f.name != "id"]

    def get_readonly_fields(self, request, obj=None):
        return [name for name in self.get_fields(request, obj) if name not in self.editable]

    def save_model(self, request, obj, form, change):
        previous = form.initial.get("assigned_agent") if change else None
        super().save_model(request, obj, form, change)
        if "assigned_agent" in form.changed_data and previous:
            log_reassignment(
                obj, Agent.objects.get(pk=previous), obj.assigned_agent, by=request.user
            )

    @admin.action(description="Route selected tickets again", permissions=["change"])
    def route_again(self, request, queryset):
        """Clears a routing failure (Ticket.routing_error) once its cause is fixed."""
        count = queryset.update(routed=False, routing_error="", updated_at=timezone.now())
        request_routing_on_commit()
        self.message_user(request, f"{count} ticket(s) sent back to routing.", messages.SUCCESS)


@admin.register(InboxDelivery)
class InboxDeliveryAdmin(admin.ModelAdmin):
    """The intake inbox (tickets/intake/inbox.py): deliveries acknowledged and waiting
    for a drainer, drained ones, and the failed ones with their error. Fix the cause
    (or let the helpdesk send the ticket again), then "Drain again"."""

    list_display = ["external_id", "source", "ticket_id", "state", "received_at", "short_error"]
    list_filter = ["state", "source"]
    search_fields = ["=external_id", "=ticket_id"]
    show_full_result_count = False
    readonly_fields = [f.name for f in InboxDelivery._meta.fields]
    actions = ["drain_again"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="error")
    def short_error(self, obj):
        return obj.error[:120]

    @admin.action(description="Drain again", permissions=["change"])
    def drain_again(self, request, queryset):
        """Failed rows keep their deliveries: put them back in front of the drainers."""
        count = queryset.exclude(state=InboxDelivery.State.DONE).update(
            state=InboxDelivery.State.PENDING, received_at=timezone.now()
        )
        request_routing_on_commit()
        self.message_user(request, f"{count} deliveries sent back to the drainers.")


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
